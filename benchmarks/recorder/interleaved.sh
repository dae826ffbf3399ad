#!/usr/bin/env bash
# The recorder's throughput goal (issue 18: shadow record >= 0.90 x the minimal HttpCore 5 proxy),
# measured with the proxies alive side by side. Not part of `mvn verify`.
#
# record-vs-nginx.sh runs each proxy in turn, minutes apart; on a shared host whose other tenants
# come and go (the "steal" of /proc/stat), a minute can move a proxy's rate by 30% or more. Here
# all the proxies run at once in front of one upstream (nginx serving the static 2 KB JSON
# document, one worker). Each gets a JIT warm-up (WARMS rounds of wrk -t1 -c16 for 10 s, taken in
# turn), then ROUNDS rounds of one short burst each (wrk -t1 -c$C for BURST s), in the same order
# every round. Only the proxy under load uses CPU; the others are idle.
#
# Per burst: req/s, the proxy's CPU per request (utime+stime of its process from the start of
# the burst to half a second after its end, / requests) and the host's steal ticks (1/100 s,
# both CPUs) during it. The summary gives each proxy's median, and the median [min - max] of each
# round's ratio to the first proxy (rounds compare proxies measured seconds apart); with
# QUIET=N, also over the rounds where no burst had more than N steal ticks.
#
# usage: benchmarks/recorder/interleaved.sh [NAME=LAUNCHER ...]
#   default: minimal (MinimalProxy from benchmarks/) and shadow (this checkout's ./shadow)
#   e.g. interleaved.sh minimal shadow=./shadow before=/tmp/old/shadow
#   "minimal" is the minimal proxy; NAME=PATH is `PATH record ...` (a shadow launcher)
#   ROUNDS=10 BURST=5 WARMS=6 QUIET=10
#   C=16                          the bursts' connections (C=1: one request at a time, a light load)
#   RECORD_ARGS="--stats-every 0"  the recorders' options beyond listen, upstream and out
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
C="${C:-16}"; ROUNDS="${ROUNDS:-10}"; BURST="${BURST:-5}"; WARMS="${WARMS:-6}"; QUIET="${QUIET:-10}"
RECORD_ARGS="${RECORD_ARGS:---stats-every 0}"
[ $# -gt 0 ] || set -- minimal "shadow=$root/shadow"
source "$root/benchmarks/lib/nginx-static.sh"
bench_install wrk nginx curl

work="$(mktemp -d)"
chmod 755 "$work"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  nginx -p "$work/up" -c nginx.conf -s stop 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/up"
bench_static_site "$work/up"
up=$(bench_free_port)
bench_nginx "$work/up" "  server { listen 127.0.0.1:$up; root $work/up/www; }"

if [[ " $* " == *" minimal "* ]]; then
  (cd "$root" && mvn -o -q package -pl benchmarks -am -DskipTests) >/dev/null
fi
names=(); ports=()
for spec in "$@"; do
  port=$(bench_free_port)
  if [ "$spec" = minimal ]; then
    name=minimal
    java -cp "$root/benchmarks/target/benchmarks.jar" dev.shadowtest.benchmarks.MinimalProxy \
      --listen "127.0.0.1:$port" --upstream "http://127.0.0.1:$up" > "$work/$name.log" 2>&1 &
  else
    name="${spec%%=*}"; launcher="${spec#*=}"
    # shellcheck disable=SC2086
    "$launcher" record --listen "127.0.0.1:$port" --upstream "http://127.0.0.1:$up" \
      --out "$work/$name.jsonl.gz" $RECORD_ARGS > "$work/$name.log" 2>&1 &
  fi
  pids+=($!)
  for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$port/api/data.json" >/dev/null 2>&1 && break; sleep 0.2; done
  curl -sf "http://127.0.0.1:$port/api/data.json" >/dev/null || { echo "$name did not start:" >&2; cat "$work/$name.log" >&2; exit 1; }
  names+=("$name"); ports+=("$port")
done
# the launcher execs java: its pid is the JVM's

steal() { awk '/^cpu /{print $9}' /proc/stat; }
echo "warm-up: $WARMS x 10 s each, in turn ($(date +%T))"
for _ in $(seq 1 "$WARMS"); do
  for i in "${!names[@]}"; do wrk -t1 -c16 -d10s "http://127.0.0.1:${ports[$i]}/api/data.json" >/dev/null; done
done
for r in $(seq 1 "$ROUNDS"); do
  line="round $r"
  for i in "${!names[@]}"; do
    s0=$(steal); c0=$(bench_cpu_ticks "${pids[$i]}")
    out=$(wrk -t1 -c"$C" -d"${BURST}s" "http://127.0.0.1:${ports[$i]}/api/data.json")
    sleep 0.5
    c1=$(bench_cpu_ticks "${pids[$i]}"); s1=$(steal)
    n=$(echo "$out" | awk '/ requests in /{print $1}'); rps=$(echo "$out" | awk '/Requests\/sec/{print $2}')
    us=$(awk -v t=$((c1 - c0)) -v n="$n" -v hz="$(getconf CLK_TCK)" 'BEGIN{printf "%.1f", t * 1e6 / hz / n}')
    line="$line | ${names[$i]} $rps $us $((s1 - s0))"
  done
  echo "$line"
  echo "$line" >> "$work/rounds"
done
for i in "${!names[@]}"; do # a recorder's stop line: what it recorded and dropped
  kill "${pids[$i]}" 2>/dev/null || true
  wait "${pids[$i]}" 2>/dev/null || true
  [ "${names[$i]}" = minimal ] || echo "${names[$i]}: $(grep -a '^stopped' "$work/${names[$i]}.log" || echo 'no stop line')"
done
python3 - "$work/rounds" "$QUIET" <<'PY'
import statistics as st, sys
rows = []
for line in open(sys.argv[1]):
    parts = [p.split() for p in line.strip().split(" | ")[1:]]
    rows.append([(p[0], float(p[1]), float(p[2]), int(p[3])) for p in parts])
names = [p[0] for p in rows[0]]
quiet = int(sys.argv[2])
def med(xs):
    xs = list(xs)
    return "%s [%s - %s]" % tuple("%.3f" % v for v in (st.median(xs), min(xs), max(xs)))
for label, rs in (("all rounds", rows), ("quiet rounds (steal <= %d ticks per burst)" % quiet,
                   [r for r in rows if max(p[3] for p in r) <= quiet])):
    print("RESULT %s: %d" % (label, len(rs)))
    if not rs:
        continue
    for i, n in enumerate(names):
        print("RESULT %s req/s median %.0f, CPU per request median %.1f us" % (
            n, st.median(r[i][1] for r in rs), st.median(r[i][2] for r in rs)))
    for i, n in enumerate(names[1:], 1):
        print("RESULT %s / %s req/s, per round: %s" % (n, names[0], med(r[i][1] / r[0][1] for r in rs)))
        print("RESULT %s / %s CPU per request, per round: %s" % (n, names[0], med(r[i][2] / r[0][2] for r in rs)))
PY
