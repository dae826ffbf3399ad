#!/usr/bin/env bash
# The ceiling of a replay client (issue 19, item 1: "Measure the ceiling first"). Not part of
# `mvn verify`. What the HTTP libraries allow, and what Shadow adds, measured in one run:
#
# One server, nginx serving a static 2 KB JSON file (one worker, access log off), and one client
# at a time, each with IN_FLIGHT requests in flight (one connection each) for SECONDS:
#   wrk               wrk -t1 -cIN_FLIGHT, measured first and again last in every run; their mean
#                     is the run's reference (ratio 100%)
#   hc5-async         ReplayCeiling (benchmarks/): HttpClient 5 async, SimpleHttpRequest, no diffing
#   hc5-async-stream  ReplayCeiling: the same client with a consumer that counts and drops the body
#   hc5-classic       ReplayCeiling: classic HttpClient 5, one thread per keep-alive connection
#   core5-async       ReplayCeiling: HttpCore 5's HttpAsyncRequester, the same counting consumer
#   shadow replay     ./shadow replay --concurrency IN_FLIGHT of a recording of the same GET whose
#                     recorded response is that file (so every exchange is diffed and written, as
#                     in replay-vs-wrk.sh), twice: REPLAY_SMALL and REPLAY_N exchanges. "whole" is
#                     REPLAY_N / the wall time of the command (JVM start included); "marginal" is
#                     (REPLAY_N - REPLAY_SMALL) / the difference of the two wall times, which
#                     leaves out the JVM's start, its cold JIT and the reports written at the end.
#   shadow-nostore    the same with --rejudge-budget 0: no responses.jsonl.gz (the compared
#                     responses kept for `shadow report --rules`), to show what that store costs
# The ReplayCeiling clients warm up for WARMUP seconds in the same JVM (same client, same
# connections) before their measured phase; only that phase is counted.
#
# For each: req/s, the ratio to the run's wrk reference, and the client's CPU per exchange:
# utime+stime of the client process (all threads; /proc/PID/stat's fields 14 and 15, which is
# what wait4's rusage reports for wrk and shadow once they exit), divided by the exchanges. For
# ReplayCeiling it is read from /proc/self/stat at the start and end of the measured phase; for
# shadow "whole" it is the whole command, for "marginal" the difference of the two commands.
# "other" is the share of the 2 cores used by processes other than the client and nginx during
# the measurement (a busy machine moves every figure).
#
# usage: benchmarks/replay/ceiling.sh [IN_FLIGHT=16] [SECONDS=10]
#   RUNS=1            repeat; the end prints median [min - max] of each figure over the runs
#   WARMUP=10         seconds of JIT warm-up of the ReplayCeiling clients
#   KINDS="hc5-async hc5-async-stream hc5-classic core5-async"
#   REPLAY_N=100000   exchanges of the long shadow replay; REPLAY_SMALL (default REPLAY_N/5) of the short
#   NOSTORE=1         also measure shadow replay --rejudge-budget 0 (0: skip it)
#   C1=0              1: also measure shadow replay with SHADOW_JAVA_OPTS=-XX:TieredStopAtLevel=1 (no C2
#                     JIT: its compile time is the largest fixed cost of a run; shadow-c1)
#   ITEMS=20          products in the served document: 20 make 2 KB, 6 about 0.6 KB, 200 about 20 KB
#   SHADOW=...        the shadow launcher (default: this checkout's ./shadow)
#   KEEP=DIR          keep the raw measurements and the clients' output in DIR
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
C="${1:-16}"; D="${2:-10}"
RUNS="${RUNS:-1}"; WARMUP="${WARMUP:-10}"
KINDS="${KINDS:-hc5-async hc5-async-stream hc5-classic core5-async}"
REPLAY_N="${REPLAY_N:-100000}"; NOSTORE="${NOSTORE:-1}"; C1="${C1:-0}"; ITEMS="${ITEMS:-20}"; REPLAY_SMALL="${REPLAY_SMALL:-$((REPLAY_N / 5))}"
SHADOW="${SHADOW:-$root/shadow}"
source "$root/benchmarks/lib/nginx-static.sh"
bench_install wrk nginx curl
[ -x /usr/bin/time ] || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q time; }

