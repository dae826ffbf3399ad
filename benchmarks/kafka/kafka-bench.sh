#!/usr/bin/env bash
# Load benchmark of shadow-kafka (issue 21, "Performance"). Not part of `mvn verify`.
#
# One machine, everything on 127.0.0.1: a Kafka broker in its own JVM (KRaft, broker and
# controller in one: shadow-kafka's TestBroker, started by benchmarks/kafka/KafkaBenchTool.java),
# nginx (one worker) serving a static 2 KB JSON document as upstream and candidate.
#
# Part 1, the recorder at full proxy load. Each measured with wrk -t1 -c$C for $D seconds:
#   direct  wrk straight to nginx                                      (reference)
#   file    shadow record --out FILE.jsonl.gz                          (reference)
#   kafka   shadow record --out kafka://BROKER/rec-RUN (6 partitions)
# Each recorder is a fresh JVM with a $WARMUP s wrk warm-up (not measured), then the measured run.
# Reported: wrk's req/s and p99; from the recorder's admin endpoint (/_shadow/stats) before the
# run and after it (once the JVM is idle again), the exchanges proxied, recorded and dropped by
# reason; for kafka, the records that reached the topic (the sum of its end offsets, sampled
# every 250 ms by a small consumer) during wrk's run (records/s) and by the time the JVM was
# idle; after SIGTERM the recorder's `stopped:` line and the topic's record count, which must
# agree. CPU seconds of the recorder JVM, the broker and nginx over the run.
#
# Part 2, replay throughput. A recording of $N exchanges (benchmarks/replay/generate.py: GET
# /api/data.json whose recorded response is nginx's document) is published to a 6-partition
# topic with `shadow export --to recording FILE --out kafka://...` (timed), then replayed
# against nginx, each configuration from start to the last process's exit (JVM start included):
#   file     shadow replay --recording FILE                            (reference)
#   alone    shadow replay --recording kafka://.../replay               (one process, no group)
#   group-K  K processes at once: shadow replay --recording kafka://... --group g-RUN-K, each its
#            own --out, then shadow merge (timed apart); the merged summary's exchanges must be N
# for K in $WORKERS. Default --concurrency 16 per process; rules ignore nginx's Server, ETag,
# Last-Modified, Accept-Ranges (as benchmarks/replay/replay-vs-wrk.sh).
#
# Every process (wrk, nginx, the recorder or the workers, the broker) shares the machine's cores.
# For each measurement the CPU used by anything else (other sessions, steal) is printed as
# "other load", in % of the machine.
#
# usage: benchmarks/kafka/kafka-bench.sh [EXCHANGES=100000] [SECONDS=20]
#   RUNS=2           repeat both parts; the end prints the median and range over the runs
#   C=16             wrk's connections in part 1
#   WARMUP=10        seconds of wrk warm-up per recorder JVM
#   WORKERS="1 2 3"  group sizes in part 2
#   PARTITIONS=6     partitions of the topics
#   REPLAY_ARGS=     more flags for every shadow replay (e.g. "--rejudge-budget 0")
#   BROKER_OPTS="-Xmx1g"  JVM options of the broker
#   KEEP=DIR         keep the raw measurements (raw.jsonl) and the logs in DIR
#   PARTS="1 2"      which parts to run
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
here="$root/benchmarks/kafka"
N="${1:-100000}"; D="${2:-20}"
RUNS="${RUNS:-2}"; C="${C:-16}"; WARMUP="${WARMUP:-10}"; WORKERS="${WORKERS:-1 2 3}"
PARTS="${PARTS:-1 2}"; PARTITIONS="${PARTITIONS:-6}"; REPLAY_ARGS="${REPLAY_ARGS:-}"; BROKER_OPTS="${BROKER_OPTS:--Xmx1g}"
source "$root/benchmarks/lib/nginx-static.sh"
bench_install wrk nginx curl
[ -x /usr/bin/time ] || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q time; }

