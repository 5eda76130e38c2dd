#!/usr/bin/env bash
# `edubench compare BEFORE AFTER --gates` on a reference before/after pair that other tests ran:
# the pair passes GATE (exit 0, a PASS line); BEFORE against itself, a planted regression where
# the lesson's lever did nothing, fails it (exit 8, a FAIL line naming it).
#   gates_pair.sh EDUBENCH REGISTRY GATE BEFORE_DIR AFTER_DIR
set -uo pipefail
edubench=$1 registry=$2 gate=$3 before=$4 after=$5
fail() { echo "FAIL: $*"; exit 1; }
out=$("$edubench" compare "$before" "$after" --gates --registry "$registry" 2>&1)
rc=$?
echo "$out" | grep "gate $gate"
[[ $rc == 0 ]] && grep -q "^PASS gate $gate: " <<<"$out" || { echo "$out"; fail "the reference pair: exit $rc, expected 0 and PASS gate $gate"; }
out=$("$edubench" compare "$before" "$before" --gates --registry "$registry" 2>&1)
rc=$?
[[ $rc == 8 ]] && grep -q "^FAIL gate $gate: " <<<"$out" || { echo "$out"; fail "before against itself: exit $rc, expected 8 and FAIL gate $gate"; }
echo "gate $gate: reference pair PASS, no-lever pair FAIL (exit 8)"
