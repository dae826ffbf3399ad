#!/usr/bin/env bash
# TLS termination (issue 18, "Also TLS"): `shadow record --tls-cert/--tls-key` against nginx
# `listen ... ssl` + `proxy_pass`, both in front of the same plain nginx upstream (one worker each,
# a static 2 KB JSON document), the same certificate (ECDSA P-256, made here by openssl). For each:
#   keep-alive   wrk -t1 -c16 over HTTPS, req/s and p99 (handshakes amortised)
#   latency      wrk -t1 -c4 --latency, p99 and the p99 added over the upstream served directly
#   handshakes   wrk -t1 -c16 with "Connection: close": a full TLS handshake per request
#   CPU          utime+stime of the proxy's process(es) per request, from /proc/PID/stat
# A JIT warm-up (wrk -c16, $WARMUP s, keep-alive and handshakes) before the recorder's runs.
# The recorder records every exchange (default redaction, gzip). Not part of `mvn verify`.
#
# usage: benchmarks/recorder/tls-vs-nginx.sh      RUNS=3 SECONDS_PER=10 WARMUP=60 (the JIT needs
#   about a minute of TLS traffic: 6.5k req/s in the first 10 s, 17.7k in the fourth)
#   SHADOW=...   the shadow launcher (default: this checkout's ./shadow)
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
RUNS="${RUNS:-3}"; D="${SECONDS_PER:-10}"; WARMUP="${WARMUP:-60}"; SHADOW="${SHADOW:-$root/shadow}"
source "$root/benchmarks/lib/nginx-static.sh"
bench_install wrk nginx openssl curl

work="$(mktemp -d)"; chmod 755 "$work"; jvm_pid=""
cleanup() {
  [ -n "$jvm_pid" ] && kill "$jvm_pid" 2>/dev/null
  nginx -p "$work/up" -c nginx.conf -s stop 2>/dev/null
  nginx -p "$work/px" -c nginx.conf -s stop 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/up" "$work/px/logs"
bench_static_site "$work/up"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=127.0.0.1 \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
chmod 644 "$work/key.pem"   # nginx's unprivileged worker does not read it; its master does
up=$(bench_free_port); px=$(bench_free_port); sh=$(bench_free_port)
bench_nginx "$work/up" "  server { listen 127.0.0.1:$up; root $work/up/www; }"
bench_nginx "$work/px" "  upstream origin { server 127.0.0.1:$up; keepalive 64; }
  server {
    listen 127.0.0.1:$px ssl;
    ssl_certificate $work/cert.pem; ssl_certificate_key $work/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    location / { proxy_pass http://origin; proxy_http_version 1.1; proxy_set_header Connection \"\"; }
  }"
sleep 0.5
up_workers=$(pgrep -P "$(cat "$work/up/nginx.pid")" | tr '\n' ' ')
px_workers=$(pgrep -P "$(cat "$work/px/nginx.pid")" | tr '\n' ' ')
path=/api/data.json
"$SHADOW" --version > /dev/null
tick=$(getconf CLK_TCK)
echo "== machine: $(nproc) cores, $(java -version 2>&1 | head -1), nginx $(nginx -v 2>&1 | sed 's/.*\///'), $(openssl version | cut -d' ' -f1-2); load $(cut -d' ' -f1-3 /proc/loadavg)"

one() { # name url connections close(0/1) pid... -> "name rps p99 us-per-request"
  local name="$1" url="$2" c="$3" close="$4"; shift 4
  local c0 c1 out rps p99 n hdr=()
  [ "$close" = 1 ] && hdr=(-H "Connection: close")
  c0=$(bench_cpu_ticks "$@")
  out=$(wrk -t1 -c"$c" -d"${D}s" --latency "${hdr[@]}" "$url")
  sleep 0.5
  c1=$(bench_cpu_ticks "$@")
  read -r rps p99 n < <(echo "$out" | bench_wrk_numbers)
  echo "$name $rps $p99 $(awk -v d=$((c1 - c0)) -v t="$tick" -v n="$n" 'BEGIN {printf "%.1f", d * 1e6 / t / n}')"
}

for run in $(seq 1 "$RUNS"); do
  echo "== run $run"
  one "direct-plain-c4" "http://127.0.0.1:$up$path" 4 0 $up_workers
  for c in 16 4; do one "nginx-tls-c$c" "https://127.0.0.1:$px$path" "$c" 0 $px_workers; done
  one "nginx-tls-handshakes-c16" "https://127.0.0.1:$px$path" 16 1 $px_workers
  "$SHADOW" record --listen "127.0.0.1:$sh" --upstream "http://127.0.0.1:$up" --out "$work/rec-$run.jsonl.gz" \
    --tls-cert "$work/cert.pem" --tls-key "$work/key.pem" --stats-every 0 > "$work/rec-$run.txt" 2>&1 &
  for _ in $(seq 1 100); do curl -skf "https://127.0.0.1:$sh$path" > /dev/null 2>&1 && break; sleep 0.2; done
  jvm_pid=$(pgrep -f "record --listen 127.0.0.1:$sh" | tail -1)
  wrk -t1 -c16 -d"${WARMUP}s" "https://127.0.0.1:$sh$path" > /dev/null
  wrk -t1 -c16 -d5s -H "Connection: close" "https://127.0.0.1:$sh$path" > /dev/null
  for c in 16 4; do one "shadow-tls-c$c" "https://127.0.0.1:$sh$path" "$c" 0 $jvm_pid; done
  one "shadow-tls-handshakes-c16" "https://127.0.0.1:$sh$path" 16 1 $jvm_pid
  kill "$jvm_pid"; wait 2> /dev/null; jvm_pid=""
  grep -h "stopped" "$work/rec-$run.txt" | sed 's/^/   /'
done