work="$(mktemp -d)"
chmod 755 "$work"
mkdir -p "$work/logs"
pids=()   # every background process this script starts (killed by pid at exit)
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  nginx -p "$work" -c nginx.conf -s stop 2>/dev/null || true
  if [ -n "${KEEP:-}" ]; then mkdir -p "$KEEP" && cp -r "$work/raw.jsonl" "$work/logs" "$KEEP/" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- builds, outside the timing ---------------------------------------------------------------
"$root/shadow" --version >/dev/null   # builds the CLI when its sources changed
# a private copy: a rebuild in the checkout during the benchmark cannot change what is measured
cp "$root/shadow-cli/target/shadow.jar" "$work/shadow.jar"
shadow() { java ${SHADOW_JAVA_OPTS:-} -jar "$work/shadow.jar" "$@"; }
if [ ! -f "$root/shadow-kafka/target/test-classes/dev/shadowtest/kafka/TestBroker.class" ]; then
  (cd "$root" && mvn -B -o -q test-compile -pl shadow-kafka)
fi
(cd "$root" && mvn -B -o -q dependency:build-classpath -pl shadow-kafka -Dmdep.outputFile="$work/kcp.txt" \
  -Dmdep.includeScope=test) > "$work/logs/classpath.txt" 2>&1 || { cat "$work/logs/classpath.txt" >&2; exit 1; }
cp -r "$root/shadow-kafka/target/test-classes" "$work/test-classes"
kcp="$work/cls:$work/test-classes:$(cat "$work/kcp.txt")"
javac -d "$work/cls" -cp "$kcp" "$here/KafkaBenchTool.java"
tool() { java -cp "$kcp" KafkaBenchTool "$@"; }

# ---- nginx and the broker ---------------------------------------------------------------------
bench_static_site "$work"
up=$(bench_free_port)
bench_nginx "$work" "  server { listen 127.0.0.1:$up; root $work/www; }"
url="http://127.0.0.1:$up"
path=/api/data.json
for _ in $(seq 1 20); do curl -sf "$url$path" >/dev/null && break; sleep 0.3; done
curl -sf "$url$path" >/dev/null || { echo "nginx did not serve $url$path" >&2; cat "$work/logs/error.log" >&2; exit 1; }
nginx_workers=$(pgrep -P "$(cat "$work/nginx.pid")" | tr '\n' ' ')

java $BROKER_OPTS -cp "$kcp" KafkaBenchTool broker "$work/bootstrap" "replay:$PARTITIONS" > "$work/logs/broker.txt" 2>&1 &
broker_pid=$!; pids+=("$broker_pid")
for _ in $(seq 1 240); do
  [ -f "$work/bootstrap" ] && break
  kill -0 "$broker_pid" 2>/dev/null || { echo "the broker exited:" >&2; cat "$work/logs/broker.txt" >&2; exit 1; }
  sleep 0.5
done
[ -f "$work/bootstrap" ] || { echo "the broker did not start within 120 s" >&2; exit 1; }
broker=$(cat "$work/bootstrap")

tick=$(getconf CLK_TCK)
raw="$work/raw.jsonl"; : > "$raw"
printf 'version: 1\ndefaults:\n  ignoreHeaders: [Server, ETag, Last-Modified, Accept-Ranges]\n' > "$work/rules.yaml"
dirty=$(git -C "$root" status --porcelain -- . ':!benchmarks/kafka' 2>/dev/null | wc -l)
echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(free -g | awk '/^Mem:/ {print $2}') GiB," \
  "$(java -version 2>&1 | head -1), $(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2), nginx $(nginx -v 2>&1 | sed 's/.*\///')"
echo "== commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')$([ "$dirty" -gt 0 ] && echo " + $dirty changed file(s) in the working tree")," \
  "broker $broker (pid $broker_pid, $BROKER_OPTS), $PARTITIONS partitions; load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== part 1: wrk -t1 -c$C -d${D}s per measurement, warm-up ${WARMUP}s per recorder; part 2: $N exchanges, groups of ${WORKERS// /, } worker(s); $RUNS run(s)"

