#!/usr/bin/env bash
# Where a replay's CPU goes, by thread (issue 19). Not part of `mvn verify`.
#
# nginx (one worker, access log off, stub_status for its request count) serves the static 2 KB
# JSON document on 127.0.0.1; `shadow replay --concurrency C --rejudge-budget 0` replays a
# recording of N GETs of it (every exchange compared and written, as in ceiling.sh). After
# FROM seconds, for SECONDS seconds, it reads the CPU time (utime, stime) and the context switches
# of every thread of the replay (/proc/PID/task/*/stat and status) and nginx's request count, and
# prints, per group of threads (named as the JVM names them, digits dropped), the CPU and context
# switches per exchange in that window: the steady state, after the JIT's work and before the end.
# N must keep the replay running past FROM + SECONDS (it says so when it did not); the replay is
# stopped after the window.
#
# usage: benchmarks/replay/threads.sh [C=16] [N=2000000] [FROM=20] [SECONDS=10]
#   SHADOW=...   the shadow launcher (default: this checkout's ./shadow)
#   SHADOW_B=... a second launcher (another build), measured right after the first in every run,
#                on the same recording and server: the two side by side
#   WRK=1        also measure `wrk -t1 -cC -d10s` against the same document at the start of every run,
#                and give each replay's rate as a share of it (0: not)
#   FLOOR=1      also measure HttpCore 5's own requester (ReplayCeiling core5-async: no diffing, a
#                consumer that counts and drops the body) with C in flight, warmed up for FROM
#                seconds and measured for SECONDS, in every run after wrk: the floor that the CPU
#                goal of issue 19 is set against; each replay's CPU is then also given as a multiple
#                of it (0: not)
#   PAIRED=1     run A and B at the same time, each against its own nginx (one worker each), and
#                measure both over the same window: on a shared machine whose load changes from
#                minute to minute, the two builds then see the same load (four busy processes on
#                the cores: the rates are lower than alone, the CPU per exchange comparable between
#                the two); wrk and the requester are still measured alone before
#   PIN=0        1: nginx on CPU 0, and wrk, the requester and the replays on CPU 1 (`taskset`), so
#                that client and server do not take each other's core (on 2 cores; with PAIRED=1
#                both replays share CPU 1 and both nginx CPU 0)
#   RUNS=1       repeat
#   ITEMS=20     products in the document (20: 2 KB, 6: 0.6 KB, 200: 20 KB)
#   REC=1        the recording format version A replays (2: bodies stored raw after each line's JSON);
#                a "u" after it (1u, 2u): the recording uncompressed, where it is otherwise gzip level 1
#   REC_B=$REC   the version B replays: with SHADOW_B=$SHADOW, one build on both versions
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
C="${1:-16}"; N="${2:-2000000}"; FROM="${3:-20}"; D="${4:-10}"
RUNS="${RUNS:-1}"; ITEMS="${ITEMS:-20}"; WRK="${WRK:-1}"; FLOOR="${FLOOR:-1}"; PAIRED="${PAIRED:-0}"
PIN="${PIN:-0}"; REC="${REC:-1}"; REC_B="${REC_B:-$REC}"; client=(); server=()
if [ "$PIN" = 1 ]; then client=(taskset -c 1); server=(taskset -c 0); fi
SHADOW="${SHADOW:-$root/shadow}"
source "$root/benchmarks/lib/nginx-static.sh"
[ "$FLOOR" = 0 ] || (cd "$root" && mvn -o -q package -pl benchmarks -am -DskipTests) >/dev/null
bench_install nginx curl
[ "$WRK" = 0 ] || bench_install wrk

