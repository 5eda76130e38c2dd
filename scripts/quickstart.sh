#!/usr/bin/env bash
# The first command of the README: installs what is missing, builds, and runs a real benchmark
# end to end with a reference plugin, then prints where its run directory is.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install_deps.sh
./scripts/build.sh
./build/bin/edubench list
./build/bin/edubench run --workload kv_cache --sut kv_cache --scenario single_stream --mode performance
