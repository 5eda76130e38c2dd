#!/bin/sh
# What CI runs for this SUT (.github/workflows/edubench.yml, .gitlab-ci.yml), and what to run
# before you push: build, the public tests, a submission and its compliance check.
#   EDUBENCH    the edubench to use (default: the one on PATH, /usr/bin/edubench from the .deb)
#   SCENARIO    the scenario submitted (default: @SCENARIO@, the one the lab grades)
set -eu
cd "$(dirname "$0")/.."
edubench=${EDUBENCH:-edubench}
scenario=${SCENARIO:-@SCENARIO@}
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j "$(nproc)"
ctest --test-dir build --output-on-failure
rm -rf submission
"$edubench" run --workload @WORKLOAD@ --sut build/edubench_sut_@NAME@.so --scenario "$scenario" \
  --mode submission --output submission
"$edubench" check submission
