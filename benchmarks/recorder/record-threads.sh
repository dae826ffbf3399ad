#!/usr/bin/env bash
# Where a proxy's CPU goes, per thread (issue 18). Not part of `mvn verify`.
#
# One upstream (nginx serving the static 2 KB JSON document, one worker) and one proxy in front
# of it: `shadow record` (any options after the first argument) or `minimal` (MinimalProxy from
# benchmarks/, no capture). After a JIT warm-up (wrk -c$C for $WARMUP s), one measured wrk run;
# the CPU (utime+stime) each thread of the proxy's JVM used during it, summed by thread name
# (numbers dropped: all connection threads together), in µs per request. Threads that ended
# during the run (the minimal proxy's connection threads end with their connections) show as
# "(threads gone)": the process's total minus the living threads'.
#
# usage: benchmarks/recorder/record-threads.sh shadow|minimal [shadow record options...]
#   e.g. record-threads.sh shadow --exclude=/         (proxying only: nothing recorded)
#        record-threads.sh shadow --recording-version 2
#   C=16 DURATION=10 WARMUP=30  connections, measured seconds, warm-up seconds
#   SHADOW=./shadow             the launcher; OUT=rec.jsonl.gz the recording's name (.jsonl: no gzip)
#   SYSCALLS=1                  also count the JVM's system calls and context switches during the
#                               run (perf stat on the syscalls tracepoints; needs perf)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
which="${1:?usage: record-threads.sh shadow|minimal [options]}"; shift
C="${C:-16}"; D="${DURATION:-10}"; WARMUP="${WARMUP:-30}"
SHADOW="${SHADOW:-$root/shadow}"; OUT="${OUT:-rec.jsonl.gz}"
source "$root/benchmarks/lib/nginx-static.sh"
bench_install wrk nginx curl
work="$(mktemp -d)"; chmod 755 "$work"; mkdir -p "$work/up"
pid=""; counting=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null || true
  nginx -p "$work/up" -c nginx.conf -s stop 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
bench_static_site "$work/up"
up=$(bench_free_port); px=$(bench_free_port)
bench_nginx "$work/up" "  server { listen 127.0.0.1:$up; root $work/up/www; }"
if [ "$which" = shadow ]; then
  "$SHADOW" record --listen "127.0.0.1:$px" --upstream "http://127.0.0.1:$up" \
    --out "$work/$OUT" --stats-every 0 "$@" > "$work/proxy.log" 2>&1 &
else
  (cd "$root" && mvn -o -q package -pl benchmarks -am -DskipTests) >/dev/null
  java -cp "$root/benchmarks/target/benchmarks.jar" dev.shadowtest.benchmarks.MinimalProxy \
    --listen "127.0.0.1:$px" --upstream "http://127.0.0.1:$up" > "$work/proxy.log" 2>&1 &
fi
launched=$!
for _ in $(seq 1 150); do curl -sf "http://127.0.0.1:$px/api/data.json" >/dev/null 2>&1 && break; sleep 0.2; done
# the JVM: the launcher itself, or its child
pid=$(pgrep -P "$launched" java || echo "$launched")
[ -d "/proc/$pid/task" ] || pid=$launched
wrk -t1 -c"$C" -d"${WARMUP}s" "http://127.0.0.1:$px/api/data.json" >/dev/null
sleep 1
snap() {
  python3 - "$pid" <<'PY'
import os, sys
pid = sys.argv[1]
for t in os.listdir("/proc/%s/task" % pid):
    try:
        name = open("/proc/%s/task/%s/comm" % (pid, t)).read().strip()
        st = open("/proc/%s/task/%s/stat" % (pid, t)).read()
    except OSError:
        continue
    f = st[st.rindex(")") + 2:].split()
    print("%s|%s|%d" % (t, name, int(f[11]) + int(f[12])))
st = open("/proc/%s/stat" % pid).read()
f = st[st.rindex(")") + 2:].split()
print("0|PROCESS|%d" % (int(f[11]) + int(f[12])))
PY
}
snap > "$work/before"
if [ "${SYSCALLS:-0}" = 1 ]; then
  perf stat -e 'context-switches,syscalls:sys_enter_read,syscalls:sys_enter_write,syscalls:sys_enter_poll,syscalls:sys_enter_fcntl,syscalls:sys_enter_futex,syscalls:sys_enter_epoll_wait' \
    -p "$pid" -o "$work/syscalls" -- sleep "$D" &
  counting=$!
fi
out=$(wrk -t1 -c"$C" -d"${D}s" "http://127.0.0.1:$px/api/data.json")
sleep 1.5
[ -z "${counting:-}" ] || wait "$counting" 2>/dev/null || true
snap > "$work/after"
requests=$(echo "$out" | awk '/ requests in /{print $1}')
echo "$out" | grep -E "Requests/sec"
python3 - "$work/before" "$work/after" "$requests" "$(getconf CLK_TCK)" <<'PY'
import collections, re, sys
def load(f):
    d = {}
    for line in open(f):
        tid, name, ticks = line.strip().split("|")
        d[tid] = (re.sub(r"[-#]?\d+$", "", name), int(ticks))
    return d
a, b, requests, tick = load(sys.argv[1]), load(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
by = collections.Counter()
for tid, (name, ticks) in b.items():
    by[name] += ticks - a.get(tid, (name, 0))[1]
process = by.pop("PROCESS")
us = lambda ticks: ticks * 1e6 / tick / requests
for name, ticks in by.most_common():
    if ticks:
        print("%-32s %7.2f µs/request" % (name, us(ticks)))
print("%-32s %7.2f µs/request" % ("(threads gone)", us(process - sum(by.values()))))
print("%-32s %7.2f µs/request  (%d requests)" % ("the whole JVM", us(process), requests))
PY
if [ -f "$work/syscalls" ]; then
  awk -v r="$requests" '/syscalls:|context-switches/ {gsub(",", "", $1); printf "%-40s %6.2f per request\n", $2, $1 / r}' "$work/syscalls"
fi
kill "$pid" 2>/dev/null || true
wait "$launched" 2>/dev/null || true
pid=""
[ "$which" = shadow ] && tail -1 "$work/proxy.log" | grep -E "^stopped" || true
