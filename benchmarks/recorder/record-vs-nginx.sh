#!/usr/bin/env bash
# Load benchmark for `shadow record` (issue: recording reverse proxy). Not part of `mvn verify`.
#
# One upstream (nginx serving a static 2 KB JSON file, one worker), and wrk with the same
# connections and duration against:
#   1. the upstream directly                       (the floor)
#   2. nginx proxy_pass in front of it             (the reference proxy, keep-alive upstream)
#   3. shadow record in front of it, recording on  (every exchange redacted and written, gzip)
# Prints req/s and p99 of each, shadow/nginx req/s ratio, and the p99 each proxy adds over direct.
#
# usage: benchmarks/recorder/record-vs-nginx.sh [CONNECTIONS=16] [SECONDS=10]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
C="${1:-16}"; D="${2:-10}"
source "$root/benchmarks/lib/nginx-static.sh"
bench_install wrk nginx

work="$(mktemp -d)"
rec_pid=""
cleanup() {
  [ -n "$rec_pid" ] && kill "$rec_pid" 2>/dev/null || true
  nginx -p "$work" -c nginx.conf -s stop 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
bench_static_site "$work"
up=$(bench_free_port); px=$(bench_free_port); sh=$(bench_free_port)
bench_nginx "$work" "  upstream origin { server 127.0.0.1:$up; keepalive 64; }
  server { listen 127.0.0.1:$up; root $work/www; }
  server {
    listen 127.0.0.1:$px;
    location / { proxy_pass http://origin; proxy_http_version 1.1; proxy_set_header Connection \"\"; }
  }"
"$root/shadow" --version >/dev/null  # build once, outside the timing
"$root/shadow" record --listen "127.0.0.1:$sh" --upstream "http://127.0.0.1:$up" --out "$work/capture.jsonl.gz" \
  --stats-every 0 > "$work/record.txt" 2>&1 &
rec_pid=$!
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$sh/api/data.json" >/dev/null 2>&1 && break; sleep 0.2; done

echo "== machine: $(nproc) cores, $(java -version 2>&1 | head -1), $(wrk --version 2>&1 | head -1), nginx $(nginx -v 2>&1 | sed 's/.*\///')"
# warm-up of the JVM (JIT), not measured
wrk -t2 -c"$C" -d5s "http://127.0.0.1:$sh/api/data.json" >/dev/null
read -r d_rps d_p99 < <(bench_wrk direct "http://127.0.0.1:$up/api/data.json")
read -r n_rps n_p99 < <(bench_wrk nginx "http://127.0.0.1:$px/api/data.json")
read -r s_rps s_p99 < <(bench_wrk shadow "http://127.0.0.1:$sh/api/data.json")
kill -TERM "$rec_pid"; wait "$rec_pid" || true; rec_pid=""
stats=$(grep '^stopped:' "$work/record.txt" || true)
echo "== shadow record: $stats"
python3 - "$d_rps" "$d_p99" "$n_rps" "$n_p99" "$s_rps" "$s_p99" <<'PY'
import sys
d, dp, n, np_, s, sp = map(float, sys.argv[1:])
print("RESULT direct %.0f req/s p99 %.2f ms | nginx proxy %.0f req/s p99 %.2f ms | shadow record %.0f req/s p99 %.2f ms" % (d, dp, n, np_, s, sp))
print("RESULT shadow/nginx req/s ratio %.1f%% (goal >= 90%%); p99 added over direct: nginx %+.2f ms, shadow %+.2f ms (goal <= 1 ms)" % (100 * s / n, np_ - dp, sp - dp))
PY
