#!/usr/bin/env bash
# Soak (issue 17, item 5): the reference plugins through every scenario, in process and isolated,
# for as long as asked, watching what must stay flat: the harness's and the worker's RSS and open
# descriptors within a long run, and across many short runs the processes, /dev/shm segments and
# /tmp entries left behind and each run's peak RSS. By hand (hours); docs/soak.md has figures.
#
# Usage: bench/soak.sh [BUILD_DIR] [LONG_S] [CYCLES]
#   LONG_S  length of each long Server run (default 600): one per reference plugin and isolation
#   CYCLES  rounds of short runs (default 20): every plugin x scenario x isolation once a round
#   SOAK_OUT=DIR keeps the samples (CSV) and the run directories' results there;
#   SOAK_PAIRS="workload:plugin ..." soaks those pairs only.
# Exit 0 when everything stayed flat and every run ended as expected, 1 otherwise (the lines
# that say why start with "FAIL"). Run it alone: a file another job leaves in /tmp during a
# cycle counts against the cycle (keep SOAK_OUT and the output outside /tmp, or in SOAK_OUT).
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
LONG_S=${2:-600}
CYCLES=${3:-20}
EB="$BUILD/bin/edubench"
[ -x "$EB" ] || { echo "bench/soak.sh: $EB not found (build first: scripts/build.sh)" >&2; exit 2; }
OUT=${SOAK_OUT:-$(mktemp -d /tmp/edubench-soak.XXXXXX)}
mkdir -p "$OUT"
FAILED=0
fail() { echo "FAIL: $*"; FAILED=1; }

# workload:plugin pairs, one per reference plugin (SOAK_PAIRS="echo:echo_c ..." to choose)
PAIRS=(echo:echo_c kv_cache:kv_cache speculative_decode:speculative_decode react_agent:react_agent
       codegen_agent:codegen_agent)
[ -n "${SOAK_PAIRS:-}" ] && read -r -a PAIRS <<<"$SOAK_PAIRS"

# What a run can leave behind on the machine: worker and sandbox processes, shared-memory
# segments, temporary files of the harness or a sandbox.
leftovers() {
  local procs shm tmp
  procs=$(pgrep -c -f 'edubench|python3' || true)
  shm=$(find /dev/shm -maxdepth 1 -mindepth 1 2>/dev/null | wc -l)
  tmp=$(find /tmp -maxdepth 1 -mindepth 1 -newer "$OUT/.cycle" ! -path "$OUT" 2>/dev/null | wc -l)
  echo "$procs $shm $tmp"
}

