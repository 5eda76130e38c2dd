#!/usr/bin/env bash
# A class with every attack plugin and one honest team, graded in one `edubench grade` process:
# the batch must reach its end, the honest team must pass, and each hostile team's row must
# name what it did. Attacks that were refused (writes, reads, signals) leave an honest plugin:
# their rows pass, and their stderr shows the refusal.
#   grade_attacks.sh EDUBENCH REGISTRY WORKDIR HONEST_SO ATTACK_SO...
set -uo pipefail
edubench=$1 registry=$2 work=$3 honest=$4
shift 4
rm -rf "$work"
class=$work/class
mkdir -p "$class/honest"
cp "$honest" "$class/honest/"
for so in "$@"; do
  team=$(basename "$so" .so)
  team=${team#edubench_sut_attack_}
  mkdir -p "$class/$team"
  cp "$so" "$class/$team/"
done
# query_timeout_s=6: the memory attack touches 768 MiB first, which takes seconds on a VM with slow
# page faults; the loop attack is still stopped by it.
timeout 600 "$edubench" grade "$class" --registry "$registry" --scenario single_stream \
  --set query_timeout_s=6 --sut-memory-mb 768 --output "$work/grades" >"$work/out" 2>"$work/err"
rc=$?
cat "$work/out"
[[ $rc == 0 ]] || { cat "$work/err"; echo "FAIL: grade exited $rc"; exit 1; }
python3 - "$work/grades/gradebook.sqlite" "$work/grades" <<'PY'
import re, sqlite3, sys, glob
db = sqlite3.connect(sys.argv[1])
db.row_factory = sqlite3.Row
rows = {r["team"]: r for r in db.execute("SELECT * FROM grades WHERE scenario = 'single_stream'")}
expect = {
    "honest": ("PASS", r""),
    "segfault": ("FAIL", r"SIGSEGV"),
    "abort": ("FAIL", r"SIGABRT"),
    "loop_in_issue": ("FAIL", r"did not complete within query_timeout_s"),
    "memory": ("FAIL", r"SIGSEGV|out of memory"),
    "fork_bomb": ("FAIL", r"forbidden system call clone"),
    "socket": ("FAIL", r"forbidden system call socket"),
    "ring_garbage": ("FAIL", r"broke the channel protocol"),
    "exit_mid_run": ("FAIL", r"exited with status 3"),
    "write_outside": ("PASS", r""),
    "read_secret": ("PASS", r""),
    "kill_harness": ("PASS", r""),
}
bad = []
for team, (verdict, why) in expect.items():
    r = rows.get(team)
    if r is None:
        bad.append(f"{team}: no row")
        continue
    text = " ".join(str(r[k] or "") for k in ("detail", "failed_rules"))
    if r["verdict"] != verdict or (why and not re.search(why, text)):
        bad.append(f"{team}: {r['verdict']} {text!r}, expected {verdict} /{why}/")
# The refused attacks were really refused: the plugin's own stderr says so. Each needs a
# Landlock layer; on a kernel without it the run says so and that check is skipped.
refused = {"write_outside": ("Permission denied", "^landlock ABI"),
           "read_secret": ("Permission denied", "^landlock ABI"),
           "kill_harness": ("Operation not permitted", "no signals to")}
import json
honest = glob.glob(f"{sys.argv[2]}/runs/honest/echo/single_stream/*/result.json")
layers = json.load(open(honest[0]))["sut"]["containment"] if honest else []
for team, (msg, layer) in refused.items():
    if not any(re.search(layer, l) for l in layers):
        print(f"skipped {team}: no containment line matches /{layer}/ on this kernel")
        continue
    logs = glob.glob(f"{sys.argv[2]}/runs/{team}/echo/single_stream/*/sut_stderr.log")
    if not logs or not any(msg in open(p).read() for p in logs):
        bad.append(f"{team}: no '{msg}' in its sut_stderr.log ({logs})")
if bad:
    sys.exit("FAIL:\n  " + "\n  ".join(bad))
print("PASS: every attack graded, named and contained")
PY