# ---- helpers ----------------------------------------------------------------------------------
sys_busy() { awk '/^cpu / {print $2 + $3 + $4 + $9}' /proc/stat; }  # user, nice, system, steal (as record-vs-nginx.sh)

settle() { # pid...: until the processes are idle (< 5% of a core over 0.4 s), at most 30 s
  local a b
  a=$(bench_cpu_ticks "$@")
  for _ in $(seq 1 75); do
    sleep 0.4
    b=$(bench_cpu_ticks "$@")
    [ $(( (b - a) * 1000 / tick )) -le 20 ] && return 0
    a=$b
  done
}

wait_up() { # port pid
  for _ in $(seq 1 150); do
    curl -sf "http://127.0.0.1:$1$path" >/dev/null 2>&1 && return 0
    kill -0 "$2" 2>/dev/null || { echo "the recorder on port $1 exited" >&2; return 1; }
    sleep 0.2
  done
  echo "the recorder on port $1 did not answer" >&2; return 1
}

forget() { # pid: no longer ours to kill at exit
  local p keep=()
  for p in "${pids[@]}"; do [ "$p" = "$1" ] || keep+=("$p"); done
  pids=("${keep[@]}")
}

other_load() { # busy0 busy1 ours_ticks ms: % of the machine used by others
  python3 -c "print(round(max(0, 100 * ($2 - $1 - $3) / ($tick * $(nproc) * $4 / 1000))))"
}

direct() { # run
  local out rps p99 n t0 t1 b0 b1 n0 n1 w
  b0=$(sys_busy); n0=$(bench_cpu_ticks $nginx_workers); t0=$(date +%s%3N)
  out=$(/usr/bin/time -f '%U %S' -o "$work/wrk-time" wrk -t1 -c"$C" -d"${D}s" --latency "$url$path")
  t1=$(date +%s%3N); b1=$(sys_busy); n1=$(bench_cpu_ticks $nginx_workers)
  echo "$out" > "$work/logs/direct-$1.txt"
  read -r rps p99 n < <(echo "$out" | bench_wrk_numbers)
  w=$(awk -v t="$tick" '{printf "%d", ($1 + $2) * t}' "$work/wrk-time")
  printf '{"kind":"record","run":%s,"name":"direct","rps":%s,"p99":%s,"requests":%s,"cpu_nginx":%s,"other":%s}\n' \
    "$1" "$rps" "$p99" "$n" "$(python3 -c "print(($n1 - $n0) / $tick)")" "$(other_load "$b0" "$b1" $((n1 - n0 + w)) $((t1 - t0)))" >> "$raw"
  echo "   direct: $rps req/s, p99 $p99 ms"
}

