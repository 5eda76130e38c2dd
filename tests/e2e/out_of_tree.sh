#!/usr/bin/env bash
# Compiles the plain-C echo plugin outside the build tree, against sut_api.h alone, with the
# strictest flags, then runs it through every scenario in both modes: each must be VALID.
set -euo pipefail
edubench=$1 src=$2 out=$3
rm -rf "$out" && mkdir -p "$out"
cc -std=c99 -pedantic -Wall -Wextra -Werror -O2 -shared -fPIC -fvisibility=hidden \
   -I"$src/sut_api/include" "$src/plugins/echo_c/echo.c" -o "$out/my_echo.so"
# Exactly one exported symbol.
exports=$(nm -D --defined-only "$out/my_echo.so" | awk '$2 == "T" {print $3}')
[[ $exports == "edu_sut_entry" ]] || { echo "FAIL: exports: $exports"; exit 1; }
for scenario in single_stream offline server; do
  for mode in performance accuracy; do
    "$edubench" run --workload echo --sut "$out/my_echo.so" --scenario "$scenario" --mode "$mode" \
      --registry "$src/workloads.yaml" --output "$out/$scenario-$mode" --quiet \
      --set min_duration_s="$([[ $scenario == offline ]] && echo 0 || echo 0.2)" \
      --set min_query_count="$([[ $scenario == server ]] && echo 500 || echo 64)" \
      || { echo "FAIL: $scenario $mode exited $?"; exit 1; }
    echo "ok: $scenario $mode"
  done
done
