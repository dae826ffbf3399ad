#!/usr/bin/env bash
# shadow replay over HTTP/1.1 and over HTTP/2 (--http2, h2c by prior knowledge) against the same
# nginx (one worker, a static 2 KB JSON document; one server block per protocol), alternating,
# RUNS times. Not part of `mvn verify`. Every exchange is diffed and written (the recorded
# response is that document). Prints per run: wall time, the client's CPU per exchange
# (utime+stime of the whole command, JVM start and JIT included) and exchanges per second.
#
#   N=100000 RUNS=3 C=16 benchmarks/replay/http2.sh
set -uo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
source "$root/benchmarks/lib/nginx-static.sh"
bench_install nginx
work="$(mktemp -d)"
cleanup() { nginx -p "$work" -c nginx.conf -s stop 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
bench_static_site "$work"
h1=$(bench_free_port)
h2=$(bench_free_port)
bench_nginx "$work" "  server { listen 127.0.0.1:$h1; root $work/www; }
  server { listen 127.0.0.1:$h2 http2; http2_max_concurrent_streams 1024; root $work/www; }"
N=${N:-100000}
python3 "$root/benchmarks/replay/generate.py" "$work/r.jsonl.gz" "$N" "$work/www/api/data.json" /api/data.json
printf "version: 1\ndefaults:\n  ignoreHeaders: [Server, ETag, Last-Modified, Accept-Ranges]\n" > "$work/rules.yaml"
"$root/shadow" --version >/dev/null # builds the CLI first if its sources changed
for run in $(seq 1 "${RUNS:-3}"); do
  for proto in h1 h2; do
    port=$h1
    extra=()
    if [ "$proto" = h2 ]; then port=$h2; extra=(--http2); fi
    /usr/bin/time -f "%e %U %S" -o "$work/t" "$root/shadow" replay --recording "$work/r.jsonl.gz" \
      --candidate "http://127.0.0.1:$port" --concurrency "${C:-16}" --rules "$work/rules.yaml" \
      --out "$work/run-$proto-$run" "${extra[@]}" >"$work/out" 2>&1
    rc=$?
    read -r wall user sys < <(tail -1 "$work/t")
    [ "$rc" = 0 ] || tail -3 "$work/out"
    python3 -c "print('%-3s run %s rc %s: %6.1f s wall, %6.1f us CPU/exchange, %7.0f ex/s' % ('$proto', $run, $rc, $wall, ($user+$sys)*1e6/$N, $N/$wall))"
  done
done