recorder() { # run name(file|kafka)
  local run="$1" name="$2" port admin out rec_pid watch_pid="" s0 s1 t0 t1 t2 b0 b1 c0 c1 k0 k1 n0 n1 o rps p99 n w topic=""
  port=$(bench_free_port); admin=$(bench_free_port)
  if [ "$name" = kafka ]; then
    topic="rec-$run"; tool create "$broker" "$topic" "$PARTITIONS"
    out="kafka://$broker/$topic"
  else
    out="$work/rec-$run.jsonl.gz"
  fi
  java ${SHADOW_JAVA_OPTS:-} -jar "$work/shadow.jar" record --listen "127.0.0.1:$port" --upstream "$url" --out "$out" \
    --stats-every 0 --admin-port "$admin" > "$work/logs/record-$name-$run.txt" 2>&1 &
  rec_pid=$!; pids+=("$rec_pid")
  wait_up "$port" "$rec_pid"
  wrk -t1 -c"$C" -d"${WARMUP}s" "http://127.0.0.1:$port$path" > /dev/null
  settle "$rec_pid" "$broker_pid"
  if [ -n "$topic" ]; then
    tool watch "$broker" "$topic" 250 > "$work/logs/offsets-$run.txt" 2>/dev/null &
    watch_pid=$!; pids+=("$watch_pid")
    for _ in $(seq 1 100); do [ -s "$work/logs/offsets-$run.txt" ] && break; sleep 0.1; done
    sleep 0.5
  fi
  s0=$(curl -sf "http://127.0.0.1:$admin/_shadow/stats")
  b0=$(sys_busy); c0=$(bench_cpu_ticks "$rec_pid"); k0=$(bench_cpu_ticks "$broker_pid"); n0=$(bench_cpu_ticks $nginx_workers)
  t0=$(date +%s%3N)
  o=$(/usr/bin/time -f '%U %S' -o "$work/wrk-time" wrk -t1 -c"$C" -d"${D}s" --latency "http://127.0.0.1:$port$path")
  t1=$(date +%s%3N); b1=$(sys_busy)
  n1=$(bench_cpu_ticks $nginx_workers)
  w=$(awk -v t="$tick" '{printf "%d", ($1 + $2) * t}' "$work/wrk-time")
  local other_ours=$(( $(bench_cpu_ticks "$rec_pid") - c0 + $(bench_cpu_ticks "$broker_pid") - k0 + n1 - n0 + w ))
  settle "$rec_pid" "$broker_pid"
  t2=$(date +%s%3N)
  c1=$(bench_cpu_ticks "$rec_pid"); k1=$(bench_cpu_ticks "$broker_pid")
  s1=$(curl -sf "http://127.0.0.1:$admin/_shadow/stats")
  [ -z "$watch_pid" ] || { sleep 0.6; kill "$watch_pid"; wait "$watch_pid" 2>/dev/null || true; forget "$watch_pid"; }
  kill -TERM "$rec_pid"; wait "$rec_pid" || true; forget "$rec_pid"
  echo "$o" > "$work/logs/wrk-$name-$run.txt"
  read -r rps p99 n < <(echo "$o" | bench_wrk_numbers)
  local total=null
  [ -z "$topic" ] || total=$(tool offsets "$broker" "$topic")
  python3 - "$raw" "$run" "$name" "$rps" "$p99" "$n" "$s0" "$s1" "$t0" "$t1" "$t2" $((c1 - c0)) $((k1 - k0)) $((n1 - n0)) \
    "$(other_load "$b0" "$b1" "$other_ours" $((t1 - t0)))" "$total" "$work/logs/offsets-$run.txt" \
    "$(grep -m1 '^stopped:' "$work/logs/record-$name-$run.txt" || echo 'stopped: ?')" "$tick" <<'PY'
import json, re, sys
(raw, run, name, rps, p99, n, s0, s1, t0, t1, t2, cpu_rec, cpu_broker, cpu_nginx, other, total, offsets, stopped, tick) = sys.argv[1:]
s0, s1 = json.loads(s0), json.loads(s1)
tick = int(tick)
t0, t1, t2 = int(t0), int(t1), int(t2)
row = dict(kind="record", run=int(run), name=name, rps=float(rps), p99=float(p99), requests=int(n),
           proxied=s1["proxied"] - s0["proxied"], recorded=s1["recorded"] - s0["recorded"],
           dropped={k: v - s0["dropped"].get(k, 0) for k, v in s1["dropped"].items() if v - s0["dropped"].get(k, 0)},
           seconds=(t1 - t0) / 1000, idle_after_ms=t2 - t1, cpu_recorder=int(cpu_rec) / tick,
           cpu_broker=int(cpu_broker) / tick, cpu_nginx=int(cpu_nginx) / tick, other=int(other), stopped=stopped[len("stopped: "):])
m = re.search(r"recorded (\d+)", stopped)
row["stopped_recorded"] = int(m.group(1)) if m else None
if name == "kafka":
    samples = [tuple(map(int, l.split())) for l in open(offsets) if len(l.split()) == 2]
    def at(t):  # the last sample at or before t (the first one if none)
        best = samples[0]
        for s in samples:
            if s[0] <= t:
                best = s
        return best
    a, b, c = at(t0), at(t1), at(t2)
    row.update(topic_records=int(total), kafka_in_run=b[1] - a[1], kafka_run_seconds=(b[0] - a[0]) / 1000,
               kafka_by_idle=c[1] - a[1])
open(raw, "a").write(json.dumps(row) + "\n")
print("   %s: %.0f req/s, p99 %.2f ms; proxied %d, recorded %d, dropped %s%s" % (
    name, row["rps"], row["p99"], row["proxied"], row["recorded"], row["dropped"] or 0,
    "; reached the topic during the run %d (%.0f/s), by idle %d; topic %d records, recorder says %s" % (
        row["kafka_in_run"], row["kafka_in_run"] / max(row["kafka_run_seconds"], 1e-3), row["kafka_by_idle"],
        row["topic_records"], row["stopped_recorded"]) if name == "kafka" else ""))
PY
  [ "$name" = kafka ] || rm -f "$out"
}

