#!/usr/bin/env bash
# The test command of the README (and of CI): installs what is missing, builds, runs every test.
#   scripts/test.sh                      the Release build in build/, every test
#   scripts/test.sh --sanitize address   AddressSanitizer + UndefinedBehaviorSanitizer over the
#                                        suite without LibTorch, in build-asan/ (docs/sanitizers.md)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--sanitize" ]; then
  case "${2:-}" in
    address) ;;
    *) echo "scripts/test.sh: --sanitize takes 'address' (ThreadSanitizer: docs/sanitizers.md)" >&2; exit 2 ;;
  esac
  ./scripts/install_deps.sh
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEDUBENCH_TORCH_PLUGINS=OFF \
    -DEDUBENCH_SANITIZE=address,undefined
  cmake --build build-asan -j"$(nproc)"
  # detect_leaks=0: plugins are never unloaded and an in-process plugin's state lives until exit by
  # design (sut-abi.md), so a leak report would list those; every other ASan error stops the test.
  export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  ctest --test-dir build-asan --output-on-failure --timeout 1200 -j2
  exit 0
fi
./scripts/install_deps.sh --with-slurm
# install_deps installed Chromium and Slurm: the report test and the Slurm grading test may not
# skip for want of them.
export EDUBENCH_REQUIRE_CHROMIUM=1 EDUBENCH_REQUIRE_SLURM=1
./scripts/build.sh
ctest --test-dir build --output-on-failure --timeout 600 -j2