kb_of() { awk -v k="$2" '$1 == k":" {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
fds_of() { find "/proc/$1/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }

# long_run WORKLOAD PLUGIN ISOLATION: one Server run of LONG_S seconds, sampled every 5 s.
long_run() {
  local w=$1 p=$2 iso=$3 d="$OUT/long-$1-$3" csv="$OUT/long-$1-$3.csv"
  rm -rf "$d"
  "$EB" run --workload "$w" --sut "$p" --scenario server --isolation "$iso" --quiet --output "$d" \
    --set min_duration_s="$LONG_S" --set min_query_count=1 --set run_timeout_s=$((LONG_S * 3 + 600)) \
    >"$OUT/long-$w-$iso.log" 2>&1 &
  local pid=$! t0=$SECONDS
  echo "t_s,harness_rss_kb,harness_fds,harness_threads,worker_rss_kb,worker_fds" >"$csv"
  while kill -0 "$pid" 2>/dev/null; do
    local wpid
    wpid=$(pgrep -P "$pid" -f edubench-sut-worker | head -n 1)
    echo "$((SECONDS - t0)),$(kb_of "$pid" VmRSS),$(fds_of "$pid"),$(kb_of "$pid" Threads),$( [ -n "$wpid" ] && kb_of "$wpid" VmRSS || echo 0),$( [ -n "$wpid" ] && fds_of "$wpid" || echo 0)" >>"$csv"
    sleep 5
  done
  wait "$pid"
  local rc=$?
  # RSS at a quarter, half and the end of the run: a run's first minutes grow by design (the
  # first 100,000 queries kept for trace.json; each 4 MiB shared-memory ring's pages as they are
  # first written), then a leak-free run is flat. Descriptors: fewest -> most.
  python3 - "$csv" "$w" "$iso" "$rc" <<'PY'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if int(r["harness_rss_kb"] or 0) > 0]
w, iso, rc = sys.argv[2], sys.argv[3], int(sys.argv[4])
if len(rows) < 8:
    print(f"| {w} | {iso} | rc {rc} | too few samples ({len(rows)}) | | | |"); sys.exit()
n = len(rows)
out = [w, iso, f"rc {rc}, {rows[-1]['t_s']} s"]
for rss, fds in (("harness_rss_kb", "harness_fds"), ("worker_rss_kb", "worker_fds")):
    rs = [r for r in rows if int(r[rss] or 0) > 0] or rows  # the worker's samples once it runs
    m = len(rs)
    out.append(" / ".join(f"{int(rs[k][rss]) / 1024:.1f}" for k in (m // 4, m // 2, m - 1)) + " MB")
    v = [int(r[fds]) for r in rs]
    out.append(f"{min(v)} -> {max(v)}")
print("| " + " | ".join(out) + " |")
PY
}

# short_run WORKLOAD PLUGIN SCENARIO ISOLATION: a few queries; prints "peak_kb rc".
short_run() {
  local w=$1 p=$2 sc=$3 iso=$4 d="$OUT/short"
  rm -rf "$d"
  local sets=(--set min_duration_s=0 --set min_query_count=4 --set max_query_count=8)
  [ "$sc" = offline ] && sets=(--set min_duration_s=0 --set min_query_count=4 --set target_qps=0.001)
  [ "$w" = echo ] && sets=(--set min_duration_s=0.2 --set min_query_count=256)
  /usr/bin/time -f "%M" -o "$OUT/time" "$EB" run --workload "$w" --sut "$p" --scenario "$sc" \
    --isolation "$iso" --quiet --output "$d" "${sets[@]}" >"$OUT/short.log" 2>&1
  local rc=$?
  echo "$(tail -n 1 "$OUT/time") $rc"
}

echo "soak: build $BUILD, long runs of $LONG_S s, $CYCLES cycles; samples in $OUT"
echo "machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) vCPUs; $(date -u '+%F %H:%M') UTC"
read -r p0 s0 t0 < <(leftovers)
echo "before: $p0 processes, $s0 /dev/shm entries"
echo
echo "## Long Server runs: RSS at a quarter / half / end of the run; descriptors fewest -> most"
echo
echo "| workload | isolation | end | harness RSS | harness fds | worker RSS | worker fds |"
echo "| --- | --- | --- | --- | --- | --- | --- |"
for pair in "${PAIRS[@]}"; do
  for iso in none process; do
    line=$(long_run "${pair%%:*}" "${pair##*:}" "$iso")
    echo "$line"
    # A run may be INVALID on a busy machine (exit 1); anything else is a failure here.
    case "$line" in *"rc 0,"*|*"rc 1,"*) ;; *) fail "long run ${pair%%:*} $iso: $line (log: $OUT/long-${pair%%:*}-$iso.log)";; esac
  done
done
echo
echo "## Short runs: every plugin x scenario x isolation a cycle"
echo
echo "| cycle | runs | failed | max peak RSS (MB), in process | max peak RSS (MB), isolated | processes left | /dev/shm entries | new /tmp entries |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
first_row=""
for ((c = 1; c <= CYCLES; c++)); do
  touch "$OUT/.cycle"  # what appears in /tmp from here on and stays is this cycle's
  runs=0 bad=0 peak_none=0 peak_proc=0
  for pair in "${PAIRS[@]}"; do
    for sc in single_stream offline server; do
      for iso in none process; do
        read -r kb rc < <(short_run "${pair%%:*}" "${pair##*:}" "$sc" "$iso")
        runs=$((runs + 1))
        if [ "$rc" -gt 1 ]; then
          bad=$((bad + 1))
          fail "cycle $c: ${pair%%:*} $sc $iso exit $rc: $(tail -n 1 "$OUT/short.log")"
        fi
        if [ "$iso" = none ]; then ((kb > peak_none)) && peak_none=$kb; else ((kb > peak_proc)) && peak_proc=$kb; fi
      done
    done
  done
  read -r p s t < <(leftovers)
  row="$((peak_none / 1024)) | $((peak_proc / 1024)) | $((p - p0)) | $((s - s0)) | $t"
  echo "| $c | $runs | $bad | $row |"
  [ -z "$first_row" ] && first_row=$row
  ((p > p0)) && fail "cycle $c: $((p - p0)) processes left behind: $(pgrep -a -f 'edubench|python3' | head -n 3 | tr '\n' ';')"
  ((s > s0)) && fail "cycle $c: $((s - s0)) /dev/shm entries left behind"
  ((t > 0)) && fail "cycle $c: $t new /tmp entries: $(find /tmp -maxdepth 1 -mindepth 1 -newer "$OUT/.cycle" ! -path "$OUT" | head -n 3 | tr '\n' ' ')"
done
echo
echo "first cycle: $first_row; last: $row (peak RSS in process | isolated | processes | shm | tmp)"
echo "ended $(date -u '+%F %H:%M') UTC"
exit $FAILED