work="$(mktemp -d)"
cleanup() {
  nginx -p "$work" -c nginx.conf -s stop 2>/dev/null || true
  if [ -n "${KEEP:-}" ]; then mkdir -p "$KEEP" && cp -r "$work/raw.txt" "$work/logs" "$KEEP/" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
bench_static_site "$work" "$ITEMS"
port=$(bench_free_port)
bench_nginx "$work" "  server { listen 127.0.0.1:$port; root $work/www; }"
path=/api/data.json
url="http://127.0.0.1:$port$path"
for _ in $(seq 1 20); do curl -sf "$url" >/dev/null && break; sleep 0.3; done
curl -sf "$url" >/dev/null || { echo "nginx did not serve $url; see $work/logs/error.log" >&2; cat "$work/logs/error.log" >&2; exit 1; }
workers=$(pgrep -P "$(cat "$work/nginx.pid")" | tr '\n' ' ')

# build everything once, outside the timing; the recordings too
(cd "$root" && mvn -o -q package -pl benchmarks -am -DskipTests) >/dev/null
"$SHADOW" --version >/dev/null
python3 "$root/benchmarks/replay/generate.py" "$work/small.jsonl.gz" "$REPLAY_SMALL" "$work/www/api/data.json" "$path"
python3 "$root/benchmarks/replay/generate.py" "$work/large.jsonl.gz" "$REPLAY_N" "$work/www/api/data.json" "$path"
# nginx adds validators that a recording would hold too; as in replay-vs-wrk.sh
printf 'version: 1\ndefaults:\n  ignoreHeaders: [Server, ETag, Last-Modified, Accept-Ranges]\n' > "$work/rules.yaml"
tick=$(getconf CLK_TCK); cores=$(nproc)
raw="$work/raw.txt"; : > "$raw"

echo "== machine: $cores cores, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(java -version 2>&1 | head -1)," \
  "$(wrk --version 2>&1 | head -1 | cut -d' ' -f1-2), nginx $(nginx -v 2>&1 | sed 's/.*\///'); commit $(git -C "$root" rev-parse --short HEAD)"
echo "== $C in flight, ${D}s per client (ReplayCeiling: +${WARMUP}s warm-up), a document of $(wc -c < "$work/www/api/data.json") bytes, shadow replay of $REPLAY_SMALL and $REPLAY_N exchanges; $RUNS run(s)"

sys_busy() { # machine-wide CPU ticks used by processes (user, nice, system) and steal
  awk '/^cpu / {print $2 + $3 + $4 + $9}' /proc/stat
}

timed() { # name command...: runs the client under /usr/bin/time; "wall user sys other%" in $work/timed
  local name="$1"; shift
  local s0 s1 n0 n1 t0 t1 rc=0
  s0=$(sys_busy); n0=$(bench_cpu_ticks $workers); t0=$(date +%s%N)
  /usr/bin/time -f '%U %S' -o "$work/time.txt" "$@" > "$work/logs/$name.out" 2> "$work/logs/$name.err" || rc=$?
  t1=$(date +%s%N); s1=$(sys_busy); n1=$(bench_cpu_ticks $workers)
  python3 - "$work/time.txt" "$t0" "$t1" "$s0" "$s1" "$n0" "$n1" "$tick" "$cores" > "$work/timed" <<'PY'
import sys
user, sys_ = map(float, open(sys.argv[1]).read().split()[-2:])
t0, t1, s0, s1, n0, n1, tick, cores = map(float, sys.argv[2:])
wall = (t1 - t0) / 1e9
other = max(0.0, (s1 - s0) - (n1 - n0) - (user + sys_) * tick) / (tick * cores * wall)
print("%.3f %.2f %.2f %.0f" % (wall, user, sys_, 100 * other))
PY
  return "$rc"
}

run_wrk() { # run name
  local wall user sys other rps n
  timed "$2-$1" wrk -t1 -c"$C" -d"${D}s" --latency "$url"
  read -r wall user sys other < "$work/timed"
  sed "s|^|   [run $1 $2] |" "$work/logs/$2-$1.out" | grep -E 'Latency |Req/Sec|requests in|Requests/sec|Non-2xx|Socket errors' >&2 || true
  if grep -qE 'Non-2xx|Socket errors' "$work/logs/$2-$1.out"; then echo "wrk had errors (above)" >&2; exit 1; fi
  read -r rps _ n < <(bench_wrk_numbers < "$work/logs/$2-$1.out")
  echo "m $1 $2 $rps $n $(python3 -c "print(round(1e6 * ($user + $sys) / $n, 1))") $other" >> "$raw"
}

run_kind() { # run kind
  local wall user sys other line
  if ! timed "$2-$1" java -cp "$root/benchmarks/target/benchmarks.jar" dev.shadowtest.benchmarks.ReplayCeiling \
      --kind "$2" --url "$url" --in-flight "$C" --warmup "$WARMUP" --seconds "$D"; then
    echo "ReplayCeiling $2 failed:" >&2; cat "$work/logs/$2-$1.out" "$work/logs/$2-$1.err" >&2; exit 1
  fi
  read -r wall user sys other < "$work/timed"
  line=$(grep '^RESULT' "$work/logs/$2-$1.out")
  echo "   [run $1 $2] ${line#RESULT }" >&2
  python3 - "$1" "$2" "$line" "$tick" "$other" >> "$raw" <<'PY'
import sys
run, kind, line, tick, other = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), sys.argv[5]
f = dict(kv.split("=") for kv in line.split()[1:])
n = int(f["requests"])
print("m %s %s %s %d %.1f %s" % (run, kind, f["rps"], n, 1e6 * int(f["cpu_ticks"]) / tick / n, other))
PY
}

