#!/usr/bin/env bash
# Load benchmark for `shadow replay` (issue: replay runner). Not part of `mvn verify`.
#
#  1. nginx on 127.0.0.1 serves a static 2 KB JSON file;
#  2. wrk hits it with C connections for D seconds: the reference req/s;
#  3. `shadow replay` replays a recording of the same request (recorded response = that file, so
#     every exchange is really diffed and written to results.jsonl.gz) with the same concurrency,
#     as fast as possible: its req/s and the ratio to wrk;
#  4. a 1M-exchange recording is replayed with -Xmx256m; peak heap from the GC log.
#
# usage: benchmarks/replay/replay-vs-wrk.sh [CONNECTIONS=16] [SECONDS=10] [MILLION=1000000]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
C="${1:-16}"; D="${2:-10}"; M="${3:-1000000}"
source "$root/benchmarks/lib/nginx-static.sh"
bench_install wrk nginx

work="$(mktemp -d)"
trap 'nginx -p "$work" -c nginx.conf -s stop 2>/dev/null || true; rm -rf "$work"' EXIT
bench_static_site "$work"
port=$(bench_free_port)
bench_nginx "$work" "  server { listen 127.0.0.1:$port; root $work/www; }"
url="http://127.0.0.1:$port"
for _ in 1 2 3 4 5 6 7 8 9 10; do curl -sf "$url/api/data.json" >/dev/null && break; sleep 0.3; done
curl -sf "$url/api/data.json" >/dev/null || { echo "nginx did not serve $url/api/data.json; see $work/logs/error.log" >&2; cat "$work/logs/error.log" >&2; exit 1; }

echo "== machine: $(nproc) cores, $(java -version 2>&1 | head -1), $(wrk --version 2>&1 | head -1), nginx $(nginx -v 2>&1 | sed 's/.*\///')"
echo "== wrk: $C connections, ${D}s, 2 threads"
wrk_out=$(wrk -t2 -c"$C" -d"${D}s" "$url/api/data.json?i=1")
echo "$wrk_out" | sed 's/^/   /'
wrk_rps=$(echo "$wrk_out" | awk '/Requests\/sec/ {print $2}')

# a recording long enough to keep the replayer busy for about D seconds at the wrk rate
n=$(python3 -c "print(int(float('$wrk_rps') * $D))")
python3 "$root/benchmarks/replay/generate.py" "$work/rec.jsonl.gz" "$n" "$work/www/api/data.json" /api/data.json
"$root/shadow" --version >/dev/null  # build once, outside the timing
# nginx adds validators that a recording would hold too; the benchmark diffs bodies and the rest
printf 'version: 1\ndefaults:\n  ignoreHeaders: [Server, ETag, Last-Modified, Accept-Ranges]\n' > "$work/rules.yaml"
echo "== shadow replay: $n exchanges, --concurrency $C, diffing on"
start=$(date +%s.%N)
"$root/shadow" replay --recording "$work/rec.jsonl.gz" --candidate "$url" --concurrency "$C" --rules "$work/rules.yaml" --out "$work/run" > "$work/replay.txt" || true
end=$(date +%s.%N)
sed 's/^/   /' "$work/replay.txt" | head -4
shadow_rps=$(python3 -c "print(round($n / ($end - $start), 1))")
python3 - "$work/run/summary.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
print("   compared %d, matched %d, errors %d" % (s["compared"], s["matched"], s["errors"]))
PY
ratio=$(python3 -c "print(round(100 * $shadow_rps / float('$wrk_rps'), 1))")
echo "RESULT wrk ${wrk_rps} req/s, shadow replay ${shadow_rps} req/s (JVM start included), ratio ${ratio}%"

echo "== 1M exchanges with -Xmx256m"
python3 "$root/benchmarks/replay/generate.py" "$work/million.jsonl.gz" "$M" "$work/www/api/data.json" /api/data.json
start=$(date +%s.%N)
SHADOW_JAVA_OPTS="-Xmx256m -Xlog:gc:file=$work/gc.log" /usr/bin/time -v "$root/shadow" replay --recording "$work/million.jsonl.gz" \
  --candidate "$url" --concurrency "$C" --rules "$work/rules.yaml" --out "$work/million" > "$work/million.txt" 2> "$work/time.txt" || true
end=$(date +%s.%N)
tail -2 "$work/million.txt" | sed 's/^/   /'
peak=$(grep -oE '[0-9]+M->' "$work/gc.log" | tr -d 'M>-' | sort -n | tail -1)
rss=$(awk -F: '/Maximum resident/ {gsub(/ /,"",$2); print int($2/1024)}' "$work/time.txt")
python3 - "$work/million/summary.json" "$M" "$start" "$end" "$peak" "$rss" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
m, start, end, peak, rss = int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), sys.argv[5], sys.argv[6]
print("RESULT 1M: %d exchanges, %d compared, %d errors, %.0f s (%.0f/s), peak heap before GC %s MB (limit 256), max RSS %s MB"
      % (s["exchanges"], s["compared"], s["errors"], end - start, s["exchanges"] / (end - start), peak, rss))
PY
