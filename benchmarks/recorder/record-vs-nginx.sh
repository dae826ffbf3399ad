#!/usr/bin/env bash
# Load benchmark for `shadow record` (issue 18, "Performance"). Not part of `mvn verify`.
#
# One upstream (nginx serving a static 2 KB JSON file, one worker), and in front of it, each
# measured with wrk -t1 for the same duration:
#   direct   the upstream itself                                   (the floor)
#   nginx    nginx proxy_pass, a second nginx, one worker, keep-alive upstream (the reference proxy)
#   minimal  MinimalProxy from benchmarks/ (HttpCore 5 classic, no capture: the library's ceiling)
#   shadow   shadow record, every exchange recorded (default redaction, gzip)
#   shadow-b (only with SHADOW_B=path/to/another/checkout/shadow) the same, another build
# For each: (a) closed-loop throughput, wrk -c16 and -c256 (the CONNECTIONS list); (b) latency at
# moderate load, wrk -c$LATENCY_C --latency (a fresh recorder, after its own warm-up); (c) CPU per
# request of the proxy's process(es) from /proc/PID/stat (utime+stime from the start of the wrk
# run until the process is idle again, so work deferred past the run counts, / requests); for the
# recorder (d) its GC pauses during the measured runs (-Xlog:gc, max and total) and (e) captures
# recorded and dropped (its `stopped:` line). The JVMs get a JIT warm-up (wrk -c16, $WARMUP s).
# With RATE=N, the latency measurement adds an open-loop run: h2load --h1 sends N req/s in all
# over $LATENCY_C connections (Debian's nghttp2-client, installed when missing), whatever the
# answers' latency, and the p99 comes from its per-request log. Closed-loop wrk -c4 still
# saturates whichever process is the bottleneck; the open loop is the "moderate load" view.
# Each proxy runs alone: the JVM before it has been stopped.
#
# usage: benchmarks/recorder/record-vs-nginx.sh [CONNECTIONS="16 256"] [SECONDS=10]
#   RUNS=5          repeat; the end prints the median and range of each ratio over the runs
#   LATENCY_C=4     connections of the latency measurement (0: skip it)
#   RATE=           req/s of the open-loop latency measurement (h2load --rps; none by default)
#   WARMUP=30       seconds of JIT warm-up per JVM (C2 still compiles after 10 s on 2 shared cores)
#   SHADOW=...      the shadow launcher (default: this checkout's ./shadow)
#   SHADOW_B=...    a second launcher measured side by side (e.g. an older checkout's ./shadow)
#   KEEP=DIR        keep the raw measurements, GC logs and recorder outputs in DIR
#   RECORD_ARGS="--stats-every 0"   the recorders' options beyond listen, upstream and out; e.g.
#                   "--stats-every 1": a line a second in each recorder's output (kept with KEEP),
#                   which shows when captures were dropped
#   RECORD_ARGS_B=$RECORD_ARGS   shadow-b's options: with SHADOW_B=$SHADOW, one build with two
#                   settings side by side (e.g. "--recording-version 2")
#   WAIT_QUIET=0    before each run, wait up to this many seconds for the machine to be quiet
#                   (>= 80% idle over 3 s); each measurement reports the CPU others used anyway
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CONNS="${1:-16 256}"; D="${2:-10}"; RATE="${RATE:-}"
RECORD_ARGS="${RECORD_ARGS:---stats-every 0}"; RECORD_ARGS_B="${RECORD_ARGS_B:-$RECORD_ARGS}"; RUNS="${RUNS:-1}"; LATENCY_C="${LATENCY_C:-4}"; WARMUP="${WARMUP:-30}"
SHADOW="${SHADOW:-$root/shadow}"; SHADOW_B="${SHADOW_B:-}"
WRK_THREADS=1
source "$root/benchmarks/lib/nginx-static.sh"
bench_install wrk nginx curl
[ -z "$RATE" ] || command -v h2load >/dev/null || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nghttp2-client; }
[ -x /usr/bin/time ] || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q time; }

