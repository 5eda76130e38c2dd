#!/usr/bin/env bash
# The SDK as a student team gets it: edubench installed into a prefix (`cmake --install`), a
# plugin built out of tree with find_package(edubench) and edubench_add_sut, then run by the
# installed edubench, which finds its SUT worker and the reference plugins next to itself.
#   find_package.sh BUILD_DIR REPO_DIR WORKDIR
set -uo pipefail
build=$1 src=$2 work=$3
fail() { echo "FAIL: $*"; for f in "$work"/*.log; do echo "--- $f"; tail -20 "$f"; done; exit 1; }
rm -rf "$work"
mkdir -p "$work/project"
cmake --install "$build" --prefix "$work/prefix" >"$work/install.log" 2>&1 || fail "cmake --install"
cat >"$work/project/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.20)
project(team_sut C)
find_package(edubench 0.1 REQUIRED)
edubench_add_sut(team_echo SOURCES echo.c)
file(WRITE ${CMAKE_BINARY_DIR}/edubench_path.txt "${EDUBENCH_EXECUTABLE}")
CMAKE
cp "$src/plugins/echo_c/echo.c" "$work/project/"
cmake -S "$work/project" -B "$work/project/build" -DCMAKE_PREFIX_PATH="$work/prefix" >"$work/configure.log" 2>&1 ||
  fail "find_package(edubench) in an out-of-tree project"
cmake --build "$work/project/build" >"$work/build.log" 2>&1 || fail "building the plugin with edubench_add_sut"
so=$work/project/build/edubench_sut_team_echo.so
[[ -f $so ]] || fail "no $so"
exports=$(nm -D --defined-only "$so" | awk '$2 == "T" {print $3}')
[[ $exports == "edu_sut_entry" ]] || fail "exported functions are '$exports', expected edu_sut_entry only"
edubench=$(cat "$work/project/build/edubench_path.txt")
[[ $edubench == "$work/prefix/bin/edubench" ]] || fail "EDUBENCH_EXECUTABLE is '$edubench'"
"$edubench" run --workload echo --sut "$so" --scenario offline --isolation process \
  --registry "$src/tests/compliance/short_registry.yaml" --output "$work/run" --quiet >"$work/run.log" 2>&1 ||
  fail "the installed edubench cannot run the plugin in its installed worker"
"$edubench" run --workload echo --sut echo_c --scenario offline \
  --registry "$src/tests/compliance/short_registry.yaml" --output "$work/run_ref" --quiet >"$work/ref.log" 2>&1 ||
  fail "the installed edubench does not find its reference plugin echo_c"
echo PASS
