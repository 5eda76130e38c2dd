#!/usr/bin/env bash
# The test command of the README (and of CI): installs what is missing, builds, runs every test.
#   scripts/test.sh                      the Release build in build/, every test; then the quick
#                                        sanitizer pass: in build-asan/ (below), the unit tests, the
#                                        isolation tests and each fuzz target for 20 s
#   scripts/test.sh --sanitize address   the whole suite without LibTorch under AddressSanitizer +
#                                        UBSan, built by clang in build-asan/ with the fuzz targets
#                                        against libFuzzer, each fuzzed for EDUBENCH_FUZZ_SECONDS
#                                        (default 30; docs/sanitizers.md, docs/fuzzing.md)
set -euo pipefail
cd "$(dirname "$0")/.."
# Each phase's start on stderr, so a slow CI run shows where its time went.
phase() { echo "[scripts/test.sh] $(date -u +%T) $*" >&2; }

# sanitize_address [CTEST_ARGS...]
sanitize_address() {
  ./scripts/install_deps.sh --with-sanitizers
  # libFuzzer is clang's: a folder configured by another compiler is configured afresh.
  if [[ -f build-asan/CMakeCache.txt ]] && ! grep -q '^CMAKE_CXX_COMPILER:.*clang++' build-asan/CMakeCache.txt; then
    rm -rf build-asan
  fi
  CC=clang CXX=clang++ cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEDUBENCH_TORCH_PLUGINS=OFF \
    -DEDUBENCH_SANITIZE=address,undefined -DEDUBENCH_FUZZ=ON -DEDUBENCH_FUZZ_SECONDS="${EDUBENCH_FUZZ_SECONDS:-30}"
  cmake --build build-asan -j"$(nproc)"
  phase "ctest (sanitizers)"
  # detect_leaks=0: plugins are never unloaded and an in-process plugin's state lives until exit by
  # design (sut-abi.md), so a leak report would list those; every other ASan error stops the test.
  export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  ctest --test-dir build-asan --output-on-failure --timeout 1200 -j2 "$@"
}

if [ "${1:-}" = "--sanitize" ]; then
  case "${2:-}" in
    address) sanitize_address; exit 0 ;;
    *) echo "scripts/test.sh: --sanitize takes 'address' (ThreadSanitizer: docs/sanitizers.md)" >&2; exit 2 ;;
  esac
fi
phase "install"
./scripts/install_deps.sh --with-slurm
# install_deps installed Chromium and Slurm: the report test and the Slurm grading test may not
# skip for want of them.
export EDUBENCH_REQUIRE_CHROMIUM=1 EDUBENCH_REQUIRE_SLURM=1
phase "build"
./scripts/build.sh
phase "ctest (Release)"
ctest --test-dir build --output-on-failure --timeout 600 -j2
# The whole suite under the sanitizers takes about as long again as the Release one; CI runs the
# parts where memory errors hide (the units, the isolated worker) and every fuzz target briefly.
phase "sanitizer pass"
EDUBENCH_FUZZ_SECONDS=${EDUBENCH_FUZZ_SECONDS:-20} sanitize_address -L 'unit|isolation|fuzz'
phase "done"
