#!/usr/bin/env bash
# What a short command costs with and without the launcher's class-data sharing archive (issue 19,
# start-up). Not part of `mvn verify`.
#
# nginx serves the 2 KB JSON document (benchmarks/lib/nginx-static.sh); recordings of 1, 200 and
# 2,000 GETs of it (generate.py, version 1). Each round runs every command twice through
# ./shadow, with SHADOW_CDS=0 and with the archive (the launcher makes it first if it is missing),
# and takes the wall-clock and CPU time (user + system) from /usr/bin/time. Prints the median of
# the rounds for each command.
#
# usage: benchmarks/replay/startup.sh [ROUNDS]      (default 5)
#   SHADOW=./shadow   the launcher
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
rounds="${1:-5}"
SHADOW="${SHADOW:-$root/shadow}"
source "$root/benchmarks/lib/nginx-static.sh"
bench_install nginx curl
bench_install_time
bench_workdir
bench_document_upstream
for n in 1 200 2000; do
  python3 "$root/benchmarks/replay/generate.py" "$work/rec$n.jsonl.gz" "$n" "$work/body.json" /api/data.json
done
printf 'version: 1\ndefaults:\n  ignoreHeaders: [Server, ETag, Last-Modified, Accept-Ranges]\n' > "$work/rules.yaml"
"$SHADOW" --version >/dev/null # builds the CLI and its archive if needed
replay="--candidate http://127.0.0.1:$up --rules $work/rules.yaml --out $work/r"
"$SHADOW" replay --recording "$work/rec200.jsonl.gz" $replay >/dev/null 2>&1 || true
mv "$work/r" "$work/run"
cat > "$work/commands" <<EOF
version|--version
inspect|inspect $work/rec2000.jsonl.gz
report|report --results $work/run --out $work/rep
gate|gate --summary $work/run/summary.json
replay-1|replay --recording $work/rec1.jsonl.gz $replay
replay-200|replay --recording $work/rec200.jsonl.gz $replay
replay-2000|replay --recording $work/rec2000.jsonl.gz $replay
EOF
for _ in $(seq 1 "$rounds"); do
  while IFS='|' read -r name args; do
    for cds in 0 1; do
      rm -rf "$work/r" "$work/rep"
      # shellcheck disable=SC2086 # the arguments are words
      SHADOW_CDS=$cds /usr/bin/time -o "$work/t" -f "%e %U %S" "$SHADOW" $args >/dev/null 2>&1 || true
      echo "$name $cds $(tail -1 "$work/t")"
    done
  done < "$work/commands"
done > "$work/times"
python3 - "$work/times" <<'PY'
import collections, statistics, sys
d = collections.defaultdict(list)
names = []
for line in open(sys.argv[1]):
    name, cds, wall, user, system = line.split()
    d[(name, cds)].append((float(wall), float(user) + float(system)))
    if name not in names:
        names.append(name)
med = statistics.median
print("%-12s %22s %22s  rounds" % ("command", "wall s: without, with", "CPU s: without, with"))
for n in names:
    a, b = d[(n, "0")], d[(n, "1")]
    print("%-12s %10.2f %10.2f  %10.2f %10.2f  %d" % (
        n, med(x[0] for x in a), med(x[0] for x in b), med(x[1] for x in a), med(x[1] for x in b), len(a)))
PY
