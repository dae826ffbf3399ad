#!/usr/bin/env bash
# Load benchmark for the live shadow (`shadow record --mirror`, issue 17). Not part of `mvn verify`.
#
# One upstream (nginx serving a static 2 KB JSON file, one worker) that is also the candidate, and
# wrk with the same connections and duration, alternating, against:
#   1. the upstream directly                                  (the floor)
#   2. shadow record in front of it, recording only           (the reference: the same proxy)
#   3. shadow record in front of it, recording and mirroring  (every copy judged, run directory)
# Prints req/s and p99 of each, the live cost of mirroring (3 vs 2), and what the mirror judged:
# exchanges compared per second of load, and copies not sent (written as candidate errors) or
# dropped because the judge thread's queue was full.
#
# usage: benchmarks/recorder/mirror-load.sh [CONNECTIONS=16] [SECONDS=10]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
C="${1:-16}"; D="${2:-10}"
source "$root/benchmarks/lib/nginx-static.sh"
bench_install wrk nginx

bench_workdir
bench_static_site "$work"
up=$(bench_free_port)
bench_nginx "$work" "  server { listen 127.0.0.1:$up; root $work/www; }"
"$root/shadow" --version >/dev/null  # build once, outside the timing

echo "== machine: $(nproc) cores, $(java -version 2>&1 | head -1), $(wrk --version 2>&1 | head -1), nginx $(nginx -v 2>&1 | sed 's/.*\///')"
record() { # name extra-args... -> "rps p99ms" (the recorder stopped after)
  local name="$1"; shift
  local port; port=$(bench_free_port)
  "$root/shadow" record --listen "127.0.0.1:$port" --upstream "http://127.0.0.1:$up" \
    --out "$work/$name.jsonl.gz" --stats-every 0 "$@" > "$work/$name.txt" 2>&1 &
  rec_pid=$!
  for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$port/api/data.json" >/dev/null 2>&1 && break; sleep 0.2; done
  wrk -t2 -c"$C" -d5s "http://127.0.0.1:$port/api/data.json" >/dev/null  # JIT warm-up, not measured
  bench_wrk "$name" "http://127.0.0.1:$port/api/data.json"
  kill -TERM "$rec_pid"; wait "$rec_pid" || true; rec_pid=""
  grep '^stopped:' "$work/$name.txt" | sed "s/^/   [$name] /" >&2 || true
}
# each step runs to its end (the recorder stopped, its run directory written) before the next
bench_wrk direct "http://127.0.0.1:$up/api/data.json" > "$work/direct.out"
record recording > "$work/recording.out"
record mirroring --mirror "http://127.0.0.1:$up" --mirror-out "$work/live" --trigger none ${MIRROR_ARGS:-} > "$work/mirroring.out"
read -r d_rps d_p99 < "$work/direct.out"
read -r r_rps r_p99 < "$work/recording.out"
read -r m_rps m_p99 < "$work/mirroring.out"
python3 - "$d_rps" "$d_p99" "$r_rps" "$r_p99" "$m_rps" "$m_p99" "$work/live/summary.json" "$D" <<'PY'
import json, sys
d, dp, r, rp, m, mp = map(float, sys.argv[1:7])
s = json.load(open(sys.argv[7]))
seconds = float(sys.argv[8]) + 5  # the warm-up is mirrored too
print("RESULT direct %.0f req/s p99 %.2f ms | record %.0f req/s p99 %.2f ms | record+mirror %.0f req/s p99 %.2f ms"
      % (d, dp, r, rp, m, mp))
print("RESULT mirroring costs the live traffic %.1f%% of its req/s and %+.2f ms at p99 (record+mirror vs record)"
      % (100 * (1 - m / r), mp - rp))
print("RESULT mirror: %d exchanges in the run, %d compared (%.0f/s of load), %d candidate errors (copies not sent: %d in flight already), %d skipped"
      % (s["exchanges"], s["compared"], s["compared"] / seconds, s["errors"], s["errors"], s["skipped"]))
PY
