#!/usr/bin/env bash
# Cold start of `shadow record` under full load (issue 18). Not part of `mvn verify`.
#
# A recorder started on a machine already busy: wrk -t1 -c$C hits it from the moment it answers,
# for $S seconds, against nginx serving a static 2 KB JSON file (one worker). Printed per run:
# the time from launch until the proxy answered, req/s over the whole run and per 5 s window
# (from the recorder's own --stats-every 5 lines), and the captures recorded and dropped (its
# `stopped:` line). On 2 cores the JIT's compiler threads share the CPU with the connection
# threads, wrk and nginx; what the JIT has not compiled yet runs interpreted or in C1's code.
#
# usage: benchmarks/recorder/cold-start.sh [SECONDS=60]
#   RUNS=3          runs; with SHADOW_B, both builds in each run, A then B (B first on even runs)
#   C=16            wrk connections
#   SHADOW=...      the launcher (default: this checkout's ./shadow)
#   SHADOW_B=...    a second launcher (e.g. an older checkout's ./shadow)
#   SHADOW_JAVA_OPTS passes through (e.g. -XX:+PrintCompilation, output in KEEP)
#   KEEP=DIR        keep each recorder's output in DIR
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
S="${1:-60}"; RUNS="${RUNS:-3}"; C="${C:-16}"
SHADOW="${SHADOW:-$root/shadow}"; SHADOW_B="${SHADOW_B:-}"
source "$root/benchmarks/lib/nginx-static.sh"
bench_install wrk nginx curl
bench_workdir
bench_static_site "$work"
up=$(bench_free_port)
bench_nginx "$work" "  server { listen 127.0.0.1:$up; root $work/www; }"
path=/api/data.json
"$SHADOW" --version >/dev/null
[ -z "$SHADOW_B" ] || "$SHADOW_B" --version >/dev/null
echo "== cold start under load: wrk -t1 -c$C for ${S}s from the first answer; $(nproc) cores," \
  "$(java -version 2>&1 | head -1); load average $(cut -d' ' -f1-3 /proc/loadavg)"

one() { # name launcher run
  local name="$1" launcher="$2" run="$3" port out t0 t1 rps
  port=$(bench_free_port); out="$work/$name-$run.txt"
  t0=$(date +%s%3N)
  "$launcher" record --listen "127.0.0.1:$port" --upstream "http://127.0.0.1:$up" \
    --out "$work/$name-$run.jsonl.gz" --stats-every 5 > "$out" 2>&1 &
  rec_pid=$!
  for _ in $(seq 1 1000); do
    curl -sf -o /dev/null "http://127.0.0.1:$port$path" 2>/dev/null && break
    kill -0 "$rec_pid" 2>/dev/null || { echo "the recorder exited:" >&2; cat "$out" >&2; exit 1; }
    sleep 0.01
  done
  t1=$(date +%s%3N)
  rps=$(wrk -t1 -c"$C" -d"${S}s" "http://127.0.0.1:$port$path" | awk '/Requests\/sec/ {print $2}')
  kill -TERM "$rec_pid"; wait "$rec_pid" || true; rec_pid=""
  # the stats lines: "shadow record: proxied N, ..." every 5 s; req/s per window
  local windows
  windows=$(grep '^shadow record: proxied' "$out" | sed 's/.*proxied \([0-9]*\),.*/\1/' \
    | awk '{ if (NR > 1) printf "%d ", ($1 - p) / 5; p = $1 }')
  printf '%-8s run %d: answered after %5d ms; %8.0f req/s over %ss; per 5 s: %s\n' \
    "$name" "$run" $((t1 - t0)) "$rps" "$S" "$windows"
  printf '%-8s        %s\n' "" "$(grep '^stopped:' "$out" | sed 's/, upstream errors.*//')"
  [ -z "${KEEP:-}" ] || { mkdir -p "$KEEP"; cp "$out" "$KEEP/"; }
  rm -f "$work/$name-$run.jsonl.gz"
  sleep 2
}

for run in $(seq 1 "$RUNS"); do
  if [ -n "$SHADOW_B" ] && [ $((run % 2)) = 0 ]; then
    one shadow-b "$SHADOW_B" "$run"; one shadow "$SHADOW" "$run"
  else
    one shadow "$SHADOW" "$run"; [ -z "$SHADOW_B" ] || one shadow-b "$SHADOW_B" "$run"
  fi
done