replay() { # run name workers location...: one configuration of part 2
  local run="$1" name="$2" k="$3" loc="$4"
  local dir="$work/r$run/$name" i t0 t1 b0 b1 k0 k1 n0 n1 m0 m1 group=() wp=() codes=()
  mkdir -p "$dir"
  [ "$k" -gt 0 ] && group=(--group "g-$run-$k")
  b0=$(sys_busy); k0=$(bench_cpu_ticks "$broker_pid"); n0=$(bench_cpu_ticks $nginx_workers)
  t0=$(date +%s%3N)
  for i in $(seq 1 "$(( k > 0 ? k : 1 ))"); do
    /usr/bin/time -f '%e %U %S' -o "$dir/time-w$i" java ${SHADOW_JAVA_OPTS:-} -jar "$work/shadow.jar" replay \
      --recording "$loc" "${group[@]}" --candidate "$url" --rules "$work/rules.yaml" $REPLAY_ARGS \
      --out "$dir/w$i" > "$dir/log-w$i.txt" 2>&1 &
    wp+=($!); pids+=($!)
  done
  for i in "${!wp[@]}"; do
    if wait "${wp[$i]}"; then codes+=(0); else codes+=($?); fi
    forget "${wp[$i]}"
  done
  t1=$(date +%s%3N); b1=$(sys_busy); k1=$(bench_cpu_ticks "$broker_pid"); n1=$(bench_cpu_ticks $nginx_workers)
  local summary="$dir/w1/summary.json" merge_ms=0
  if [ "$k" -gt 0 ]; then
    m0=$(date +%s%3N)
    shadow merge --out "$dir/merged" "$dir"/w[0-9]* > "$dir/merge.txt" 2>&1 || codes+=("merge:$?")
    m1=$(date +%s%3N); merge_ms=$((m1 - m0)); summary="$dir/merged/summary.json"
  fi
  for f in "$dir"/log-w*.txt; do cp "$f" "$work/logs/replay-$run-$name-$(basename "$f" | sed 's/^log-//')"; done
  [ ! -f "$dir/merge.txt" ] || cp "$dir/merge.txt" "$work/logs/replay-$run-$name-merge.txt"
  python3 - "$raw" "$run" "$name" "$k" "$N" "$t0" "$t1" "$merge_ms" $((k1 - k0)) $((n1 - n0)) "$b0" "$b1" "$tick" "$(nproc)" \
    "$summary" "${codes[*]}" "$dir"/time-w* <<'PY'
import json, os, sys
(raw, run, name, k, n, t0, t1, merge_ms, cpu_broker, cpu_nginx, b0, b1, tick, cores, summary, codes) = sys.argv[1:17]
times = [list(map(float, open(f).read().split()[-3:])) for f in sys.argv[17:]]
tick, cores = int(tick), int(cores)
wall = (int(t1) - int(t0)) / 1000
cpu_workers = sum(u + s for _, u, s in times)
ours = cpu_workers * tick + int(cpu_broker) + int(cpu_nginx)
other = max(0, 100 * (int(b1) - int(b0) - ours) / (tick * cores * wall))
s = json.load(open(summary)) if os.path.exists(summary) else {}
shares = []
for i in range(1, len(times) + 1):
    p = os.path.join(os.path.dirname(sys.argv[17]), "w%d" % i, "summary.json")
    shares.append(json.load(open(p)).get("exchanges") if os.path.exists(p) else None)
row = dict(kind="replay", run=int(run), name=name, workers=int(k), n=int(n), wall=wall, merge=int(merge_ms) / 1000,
           worker_walls=[e for e, _, _ in times], cpu_workers=round(cpu_workers, 2), cpu_broker=int(cpu_broker) / tick,
           cpu_nginx=int(cpu_nginx) / tick, other=round(other), exchanges=s.get("exchanges"), compared=s.get("compared"),
           matched=s.get("matched"), errors=s.get("errors"), shares=shares, exits=codes.split())
open(raw, "a").write(json.dumps(row) + "\n")
ok = "OK" if row["exchanges"] == int(n) else "MISMATCH: expected %s" % n
print("   %-8s %5.1f s wall (%s), %6.0f exchanges/s%s; exchanges %s (%s), compared %s, matched %s, errors %s; exit %s"
      % (name, wall, ", ".join("%.1f" % w for w in row["worker_walls"]), int(n) / wall,
         ", merge %.1f s" % row["merge"] if int(k) else "", row["exchanges"], ok, row["compared"], row["matched"],
         row["errors"], " ".join(row["exits"])))
PY
  rm -rf "$dir"
}

