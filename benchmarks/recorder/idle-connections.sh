#!/usr/bin/env bash
# Idle keep-alive connections (issue 18, item 3): N clients in another process each send one
# request and then hold their connection idle; measured: the recorder's resident memory and
# threads before and with them (right after the burst of their first requests, and 15 s later),
# the live heap after a full GC and the JVM's native memory summary, an active wrk -t1 -c4 run's
# p99 alone and beside them, and how many idle connections are still served after a 40 s hold.
# Not part of `mvn verify`.
#
# usage: benchmarks/recorder/idle-connections.sh [N=10000]   (needs ulimit -n above N + 100)
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"; N="${1:-10000}"
source "$root/benchmarks/lib/nginx-static.sh"
work="$(mktemp -d)"; rec_pid=""
cleanup() { [ -n "$rec_pid" ] && kill "$rec_pid" 2>/dev/null; nginx -p "$work" -c nginx.conf -s stop 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
bench_install wrk nginx
bench_static_site "$work"
up=$(bench_free_port); sh=$(bench_free_port); adm=$(bench_free_port)
bench_nginx "$work" "  server { listen 127.0.0.1:$up; root $work/www; }"
SHADOW_JAVA_OPTS="-XX:NativeMemoryTracking=summary ${SHADOW_JAVA_OPTS:-}" \
  "$root/shadow" record --listen "127.0.0.1:$sh" --upstream "http://127.0.0.1:$up" --out "$work/c.jsonl.gz" --stats-every 0 --admin-port "$adm" > "$work/rec.txt" 2>&1 &
rec_pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$sh/api/data.json" >/dev/null 2>&1 && break; sleep 0.2; done
jpid=$(pgrep -f "record --listen 127.0.0.1:$sh" | tail -1)
wrk -t1 -c4 -d20s "http://127.0.0.1:$sh/api/data.json" > /dev/null   # warm-up
mem() { echo "RSS $(awk '/VmRSS/ {print $2/1024 " MiB"}' /proc/$jpid/status), threads $(awk '/Threads/ {print $2}' /proc/$jpid/status)"; }
# what the memory is: the heap live after a full GC, the JVM's own accounting (NMT) of heap and
# thread stacks, and the recorder's gauge of served and idle (parked) connections
live() {
  jcmd "$jpid" GC.run > /dev/null
  echo "  heap after a full GC: $(jcmd "$jpid" GC.heap_info | awk '/garbage-first heap/ {for (i=1;i<=NF;i++) if ($i=="used") print $(i+1)}')"
  jcmd "$jpid" VM.native_memory summary | awk '/^Total:|Java Heap \(|^-  *Thread \(/ {gsub(/^-? */, ""); print "  NMT " $0}'
  curl -s "http://127.0.0.1:$adm/metrics" | grep '^shadow_client_connections' | sed 's/^/  /'
}
echo "before: $(mem)"; live
wrk -t1 -c4 -d10s --latency "http://127.0.0.1:$sh/api/data.json" | grep -E '99%|Requests/sec' | sed 's/^/  alone: /'
ulimit -n 20000
python3 "$root/benchmarks/recorder/idle-clients.py" "$N" "$sh" 40 > "$work/idle.txt" 2>&1 &
ipid=$!
for _ in $(seq 1 600); do grep -q 'open and answered' "$work/idle.txt" && break; sleep 0.2; done
cat "$work/idle.txt"
echo "right after connecting: $(mem)"
sleep 15   # threads idle 10 s end: what stays is what the idle connections hold
echo "with $N idle, 15 s later: $(mem)"; live
wrk -t1 -c4 -d10s --latency "http://127.0.0.1:$sh/api/data.json" | grep -E '99%|Requests/sec' | sed 's/^/  with idle: /'
wait $ipid; cat "$work/idle.txt" | tail -1
echo "after: $(mem)"
