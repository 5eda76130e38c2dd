#!/usr/bin/env bash
# The SDK .deb a course installs with `apt install ./edubench-sdk_*.deb`: cpack builds it, its
# control fields and contents are what a student machine needs (dpkg-deb -I / -c), and a starter
# builds and passes its tests against an extracted copy (dpkg-deb -x), not the build tree.
#   deb.sh BUILD_DIR WORKDIR VERSION WORKLOAD LANG [REGISTRY]   (REGISTRY: the generated tests' EDUBENCH_REGISTRY)
set -uo pipefail
build=$1 work=$2 version=$3 workload=$4 lang=$5 registry=${6:-}
fail() { echo "FAIL: $*"; for f in "$work"/*.log; do echo "--- $f"; tail -30 "$f"; done; exit 1; }
rm -rf "$work" && mkdir -p "$work"
(cd "$build" && cpack -G DEB -B "$work" >"$work/cpack.log" 2>&1) || fail "cpack -G DEB"
deb=$work/edubench-sdk_${version}_amd64.deb
[[ -f $deb ]] || fail "no $(basename "$deb") (got: $(ls "$work"))"

dpkg-deb -I "$deb" >"$work/info.txt" || fail "dpkg-deb -I"
grep -q "^ Package: edubench-sdk$" "$work/info.txt" || fail "Package is not edubench-sdk"
grep -q "^ Architecture: amd64$" "$work/info.txt" || fail "Architecture is not amd64"
# The package names of Depends, without versions and alternatives' bars: one a line.
sed -n 's/^ Depends: //p' "$work/info.txt" | tr ',|' '\n\n' | sed 's/(.*)//; s/ //g' >"$work/depends.txt"
for dep in libtorch-dev libblas-dev libopenblas0-openmp python3 cmake g++ libyaml-cpp0.7 libseccomp2 \
           libboost-program-options1.74.0 libssl3 libsqlite3-0; do
  grep -qxF "$dep" "$work/depends.txt" || fail "Depends lacks $dep"
done

dpkg-deb -c "$deb" | awk '{print $6}' >"$work/contents.txt" || fail "dpkg-deb -c"
for f in ./usr/bin/edubench ./usr/bin/edubench-sut-worker ./usr/include/edubench/sut_api.h \
         ./usr/include/edubench/sut.hpp ./usr/include/edubench/model/layers.hpp ./usr/lib/libedubench_model.a \
         ./usr/lib/cmake/edubench/edubenchConfig.cmake ./usr/lib/cmake/edubench/edubenchModelTargets.cmake \
         ./usr/lib/cmake/edubench/EdubenchSut.cmake ./usr/lib/edubench/plugins/edubench_sut_echo_c.so \
         ./usr/share/edubench/workloads.yaml ./usr/share/edubench/models/textgen/model.safetensors \
         ./usr/share/edubench/data/textgen/kv_cache_prompts.jsonl ./usr/share/edubench/starters/project/.gitlab-ci.yml \
         ./usr/share/edubench/starters/project/.github/workflows/edubench.yml \
         ./usr/share/edubench/starters/kv_cache_cpp/src/sut.cpp ./usr/share/doc/edubench/labs/kv_cache.md \
         ./usr/share/doc/edubench/model-api.md; do
  grep -qxF "$f" "$work/contents.txt" || fail "the .deb lacks $f"
done
# Regenerated training splits never ship (no run reads them; 15 MB).
if grep -q "train.txt$" "$work/contents.txt"; then fail "the .deb ships a training split"; fi

dpkg-deb -x "$deb" "$work/root" || fail "dpkg-deb -x"
root=$work/root/usr
"$root/bin/edubench" new-sut t1 --workload "$workload" --lang "$lang" --dir "$work/t1" >"$work/new-sut.log" 2>&1 ||
  fail "new-sut from the extracted .deb"
cmake -S "$work/t1" -B "$work/t1/build" -DCMAKE_PREFIX_PATH="$root" -DEDUBENCH_REGISTRY="$registry" \
  >"$work/configure.log" 2>&1 || fail "configure"
grep -q "$work/root/usr/lib/cmake/edubench" "$work/t1/build/CMakeCache.txt" || fail "configured against another SDK"
cmake --build "$work/t1/build" -j 2 >"$work/build.log" 2>&1 || fail "build"
ctest --test-dir "$work/t1/build" --output-on-failure >"$work/ctest.log" 2>&1 || fail "ctest of the generated project"
echo PASS