# ---- part 2's recording, published once -------------------------------------------------------
part() { [[ " $PARTS " == *" $1 "* ]]; }
if part 2; then
python3 "$root/benchmarks/replay/generate.py" "$work/replay.jsonl.gz" "$N" "$work/www/api/data.json" "$path"
t0=$(date +%s%3N)
shadow export --to recording "$work/replay.jsonl.gz" --out "kafka://$broker/replay" > "$work/logs/export.txt" 2>&1
t1=$(date +%s%3N)
published=$(tool offsets "$broker" replay)
printf '{"kind":"export","n":%s,"seconds":%s,"topic_records":%s}\n' "$N" "$(python3 -c "print(($t1 - $t0) / 1000)")" "$published" >> "$raw"
echo "== published $N exchanges to kafka://$broker/replay in $(python3 -c "print(round(($t1 - $t0) / 1000, 1))") s (JVM start included): the topic holds $published records"
[ "$published" = "$N" ] || echo "   MISMATCH: the topic holds $published records, not $N" >&2
fi

for run in $(seq 1 "$RUNS"); do
  echo "== run $run of $RUNS ($(date +%T), load average $(cut -d' ' -f1-3 /proc/loadavg))"
  if part 1; then
    echo " - part 1: the recorder at full proxy load (wrk -t1 -c$C -d${D}s)"
    direct "$run"
    if [ $((run % 2)) = 1 ]; then recorder "$run" file; recorder "$run" kafka; else recorder "$run" kafka; recorder "$run" file; fi
  fi
  part 2 || { python3 "$here/kafka-summary.py" "$raw" "$run"; continue; }
  echo " - part 2: replay of $N exchanges ($(date +%T), load average $(cut -d' ' -f1-3 /proc/loadavg))"
  configs=("file 0 $work/replay.jsonl.gz" "alone 0 kafka://$broker/replay")
  for k in $WORKERS; do configs+=("group-$k $k kafka://$broker/replay"); done
  if [ $((run % 2)) = 0 ]; then  # every other run in reverse order: drift of the machine's load evens out
    rev=(); for ((i = ${#configs[@]} - 1; i >= 0; i--)); do rev+=("${configs[$i]}"); done; configs=("${rev[@]}")
  fi
  for c in "${configs[@]}"; do replay "$run" $c; done
  python3 "$here/kafka-summary.py" "$raw" "$run"
done
[ "$RUNS" -gt 1 ] && python3 "$here/kafka-summary.py" "$raw" all
exit 0
