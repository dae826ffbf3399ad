#!/usr/bin/env bash
# Whole replays under JIT settings (issue 19, start-up): what `SHADOW_JAVA_OPTS` does to a run of
# 100,000 and of 400,000 exchanges, and to the 300,000 between them (the marginal rate and CPU per
# exchange). Not part of `mvn verify`.
#
# nginx (one worker) serves the 2 KB JSON document (benchmarks/lib/nginx-static.sh); generate.py
# writes the recordings (version 1). Each round runs every setting in turn, each with
# `--rejudge-budget 0` through ./shadow; wall-clock and CPU (user + system) from /usr/bin/time.
#
# usage: benchmarks/replay/jit-settings.sh [ROUNDS]      (default 2)
#   SETTINGS='-Dx=default|-XX:FreqInlineSize=100 -XX:InlineSmallCode=1000'   settings, |-separated
#   SMALL=100000 LARGE=400000                                                 the two run sizes
#   SHADOW=./shadow
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
rounds="${1:-2}"
SHADOW="${SHADOW:-$root/shadow}"
SMALL="${SMALL:-100000}"; LARGE="${LARGE:-400000}"
IFS='|' read -r -a settings <<< "${SETTINGS:--Dx=default|-XX:FreqInlineSize=100 -XX:InlineSmallCode=1000}"
source "$root/benchmarks/lib/nginx-static.sh"
bench_install nginx curl
bench_install_time
bench_workdir
bench_document_upstream
for n in "$SMALL" "$LARGE"; do
  python3 "$root/benchmarks/replay/generate.py" "$work/rec$n.jsonl.gz" "$n" "$work/body.json" /api/data.json
done
printf 'version: 1\ndefaults:\n  ignoreHeaders: [Server, ETag, Last-Modified, Accept-Ranges]\n' > "$work/rules.yaml"
"$SHADOW" --version >/dev/null
for r in $(seq 1 "$rounds"); do
  for s in "${settings[@]}"; do
    for n in "$SMALL" "$LARGE"; do
      rm -rf "$work/r"
      SHADOW_JAVA_OPTS="$s" /usr/bin/time -o "$work/t" -f "%e %U %S" "$SHADOW" replay \
        --recording "$work/rec$n.jsonl.gz" --candidate "http://127.0.0.1:$up" \
        --rules "$work/rules.yaml" --rejudge-budget 0 --out "$work/r" > "$work/log" 2>&1 || true
      done_n=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["exchanges"])' "$work/r/summary.json")
      echo "$r|$s|$n|$(tail -1 "$work/t")|$done_n"
    done
  done
done > "$work/times"
python3 - "$work/times" "$SMALL" "$LARGE" <<'PY'
import sys
small, large = sys.argv[2], sys.argv[3]
runs = {}
for line in open(sys.argv[1]):
    r, s, n, t, done = line.rstrip("\n").split("|")
    wall, user, system = map(float, t.split())
    runs.setdefault((r, s), {})[n] = (wall, user + system, int(done))
for (r, s), v in runs.items():
    a, b = v[small], v[large]
    extra = int(large) - int(small)
    print("round %s  %-50s  %s: %5.1f s, %5.1f s CPU  %s: %5.1f s, %5.1f s CPU  marginal: %6.0f/s, %5.1f us CPU  (%d and %d compared)"
          % (r, s, small, a[0], a[1], large, b[0], b[1], extra / (b[0] - a[0]), (b[1] - a[1]) / extra * 1e6, a[2], b[2]))
PY
