#!/usr/bin/env bash
# Memory over a long replay (issue 19: "10M exchanges (generated) run with flat memory"). Not part
# of `mvn verify`.
#
# nginx (one worker, stub_status for its request count) serves the JSON document of ITEMS products
# (6: about 0.6 KB). A recording of N GETs of it is generated (benchmarks/replay/generate.py) and
# replayed whole by `shadow replay --concurrency C` with -Xmx256m and a GC log. Every SAMPLE seconds
# the replay's resident set (VmRSS) and nginx's request count are read. Printed per tenth of the
# replay (by exchanges sent): the largest heap after a collection and the largest resident set in
# that tenth; then the whole command's time, its exit code and the summary's counts. Flat memory:
# the last tenths hold no more than the first ones.
#
# usage: benchmarks/replay/flat-memory.sh [N=10000000] [C=64]
#   ITEMS=6     products in the document (6: 0.6 KB, 20: 2 KB, 200: 20 KB)
#   REC=1       recording format version (2: bodies stored raw)
#   SAMPLE=5    seconds between two samples
#   SHADOW=...  the shadow launcher (default: this checkout's ./shadow)
#   KEEP=DIR    keep the GC log, the samples and the replay's output in DIR
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
N="${1:-10000000}"; C="${2:-64}"
ITEMS="${ITEMS:-6}"; REC="${REC:-1}"; SAMPLE="${SAMPLE:-5}"
SHADOW="${SHADOW:-$root/shadow}"
source "$root/benchmarks/lib/nginx-static.sh"
bench_install nginx curl
work="$(mktemp -d)"
cleanup() {
  nginx -p "$work" -c nginx.conf -s stop 2>/dev/null || true
  if [ -n "${KEEP:-}" ]; then
    mkdir -p "$KEEP" && cp -r "$work/gc.log" "$work/samples" "$work/replay.log" "$work/out" "$KEEP/" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
bench_static_site "$work" "$ITEMS"
port=$(bench_free_port)
bench_nginx "$work" "  server { listen 127.0.0.1:$port; root $work/www; location = /status { stub_status; } }"
for _ in $(seq 1 20); do curl -sf "http://127.0.0.1:$port/api/data.json" >/dev/null && break; sleep 0.3; done
echo "== generating $N exchanges of a $(wc -c < "$work/www/api/data.json")-byte document (recording version $REC)"
python3 "$root/benchmarks/replay/generate.py" "$work/rec.jsonl.gz" "$N" "$work/www/api/data.json" /api/data.json "$REC"
printf 'version: 1\ndefaults:\n  ignoreHeaders: [Server, ETag, Last-Modified, Accept-Ranges]\n' > "$work/rules.yaml"
before=$(bench_served "$port")
start=$(date +%s.%N)
SHADOW_JAVA_OPTS="-Xmx256m -Xlog:gc:file=$work/gc.log:uptime" "$SHADOW" replay --recording "$work/rec.jsonl.gz" \
  --candidate "http://127.0.0.1:$port" --concurrency "$C" --rules "$work/rules.yaml" --rejudge-budget 0 \
  --out "$work/out" > "$work/replay.log" 2>&1 &
launched=$!
pid=""
while kill -0 "$launched" 2>/dev/null; do # the launcher may build the CLI first
  pid=$(pgrep -f "shadow.jar replay --recording $work/rec.jsonl.gz" | head -1 || true)
  [ -n "$pid" ] && break
  sleep 0.1
done
[ -n "$pid" ] || { echo "the replay did not start" >&2; cat "$work/replay.log" >&2; exit 1; }
# the JVM's start, in seconds since boot (as /proc/uptime counts): its GC log counts from there
jvm_start=$(python3 -c "import os; f = open('/proc/$pid/stat').read(); print(int(f[f.rindex(')') + 2:].split()[19]) / os.sysconf('SC_CLK_TCK'))")
: > "$work/samples"
while kill -0 "$pid" 2>/dev/null; do
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
  [ -z "$rss" ] || echo "$(awk '{print $1}' /proc/uptime) $(( $(bench_served "$port") - before )) $rss" >> "$work/samples"
  sleep "$SAMPLE"
done
code=0; wait "$launched" || code=$?
end=$(date +%s.%N)
tail -3 "$work/replay.log" | sed 's/^/   /'
python3 - "$work/gc.log" "$work/samples" "$work/out/summary.json" "$N" "$start" "$end" "$code" "$jvm_start" <<'PY'
import json, re, sys
gc_log, samples_file, summary_file, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
start, end, code, jvm_start = float(sys.argv[5]), float(sys.argv[6]), int(sys.argv[7]), float(sys.argv[8])
# heap after each collection, by JVM uptime: "[12.345s][info][gc] GC(7) ... 120M->18M(256M) ..."
# (G1, Serial, Parallel) or "... 120M(47%)->18M(7%)" (ZGC)
gcs = []
for line in open(gc_log):
    m = re.match(r"\[(\d+\.\d+)s\].*?(\d+)M(?:\(\d+%\))?->(\d+)M", line)
    if m:
        gcs.append((float(m.group(1)), int(m.group(3))))
samples = [tuple(float(x) for x in l.split()) for l in open(samples_file) if len(l.split()) == 3]
if not samples:
    sys.exit("no samples: the replay ended before the first one")
# the samples say when (machine uptime) how many exchanges had been served, and the RSS; each
# collection goes to the tenth of the first sample taken after it (JVM uptime + the JVM's start)
tenths = [{"heap": 0, "rss": 0, "gcs": 0} for _ in range(10)]
def tenth_at(served):
    return min(9, int(10 * served / n))
for t, served, rss in samples:
    k = tenth_at(served)
    tenths[k]["rss"] = max(tenths[k]["rss"], int(rss / 1024))
for up, after in gcs:
    at = jvm_start + up
    served = samples[-1][1]
    for t, s, _ in samples:
        if t >= at:
            served = s
            break
    k = tenth_at(served)
    tenths[k]["heap"] = max(tenths[k]["heap"], after)
    tenths[k]["gcs"] += 1
print("   tenth of the exchanges   heap after GC, max (MB)   collections   resident set, max (MB)")
for k, t in enumerate(tenths):
    print("   %2d                       %5s                     %6d        %5s" % (
        k + 1, t["heap"] or "-", t["gcs"], t["rss"] or "-"))
try:
    s = json.load(open(summary_file))
    counts = "%d exchanges, %d compared, %d matched, %d errors" % (
        s["exchanges"], s["compared"], s["matched"], s["errors"])
except (OSError, ValueError, KeyError) as e:
    counts = "no summary (%s)" % e
early = max([t["heap"] for t in tenths[1:3]] or [0])
late = max([t["heap"] for t in tenths[7:10]] or [0])
print("RESULT %d exchanges requested: %s; exit %d; %.0f s (%.0f exchanges/s, whole command)" % (
    n, counts, code, end - start, n / (end - start)))
print("RESULT heap after GC, max: tenths 2-3 %d MB, tenths 8-10 %d MB; resident set, max: %d MB (limit -Xmx256m)" % (
    early, late, max(t["rss"] for t in tenths)))
PY
