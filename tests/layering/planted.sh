#!/usr/bin/env bash
# planted.sh PYTHON SOURCE_ROOT WORK: copies the parts to WORK, plants one violation at a time and
# requires tools/check_layers.py to exit 1 naming it; the untouched copy must pass.
set -euo pipefail
py=$1 root=$2 work=$3
parts=$(sed -n 's/^\([a-z_]*\):.*/\1/p' "$root/cmake/layers.txt")
fresh() {
  rm -rf "$work" && mkdir -p "$work"
  cp -r "$root/cmake" "$root/tools" "$work/"
  for p in $parts; do [[ -d $work/$p ]] || cp -r "$root/$p" "$work/"; done
}
fails=0
# plant NAME FILE TEXT REGEX: TEXT appended to FILE must make the check fail with REGEX.
plant() {
  local name=$1 file=$2 text=$3 regex=$4 out rc
  fresh
  printf '%s\n' "$text" >> "$work/$file"
  set +e
  out=$("$py" "$work/tools/check_layers.py" "$work" 2>&1)
  rc=$?
  set -e
  if [[ $rc -ne 1 ]] || ! grep -qE -- "$regex" <<<"$out"; then
    echo "FAIL $name: expected exit 1 and /$regex/, got exit $rc:"; echo "$out"; fails=$((fails + 1))
  else
    echo "ok   $name: $(grep -E -- "$regex" <<<"$out" | head -1)"
  fi
}
fresh
"$py" "$work/tools/check_layers.py" "$work" >/dev/null || { echo "FAIL: the untouched copy does not pass"; exit 1; }
plant checker_includes_harness compliance/src/check_run.cpp '#include <edubench/harness/run.hpp>' \
  'compliance/src/check_run.cpp:[0-9]+: compliance may not use harness'
plant checker_reaches_into_harness_src compliance/src/check_run.cpp '#include "../../harness/src/loadgen.hpp"' \
  'compliance may not use harness \(#include "../../harness/src/loadgen.hpp"'
plant harness_includes_torch harness/src/run.cpp '#include <torch/torch.h>' 'harness may not use torch'
plant plugin_includes_registry plugins/kv_cache/kv_cache_sut.cpp '#include <edubench/registry/registry.hpp>' \
  'plugins may not use registry'
plant plugin_links_harness plugins/echo_c/CMakeLists.txt 'edubench_add_sut(planted SOURCES echo.c LIBRARIES edubench_harness)' \
  'plugins may not use harness \(planted links edubench_harness\)'
plant checker_links_harness compliance/CMakeLists.txt 'target_link_libraries(edubench_compliance PRIVATE edubench_harness)' \
  'compliance may not use harness'
plant worker_links_session session/CMakeLists.txt 'target_link_libraries(edubench-sut-worker PRIVATE edubench_session)' \
  'edubench-sut-worker may not link edubench_session'
plant runlog_links_compliance runlog/CMakeLists.txt 'target_link_libraries(edubench_runlog PRIVATE edubench::compliance)' \
  'runlog may not use compliance'
rm -rf "$work"
[[ $fails -eq 0 ]] || { echo "$fails planted violation(s) not caught"; exit 1; }
echo "every planted violation caught"