run_shadow() { # run variant small|large n [extra options]: "size n wall cpu-seconds other" appended to $work/$variant-$run
  local run="$1" variant="$2" size="$3" n="$4"; shift 4
  local out="$work/run-$run-$variant-$size" log="$variant-$size-$run" wall user sys other
  rm -rf "$out"
  # exit 1 would be a failed gate; what counts here is that every exchange was compared
  SHADOW_JAVA_OPTS="${VARIANT_JAVA_OPTS:-}" timed "$log" "$SHADOW" replay --recording "$work/$size.jsonl.gz" --candidate "http://127.0.0.1:$port" \
    --concurrency "$C" --rules "$work/rules.yaml" --out "$out" "$@" || true
  read -r wall user sys other < "$work/timed"
  python3 - "$out/summary.json" "$n" "$run $variant $size" <<'PY' || { cat "$work/logs/$log.out" "$work/logs/$log.err" >&2; exit 1; }
import json, sys
s = json.load(open(sys.argv[1]))
n = int(sys.argv[2])
print("   [run %s] compared %d of %d, matched %d, errors %d" % (sys.argv[3], s["compared"], n, s["matched"], s["errors"]), file=sys.stderr)
if s["compared"] != n or s["errors"] != 0:
    sys.exit("shadow replay did not compare every exchange without error")
PY
  echo "$size $n $wall $(python3 -c "print($user + $sys)") $other" >> "$work/$variant-$run"
  rm -rf "$out"
}

shadow_rows() { # run variant [extra options]: the short and the long replay -> marginal and whole rows of $raw
  local run="$1" variant="$2"; shift 2
  : > "$work/$variant-$run"
  run_shadow "$run" "$variant" small "$REPLAY_SMALL" "$@"
  run_shadow "$run" "$variant" large "$REPLAY_N" "$@"
  python3 - "$work/$variant-$run" "$run" "$variant" >> "$raw" <<'PY'
import sys
rows = {l.split()[0]: l.split()[1:] for l in open(sys.argv[1])}
(ns, ws, cs, os_), (nl, wl, cl, ol) = [[float(x) for x in rows[k]] for k in ("small", "large")]
run, variant = sys.argv[2], sys.argv[3]
print("m %s %s-marginal %.1f %d %.1f %.0f" % (run, variant, (nl - ns) / (wl - ws), nl - ns, 1e6 * (cl - cs) / (nl - ns), max(os_, ol)))
print("m %s %s-whole %.1f %d %.1f %.0f" % (run, variant, nl / wl, nl, 1e6 * cl / nl, ol))
PY
}

for run in $(seq 1 "$RUNS"); do
  echo "== run $run of $RUNS ($(date -u '+%F %T') UTC, load average $(cut -d' ' -f1-3 /proc/loadavg))"
  run_wrk "$run" wrk-first
  for kind in $KINDS; do run_kind "$run" "$kind"; done
  shadow_rows "$run" shadow
  [ "$NOSTORE" = 0 ] || shadow_rows "$run" shadow-nostore --rejudge-budget 0
  [ "$C1" = 0 ] || VARIANT_JAVA_OPTS=-XX:TieredStopAtLevel=1 shadow_rows "$run" shadow-c1
  run_wrk "$run" wrk-last
  python3 - "$raw" "$run" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1]) if l.startswith("m %s " % sys.argv[2])]
ref = sum(float(r[3]) for r in rows if r[2].startswith("wrk")) / 2
print("   %-24s %10s %7s %12s %8s %6s" % ("client", "req/s", "ratio", "exchanges", "CPU us", "other"))
for r in rows:
    print("   %-24s %10.0f %6.1f%% %12s %8s %5s%%" % (r[2], float(r[3]), 100 * float(r[3]) / ref, r[4], r[5], r[6]))
PY
done

python3 - "$raw" "$RUNS" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.startswith("m ")]
runs = sorted({r[1] for r in rows})
ref = {run: sum(float(r[3]) for r in rows if r[1] == run and r[2].startswith("wrk")) / 2 for run in runs}
names = list(dict.fromkeys(r[2] for r in rows))
def fmt(values, f):
    if len(values) == 1:
        return f % values[0]
    return (f + " [" + f + " - " + f + "]") % (statistics.median(values), min(values), max(values))
print("== summary over %d run(s): median [min - max]; ratio to the mean of the run's two wrk measurements" % len(runs))
print("| client | req/s | ratio to wrk | client CPU per exchange (us) | other load |")
print("|---|---:|---:|---:|---:|")
for name in names:
    mine = [r for r in rows if r[2] == name]
    print("| %s | %s | %s | %s | %s |" % (
        name,
        fmt([float(r[3]) for r in mine], "%.0f"),
        fmt([100 * float(r[3]) / ref[r[1]] for r in mine], "%.1f%%"),
        fmt([float(r[5]) for r in mine], "%.1f"),
        fmt([float(r[6]) for r in mine], "%.0f%%")))
PY