work="$(mktemp -d)"
chmod 755 "$work"
jvm_pid=""
cleanup() {
  [ -n "$jvm_pid" ] && kill "$jvm_pid" 2>/dev/null || true
  nginx -p "$work/up" -c nginx.conf -s stop 2>/dev/null || true
  nginx -p "$work/px" -c nginx.conf -s stop 2>/dev/null || true
  if [ -n "${KEEP:-}" ]; then mkdir -p "$KEEP" && cp -r "$work/raw.txt" "$work/logs" "$KEEP/" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$work/up" "$work/px/logs" "$work/logs"
bench_static_site "$work/up"
up=$(bench_free_port); px=$(bench_free_port)
bench_nginx "$work/up" "  server { listen 127.0.0.1:$up; root $work/up/www; }"
bench_nginx "$work/px" "  upstream origin { server 127.0.0.1:$up; keepalive 64; }
  server {
    listen 127.0.0.1:$px;
    location / { proxy_pass http://origin; proxy_http_version 1.1; proxy_set_header Connection \"\"; }
  }"
sleep 0.5
up_workers=$(pgrep -P "$(cat "$work/up/nginx.pid")" | tr '\n' ' ')
px_workers=$(pgrep -P "$(cat "$work/px/nginx.pid")" | tr '\n' ' ')
path=/api/data.json

# build everything once, outside the timing
(cd "$root" && mvn -o -q package -pl benchmarks -am -DskipTests) >/dev/null
"$SHADOW" --version >/dev/null
[ -z "$SHADOW_B" ] || "$SHADOW_B" --version >/dev/null
tick=$(getconf CLK_TCK)
raw="$work/raw.txt"; : > "$raw"

echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(java -version 2>&1 | head -1)," \
  "$(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2), nginx $(nginx -v 2>&1 | sed 's/.*\///'); load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== wrk -t1, ${D}s per measurement, throughput at -c${CONNS// /, -c}, latency at -c$LATENCY_C${RATE:+ and open loop at $RATE req/s (h2load)}; warm-up ${WARMUP}s; $RUNS run(s)"

wait_up() { # port pid: until the proxy answers, or fail if its process died
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$1$path" >/dev/null 2>&1 && return 0
    kill -0 "$2" 2>/dev/null || { echo "the proxy on port $1 exited" >&2; return 1; }
    sleep 0.2
  done
  echo "the proxy on port $1 did not answer" >&2; return 1
}

settle() { # pid...: waits (at most 20 s) until the processes are idle (< 5% of a core over 0.4 s)
  local a b
  a=$(bench_cpu_ticks "$@")
  for _ in $(seq 1 50); do
    sleep 0.4
    b=$(bench_cpu_ticks "$@")
    [ $(( (b - a) * 1000 / tick )) -le 20 ] && return 0
    a=$b
  done
}

sys_busy() { # machine-wide CPU ticks used by processes (user, nice, system) and steal
  awk '/^cpu / {print $2 + $3 + $4 + $9}' /proc/stat
}

wait_quiet() { # seconds: until the machine is >= 80% idle over 3 s, or the time is up
  local end=$((SECONDS + $1)) a b
  while [ "$SECONDS" -lt "$end" ]; do
    a=$(sys_busy); sleep 3; b=$(sys_busy)
    [ $(( (b - a) * 100 / (3 * tick * $(nproc)) )) -lt 20 ] && return 0
  done
  echo "   (the machine is still busy: measuring anyway)" >&2
}

load_run() { # connections|rN url: the load generator's report on stdout, "rps p99ms requests" in $work/numbers
  if [[ "$1" == r* ]]; then  # open loop: ${1#r} req/s in all over $LATENCY_C connections
    rm -f "$work/h2load.log"
    h2load --h1 -t1 -c"$LATENCY_C" --rps="$(( ${1#r} / LATENCY_C ))" -D "$D" --log-file="$work/h2load.log" "$2"
    # the log: start time, status, elapsed microseconds; one line per request
    python3 -c '
import sys
ms = sorted(int(l.split()[2]) / 1000 for l in open(sys.argv[1]) if len(l.split()) >= 3)
p99 = ms[min(len(ms) - 1, int(0.99 * len(ms)))] if ms else 0
print("%.2f %.3f %d" % (len(ms) / float(sys.argv[2]), p99, len(ms)))' "$work/h2load.log" "$D" > "$work/numbers"
  else
    wrk -t1 -c"$1" -d"${D}s" --latency "$2" | tee "$work/wrk.out"
    bench_wrk_numbers < "$work/wrk.out" > "$work/numbers"
  fi
}

export -f load_run bench_wrk_numbers
export work D LATENCY_C

measure() { # run name phase connections|rRATE port settle(0/1) pid...: one load run, a row of $raw
  local run="$1" name="$2" phase="$3" c="$4" port="$5" wait="$6"; shift 6
  local c0 c1 t0 t1 t2 out rps p99 n s0 s1 o0 o1 wu ws other
  c0=$(bench_cpu_ticks "$@"); t0=$(date +%s%3N)
  s0=$(sys_busy); o0=$(bench_cpu_ticks $up_workers $px_workers $jvm_pid)
  # timed as one child (its CPU is the benchmark's own, not "other load")
  out=$(/usr/bin/time -f '%U %S' -o "$work/wrk-time" bash -c 'load_run "$@"' _ "$c" "http://127.0.0.1:$port$path")
  s1=$(sys_busy); o1=$(bench_cpu_ticks $up_workers $px_workers $jvm_pid)
  t1=$(date +%s%3N)
  read -r wu ws < "$work/wrk-time"
  other=$(python3 -c "print(round(100 * max(0, ($s1 - $s0) - ($o1 - $o0) - ($wu + $ws) * $tick) / ($tick * $(nproc) * ($t1 - $t0) / 1000)))")
  [ "$wait" = 1 ] && settle "$@"
  t2=$(date +%s%3N); c1=$(bench_cpu_ticks "$@")
  echo "$out" | grep -E 'Latency |Req/Sec|requests in|Requests/sec|Non-2xx|Socket errors|^ +(50|99)%|finished in|^requests:|^time for request' \
    | sed "s|^|   [run $run $name $([[ "$c" == r* ]] && echo "${c#r} req/s" || echo "c$c")] |" >&2
  read -r rps p99 n < "$work/numbers"
  echo "m $run $name $phase $c $rps $p99 $n $((c1 - c0)) $tick $t0 $t1 $t2 $other" >> "$raw"
}

jvm_start() { # name port command...: starts a JVM proxy in the background (its pid in $jvm_pid)
  local name="$1" port="$2"; shift 2
  "$@" > "$work/logs/$name.txt" 2>&1 &
  jvm_pid=$!
  wait_up "$port" "$jvm_pid"
}

jvm_warm() { # port: JIT warm-up, not measured, then until the JVM is idle
  wrk -t1 -c16 -d"${WARMUP}s" "http://127.0.0.1:$1$path" >/dev/null
  settle "$jvm_pid"
}

jvm_stop() { # SIGTERM and wait (the recorder writes what it holds and prints `stopped:`)
  kill -TERM "$jvm_pid"; wait "$jvm_pid" || true; jvm_pid=""
}

recorder() { # run name launcher phase connections...: a fresh recorder measured at each count
  local run="$1" name="$2" launcher="$3" phase="$4"; shift 4
  local port gc c
  port=$(bench_free_port); gc="$work/logs/gc-$name-$phase-$run.log"
  jvm_start "$name-$phase-$run" "$port" env SHADOW_JAVA_OPTS="${SHADOW_JAVA_OPTS:-} -Xlog:gc,gc+phases:file=$gc:timemillis,uptime" \
    "$launcher" record --listen "127.0.0.1:$port" --upstream "http://127.0.0.1:$up" \
    --out "$work/$name-$phase-$run.jsonl.gz" $([ "$name" = shadow-b ] && echo "$RECORD_ARGS_B" || echo "$RECORD_ARGS")
  # `env` execs the launcher, which execs java: $jvm_pid is the JVM
  jvm_warm "$port"
  for c in "$@"; do measure "$run" "$name" "$phase" "$c" "$port" 1 "$jvm_pid"; done
  jvm_stop
  echo "r $run $name $phase $gc $(grep -m1 '^stopped:' "$work/logs/$name-$phase-$run.txt" | sed 's/^stopped: //; s/ /_/g')" >> "$raw"
  rm -f "$work/$name-$phase-$run.jsonl.gz"
}

lat=(); [ "$LATENCY_C" -gt 0 ] && lat=("$LATENCY_C")
[ -z "$RATE" ] || [ "$LATENCY_C" -le 0 ] || lat+=("r$RATE")
for run in $(seq 1 "$RUNS"); do
  [ "${WAIT_QUIET:-0}" -le 0 ] || wait_quiet "$WAIT_QUIET"
  echo "== run $run of $RUNS ($(date +%T), load average $(cut -d' ' -f1-3 /proc/loadavg))"
  for c in $CONNS "${lat[@]}"; do measure "$run" direct - "$c" "$up" 0 $up_workers; done
  for c in $CONNS "${lat[@]}"; do measure "$run" nginx - "$c" "$px" 0 $px_workers; done
  mp=$(bench_free_port)
  jvm_start "minimal-$run" "$mp" java -cp "$root/benchmarks/target/benchmarks.jar" \
    dev.shadowtest.benchmarks.MinimalProxy --listen "127.0.0.1:$mp" --upstream "http://127.0.0.1:$up"
  jvm_warm "$mp"
  for c in $CONNS "${lat[@]}"; do measure "$run" minimal - "$c" "$mp" 1 "$jvm_pid"; done
  jvm_stop
  recorder "$run" shadow "$SHADOW" load $CONNS
  [ ${#lat[@]} -eq 0 ] || recorder "$run" shadow "$SHADOW" latency "${lat[@]}"
  if [ -n "$SHADOW_B" ]; then
    recorder "$run" shadow-b "$SHADOW_B" load $CONNS
    [ ${#lat[@]} -eq 0 ] || recorder "$run" shadow-b "$SHADOW_B" latency "${lat[@]}"
  fi
  python3 "$root/benchmarks/recorder/record-summary.py" "$raw" "$run"
done
[ "$RUNS" -gt 1 ] && python3 "$root/benchmarks/recorder/record-summary.py" "$raw" all
exit 0