work="$(mktemp -d)"
cleanup() {
  nginx -p "$work" -c nginx.conf -s stop 2>/dev/null || true
  [ ! -f "$work/b/nginx.conf" ] || nginx -p "$work/b" -c nginx.conf -s stop 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
bench_static_site "$work" "$ITEMS"
port=$(bench_free_port)
NGINX_WRAP="${server[*]}" bench_nginx "$work" "  server { listen 127.0.0.1:$port; root $work/www; location = /status { stub_status; } }"
if [ "$PAIRED" = 1 ]; then
  [ -n "${SHADOW_B:-}" ] || { echo "PAIRED=1 needs SHADOW_B" >&2; exit 2; }
  mkdir -p "$work/b/logs"; port_b=$(bench_free_port)
  NGINX_WRAP="${server[*]}" bench_nginx "$work/b" "  server { listen 127.0.0.1:$port_b; root $work/www; location = /status { stub_status; } }"
fi
path=/api/data.json
for _ in $(seq 1 20); do curl -sf "http://127.0.0.1:$port$path" >/dev/null && break; sleep 0.3; done
"$SHADOW" --version >/dev/null
recfile() { # REC value -> its file (the replay's link to it keeps a .gz name: readers go by the magic bytes)
  if [ "${1%u}" = "$1" ]; then echo "$work/rec-v$1.jsonl.gz"; else echo "$work/rec-v$1.jsonl"; fi
}
for v in $(echo "$REC $REC_B" | tr ' ' '\n' | sort -u); do
  python3 "$root/benchmarks/replay/generate.py" "$(recfile "$v")" "$N" "$work/www/api/data.json" "$path" "${v%u}"
done
printf 'version: 1\ndefaults:\n  ignoreHeaders: [Server, ETag, Last-Modified, Accept-Ranges]\n' > "$work/rules.yaml"
commit() { git -C "$(dirname "$1")" describe --always --dirty 2>/dev/null || echo '?'; }
echo "== $C in flight, a document of $(wc -c < "$work/www/api/data.json") bytes, $N exchanges, window ${FROM}s + ${D}s," \
  "$(nproc) cores$([ "$PIN" = 1 ] && echo ', nginx on CPU 0 and the clients on CPU 1'); A = $SHADOW ($(commit "$SHADOW"), recording v$REC)${SHADOW_B:+, B = $SHADOW_B ($(commit "$SHADOW_B"), recording v$REC_B)}"

snapshot() { # pid: "tid name utime stime voluntary involuntary" per thread
  for t in /proc/"$1"/task/*; do
    echo "$(basename "$t") $(tr ' ' '_' < "$t/comm") $(awk '{print $14, $15}' "$t/stat" 2>/dev/null)" \
      "$(awk '/^voluntary_ctxt/ {v = $2} /^nonvoluntary_ctxt/ {n = $2} END {print v, n}' "$t/status" 2>/dev/null)"
  done
}

launch() { # label launcher port -> pid of the replay in $work/pid-label
  local label="$1" shadow="$2" p="$3" pid=""
  "${client[@]}" "$shadow" replay --recording "$work/rec-$label.jsonl.gz" --candidate "http://127.0.0.1:$p" --concurrency "$C" \
    --rules "$work/rules.yaml" --rejudge-budget 0 --out "$work/out-$label" > "$work/replay-$label.log" 2>&1 &
  for _ in $(seq 1 50); do
    pid=$(pgrep -f "shadow.jar replay --recording $work/rec-$label.jsonl.gz" | head -1 || true)
    [ -n "$pid" ] && break; sleep 0.1
  done
  [ -n "$pid" ] || { echo "the replay did not start" >&2; cat "$work/replay-$label.log" >&2; exit 1; }
  echo "$pid" > "$work/pid-$label"
}

stop() { # label: sets still_running (yes when the replay had not ended by itself)
  local pid; pid=$(cat "$work/pid-$1")
  still_running=yes; kill -0 "$pid" 2>/dev/null || still_running=no
  # the window is what counts: the rest is not replayed; the replay then writes its reports, which
  # is waited for (the launcher execs the JVM: the same process, a child of this shell), so that
  # nothing of it overlaps the next measurement
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -rf "$work/out-$1"
}

report() { # s0 s1 exchanges ms running "run label"
  python3 - "$1" "$2" "$3" "$4" "$(getconf CLK_TCK)" "$5" "$6" "$wrk_rate" "$floor_us" <<'PY'
import collections, re, sys
def read(f):
    out = {}
    for line in open(f):
        p = line.split()
        if len(p) == 6:
            out[p[0]] = (p[1], [int(x) for x in p[2:]])
    return out
a, b = read(sys.argv[1]), read(sys.argv[2])
n, ms, tick, running, run = int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), sys.argv[6], sys.argv[7]
if running != "yes":
    sys.exit("the replay ended within the window: give more exchanges (N)")
groups = collections.defaultdict(lambda: [0, 0, 0, 0])
for tid, (name, v) in b.items():
    before = a.get(tid, (name, [0, 0, 0, 0]))[1]
    g = groups[re.sub(r"[-_#]*\d+$", "", name)]
    for i in range(4):
        g[i] += v[i] - before[i]
us = lambda ticks: 1e6 * ticks / tick / n
total = sum(g[0] + g[1] for g in groups.values())
share = " (%.1f%% of wrk)" % (100 * n * 1000 / ms / float(sys.argv[8])) if sys.argv[8] else ""
floor = " (%.2f x the requester's)" % (us(total) / float(sys.argv[9])) if sys.argv[9] else ""
print("   run %s: %d exchanges in %.1f s (%.0f/s%s), %.1f us of CPU per exchange%s" % (run, n, ms / 1000, n * 1000 / ms, share, us(total), floor))
print("   %-22s %8s %8s %8s %10s %10s" % ("threads", "us/ex", "user", "system", "vol cs/ex", "invol cs/ex"))
for name, g in sorted(groups.items(), key=lambda kv: -(kv[1][0] + kv[1][1])):
    if g[0] + g[1] == 0:
        continue
    print("   %-22s %8.1f %8.1f %8.1f %10.2f %10.2f" % (name, us(g[0] + g[1]), us(g[0]), us(g[1]), g[2] / n, g[3] / n))
PY
}

measure() { # run label launcher version: the replay alone
  local run="$1" label="$2" pid r0 r1 t0 t1
  ln -sf "$(recfile "$4")" "$work/rec-$label.jsonl.gz"
  launch "$label" "$3" "$port"; pid=$(cat "$work/pid-$label")
  sleep "$FROM"
  snapshot "$pid" > "$work/s0"; r0=$(bench_served "$port"); t0=$(date +%s%N)
  sleep "$D"
  snapshot "$pid" > "$work/s1"; r1=$(bench_served "$port"); t1=$(date +%s%N)
  stop "$label"
  report "$work/s0" "$work/s1" "$((r1 - r0))" "$(( (t1 - t0) / 1000000 ))" "$still_running" "$run $label"
}

measure_paired() { # run: A and B at the same time, each against its own nginx, over the same window
  local run="$1" pa pb ra0 ra1 rb0 rb1 t0 t1 running_a running_b
  ln -sf "$(recfile "$REC")" "$work/rec-A.jsonl.gz"; ln -sf "$(recfile "$REC_B")" "$work/rec-B.jsonl.gz"
  launch A "$SHADOW" "$port"; launch B "$SHADOW_B" "$port_b"
  pa=$(cat "$work/pid-A"); pb=$(cat "$work/pid-B")
  sleep "$FROM"
  snapshot "$pa" > "$work/a0"; snapshot "$pb" > "$work/b0"; ra0=$(bench_served "$port"); rb0=$(bench_served "$port_b"); t0=$(date +%s%N)
  sleep "$D"
  snapshot "$pa" > "$work/a1"; snapshot "$pb" > "$work/b1"; ra1=$(bench_served "$port"); rb1=$(bench_served "$port_b"); t1=$(date +%s%N)
  stop A; running_a=$still_running
  stop B; running_b=$still_running
  # four busy processes share the cores: shares of wrk and multiples of the requester (each
  # measured alone) would mislead; A against B is what this gives
  wrk_rate="" floor_us="" report "$work/a0" "$work/a1" "$((ra1 - ra0))" "$(( (t1 - t0) / 1000000 ))" "$running_a" "$run A (paired)"
  wrk_rate="" floor_us="" report "$work/b0" "$work/b1" "$((rb1 - rb0))" "$(( (t1 - t0) / 1000000 ))" "$running_b" "$run B (paired)"
}

wrk_rate=""; floor_us=""
for run in $(seq 1 "$RUNS"); do
  if [ "$WRK" != 0 ]; then
    wrk_rate=$("${client[@]}" wrk -t1 -c"$C" -d10s "http://127.0.0.1:$port$path" | awk '/^Requests\/sec/ {print $2}')
    echo "   run $run wrk: $wrk_rate req/s"
  fi
  if [ "$FLOOR" != 0 ]; then
    line=$("${client[@]}" java -cp "$root/benchmarks/target/benchmarks.jar" dev.shadowtest.benchmarks.ReplayCeiling --kind core5-async \
      --url "http://127.0.0.1:$port$path" --in-flight "$C" --warmup "$FROM" --seconds "$D" | grep '^RESULT')
    floor_us=$(python3 -c "import sys; f = dict(kv.split('=') for kv in sys.argv[1].split()[1:]); print('%.1f' % (1e6 * int(f['cpu_ticks']) / $(getconf CLK_TCK) / int(f['requests'])))" "$line")
    echo "   run $run requester (core5-async): $(echo "$line" | sed 's/.*rps=\([0-9.]*\).*/\1/') req/s, $floor_us us of CPU per exchange"
  fi
  if [ "$PAIRED" = 1 ]; then
    measure_paired "$run"
  else
    measure "$run" A "$SHADOW" "$REC"
    [ -z "${SHADOW_B:-}" ] || measure "$run" B "$SHADOW_B" "$REC_B"
  fi
done
