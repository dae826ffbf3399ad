#!/usr/bin/env bash
# GC pauses of `shadow record` when many connections arrive (issue 18, "GC pauses under 5 ms"). Not
# part of `mvn verify`.
#
# One upstream (nginx serving the static 2 KB JSON document, one worker); a recorder in front of
# it, warmed up with wrk -t1 -c16 for $WARMUP s; then wrk -t1 -c$CONNECTIONS for $SECONDS s. Prints
# that run's req/s and the recorder's GC pauses that ended during it (count, max, total, from
# -Xlog:gc), then every pause of the last 14 with the heap before -> after, to tell a pause at
# the onset of the connections from pauses all through the run.
#
# usage: benchmarks/recorder/gc-at-connections.sh [CONNECTIONS=256] [SECONDS=10]
#   SHADOW=...   the shadow launcher (default: this checkout's ./shadow), e.g. another build's
#   WARMUP=20    seconds of wrk -c16 before the measured run
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
C="${1:-256}"; D="${2:-10}"; WARMUP="${WARMUP:-20}"; SHADOW="${SHADOW:-$root/shadow}"
source "$root/benchmarks/lib/nginx-static.sh"
bench_install wrk nginx
bench_workdir
bench_static_site "$work"
up=$(bench_free_port); port=$(bench_free_port)
bench_nginx "$work" "  server { listen 127.0.0.1:$up; root $work/www; }"
"$SHADOW" --version >/dev/null  # build once, outside the measurement
SHADOW_JAVA_OPTS="-Xlog:gc:file=$work/gc.log:uptime ${SHADOW_JAVA_OPTS:-}" "$SHADOW" record \
  --listen "127.0.0.1:$port" --upstream "http://127.0.0.1:$up" --out "$work/c.jsonl.gz" --stats-every 0 > "$work/rec.txt" 2>&1 &
rec_pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/api/data.json" >/dev/null 2>&1 && break; sleep 0.2; done
jpid=$(pgrep -f "127.0.0.1:$port" | tail -1)
wrk -t1 -c16 -d"${WARMUP}s" "http://127.0.0.1:$port/api/data.json" > /dev/null
since=$(ps -o etimes= -p "$jpid")   # the JVM's uptime, in the GC log's clock
rps=$(wrk -t1 -c"$C" -d"${D}s" "http://127.0.0.1:$port/api/data.json" | awk '/Requests\/sec/ {print $2}')
python3 - "$work/gc.log" "$since" "$rps" "$C" <<'PY'
import re, sys
log, since, rps, c = sys.argv[1], float(sys.argv[2]) - 0.5, sys.argv[3], sys.argv[4]
pauses = []
for line in open(log):
    m = re.match(r'\[([\d.]+)s\].*Pause.* ([\d.]+)ms', line)
    if m and float(m.group(1)) >= since:
        pauses.append(float(m.group(2)))
print("RESULT c%s: %s req/s; GC pauses %d, max %.1f ms, total %.1f ms"
      % (c, rps, len(pauses), max(pauses) if pauses else 0, sum(pauses)))
PY
grep Pause "$work/gc.log" | tail -14 | awk '{print "  " $1, $(NF-1), $NF}'
