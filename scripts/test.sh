#!/usr/bin/env bash
# The test command of the README (and of CI): installs what is missing, builds, runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install_deps.sh
# install_deps installed Chromium: the report test may not skip for want of it.
export EDUBENCH_REQUIRE_CHROMIUM=1
./scripts/build.sh
ctest --test-dir build --output-on-failure --timeout 600 -j2
