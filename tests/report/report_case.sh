#!/usr/bin/env bash
# report_case.sh EDUBENCH REGISTRY WORK FIXED_RATE_SO: three echo runs of different plugins and a
# peak search, then `edubench report` over them and `edubench compare`. The page must hold a chart
# with points for every section that has data, and each chart's data must come from these runs.
# With Chromium (REQUIRE_CHROMIUM=1 makes its absence a failure; else exit 77): the page is
# rendered as a person sees it (WORK/report.png, kept) and the DOM Chromium built is checked too.
set -uo pipefail
edubench=$1 registry=$2 work=$3 fixed=$4
rm -rf "$work" && mkdir -p "$work"
fail() { echo "FAIL: $*"; exit 1; }
run() { "$edubench" run --registry "$registry" --quiet "$@" || fail "run $* exited $?"; }
run --workload echo --sut echo_c --scenario server --set min_duration_s=0.2 --set min_query_count=500 --set warmup_query_count=200 \
  --set target_qps=2500 --set latency_bound_ms=200 --output "$work/echo"
run --workload echo --sut "$fixed" --scenario server --set min_duration_s=0.5 --set min_query_count=100 \
  --set target_qps=100 --set latency_percentile=0.9 --set latency_bound_ms=200 --output "$work/fixed"
"$edubench" run --registry "$registry" --workload echo --sut "$fixed" --scenario server --find-peak --quiet \
  --set min_duration_s=0.5 --set min_query_count=100 --set latency_percentile=0.9 --set latency_bound_ms=100 \
  --peak-start-qps 100 --peak-tolerance 0.25 --peak-max-probes 6 --output "$work/peak" || fail "find-peak exited $?"

"$edubench" report "$work/echo" "$work/fixed" "$work/peak" -o "$work/report.html" >"$work/out" || fail "report exited $?"
grep -q "report: $work/report.html (3 runs)" "$work/out" || fail "no report line: $(cat "$work/out")"
"$edubench" compare "$work/echo" "$work/fixed" >"$work/compare.txt" || fail "compare exited $?"
grep -qE "^latency p99, ms +[0-9.]+ +[0-9.]+ +[0-9.]+x$" "$work/compare.txt" || { cat "$work/compare.txt"; fail "compare: no latency row"; }

check_page() {  # FILE: every chart of the page has points, and the sections that must be there are
  python3 - "$1" <<'PY'
import re, sys
page = open(sys.argv[1], encoding="utf-8").read()
charts = re.findall(r'<svg class="chart"[^>]*data-series="(\d+)" data-points="(\d+)"[^>]*>(.*?)</svg>', page, re.S)
titles = [re.search(r'<text class="title"[^>]*>(.*?)</text>', body).group(1) for _, _, body in charts]
need = ["Latency CDF", "Latency over the run", "Throughput over the run", "SUT memory over the run", "vs offered load"]
missing = [n for n in need if not any(n in t for t in titles)]
if missing: sys.exit("FAIL: charts missing: %s (have %s)" % (missing, titles))
for (series, points, body), title in zip(charts, titles):
    drawn = len(re.findall(r'class="series"', body)) + len(re.findall(r'class="dot"', body))
    if int(points) == 0 or drawn == 0: sys.exit("FAIL: chart '%s' drew nothing (points %s)" % (title, points))
if "warm-up ends" not in page: sys.exit("FAIL: the warm-up of the echo run is not marked")
if "peak " not in page or "<script" in page or "http://" in page.replace('xmlns="http://www.w3.org/2000/svg"', ""):
    sys.exit("FAIL: no peak marker, or the page fetches or runs something")
print("%d charts, each drawn: %s" % (len(charts), ", ".join(titles)))
PY
}
check_page "$work/report.html" || exit 1

chromium=$(command -v chromium || command -v chromium-browser || true)
if [[ -z $chromium ]]; then
  [[ ${REQUIRE_CHROMIUM:-0} == 1 ]] && fail "chromium is not installed"
  echo "SKIP: no chromium (scripts/install_deps.sh installs it)"; exit 77
fi
flags=(--headless=new --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$work/chromium-profile")
timeout 120 "$chromium" "${flags[@]}" --window-size=1240,2600 --screenshot="$work/report.png" \
  "file://$work/report.html" >"$work/chromium.log" 2>&1 || fail "chromium --screenshot exited $?: $(tail -3 "$work/chromium.log")"
timeout 120 "$chromium" "${flags[@]}" --dump-dom "file://$work/report.html" >"$work/dom.html" 2>>"$work/chromium.log" ||
  fail "chromium --dump-dom exited $?"
check_page "$work/dom.html" || exit 1
python3 - "$work/report.png" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
if data[:8] != b"\x89PNG\r\n\x1a\n": sys.exit("FAIL: report.png is not a PNG")
w, h = struct.unpack(">II", data[16:24])
# The charts were painted: decode the rows and count pixels in the runs' series colours.
idat, pos = b"", 8
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    if kind == b"IDAT": idat += data[pos + 8:pos + 8 + n]
    pos += 12 + n
raw = zlib.decompress(idat)
colour_type = data[25]
bpp = {2: 3, 6: 4}.get(colour_type)
if bpp is None: sys.exit("FAIL: unexpected PNG colour type %d" % colour_type)
stride, prev, inked = w * bpp, bytearray(w * bpp), [0, 0]
series = [(0x1f, 0x77, 0xb4), (0xd6, 0x27, 0x28)]
for y in range(h):
    f, row = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
    for i in range(stride):
        a = row[i - bpp] if i >= bpp else 0
        b, c = prev[i], prev[i - bpp] if i >= bpp else 0
        if f == 1: row[i] = (row[i] + a) & 255
        elif f == 2: row[i] = (row[i] + b) & 255
        elif f == 3: row[i] = (row[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            row[i] = (row[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    for x in range(0, stride, bpp):
        px = row[x:x + 3]
        for k, colour in enumerate(series):  # the first two runs' colours (report/src/svg_chart.cpp)
            if all(abs(px[i] - colour[i]) < 40 for i in range(3)): inked[k] += 1
    prev = row
print("report.png %dx%d: %d pixels in the first run's colour, %d in the second's" % (w, h, inked[0], inked[1]))
if min(inked) < 150: sys.exit("FAIL: the charts' lines are not in the screenshot")
PY
