#!/usr/bin/env bash
# What `Done when` asks of every starter: from an installed SDK prefix, `edubench new-sut t1
# --workload W`, then cmake configure, build and ctest of t1 (validate + the accuracy gate) pass.
# With --ci, also ci/test.sh (the CI files' commands: the tests, a submission, `edubench check`);
# with --registry FILE, the generated tests run against FILE (the project's EDUBENCH_REGISTRY).
#   build_starter.sh PREFIX WORKDIR WORKLOAD LANG [--ci] [--registry FILE]
set -uo pipefail
prefix=$1 work=$2 workload=$3 lang=$4 ci= registry=
shift 4
while (($#)); do
  case $1 in
    --ci) ci=--ci ;;
    --registry) registry=$2; shift ;;
    *) echo "build_starter.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
fail() { echo "FAIL: $*"; for f in "$work"/*.log; do echo "--- $f"; tail -30 "$f"; done; exit 1; }
rm -rf "$work" && mkdir -p "$work"
"$prefix/bin/edubench" new-sut t1 --workload "$workload" --lang "$lang" --dir "$work/t1" >"$work/new-sut.log" 2>&1 ||
  fail "new-sut from the installed prefix"
cmake -S "$work/t1" -B "$work/t1/build" -DCMAKE_PREFIX_PATH="$prefix" -DEDUBENCH_REGISTRY="$registry" \
  >"$work/configure.log" 2>&1 || fail "configure"
cmake --build "$work/t1/build" -j 2 >"$work/build.log" 2>&1 || fail "build"
exports=$(nm -D --defined-only "$work/t1/build/edubench_sut_t1.so" | awk '$2 == "T" {print $3}')
[[ $exports == "edu_sut_entry" ]] || fail "the plugin exports '$exports', expected edu_sut_entry only"
ctest --test-dir "$work/t1/build" --output-on-failure >"$work/ctest.log" 2>&1 || fail "ctest of the generated project"
grep -q "100% tests passed, 0 tests failed out of 3" "$work/ctest.log" || fail "ctest did not run the 3 tests"
if [[ $ci == --ci ]]; then
  EDUBENCH="$prefix/bin/edubench" CMAKE_PREFIX_PATH="$prefix" sh "$work/t1/ci/test.sh" >"$work/ci.log" 2>&1 ||
    fail "ci/test.sh (build, tests, submission, check)"
fi
echo PASS
