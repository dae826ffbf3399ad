#!/usr/bin/env bash
# Benchmark of `shadow reconcile` (issue 22, "Performance"). Not part of `mvn verify`.
#
# One machine, one PostgreSQL server on 127.0.0.1 (initdb into a temporary directory; as the
# postgres user when run as root), two databases `legacy` and `candidate` with a table `accounts`
# of $ROWS rows each (id bigint, owner text, balance/amount numeric(14,2), note text, opened
# timestamp) and the drift of the acceptance test (ReconcileMillionRowsTests: 220 differing rows
# per 1,000,050), plus a table `same`, identical on both sides. Each configuration runs $RUNS
# times; the median and range of the wall time are printed, with the CPU seconds of the process
# (and of the server) over the median run.
#
#   stream     shadow reconcile, dataset `accounts`, checksum: false (both sides streamed and merged)
#   default    shadow reconcile, dataset `accounts` (the checksums differ, then it streams)
#   checksum   shadow reconcile, dataset `same` (confirmed by the checksums, nothing streamed)
#   reference  psql \copy of both tables to CSV (ordered by id, as Shadow reads them), then
#              LC_ALL=C sort of each dump, then join -a1 -a2 of the dumps and awk counting the rows
#              only on one side and the rows whose columns differ (no tolerance, no rules)
#
# The rate is rows reconciled per second: ($ROWS + $ROWS) rows read / wall time. The ratio is
# Shadow's rate over the reference's, both from this run. Shadow runs in `java -Xmx256m -jar`.
#
# usage: benchmarks/reconcile/reconcile-bench.sh [ROWS=1000000] [RUNS=3]
set -euo pipefail
ROWS="${1:-1000000}"
RUNS="${2:-3}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
"$root/shadow" --version >/dev/null   # builds the CLI when sources changed
work="$(mktemp -d /tmp/shadow-reconcile-bench.XXXXXX)"
cp "$root/shadow-cli/target/shadow.jar" "$work/shadow.jar"

bin="$(pg_config --bindir 2>/dev/null || true)"
[ -x "$bin/initdb" ] || bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
[ -x "$bin/initdb" ] || { echo "PostgreSQL not found (apt-get install -y postgresql)" >&2; exit 2; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$work"
port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
as_pg "$bin/initdb" -D "$work/data" -U shadow --auth=trust -E UTF8 --locale=C >/dev/null
as_pg "$bin/pg_ctl" -D "$work/data" -l "$work/server.log" -w start \
  -o "-p $port -k $work -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null
cleanup() { as_pg "$bin/pg_ctl" -D "$work/data" -m fast stop >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT
psql() { command psql -q -X -h 127.0.0.1 -p "$port" -U shadow -v ON_ERROR_STOP=1 "$@"; }
server_pid="$(head -1 "$work/data/postmaster.pid")"
server_cpu() { # user+system seconds of the server and its backends, by clock ticks
  local t=0; for p in $(pgrep -P "$server_pid") "$server_pid"; do
    t=$((t + $(awk '{print $14 + $15 + $16 + $17}' "/proc/$p/stat" 2>/dev/null || echo 0))); done
  echo "$t"; }

echo "seeding $ROWS rows a side..."
psql -d postgres -c "CREATE DATABASE legacy" -c "CREATE DATABASE candidate"
rows="SELECT i, 'owner-' || (i % 9973), (i % 100000) / 100.0, CASE WHEN i % 25000 = 3 THEN '' ELSE 'n' || (i % 7) END, timestamp '2026-01-01' + i * interval '1 second' FROM generate_series(1, $ROWS) i"
for db in legacy candidate; do
  col=balance; [ "$db" = candidate ] && col=amount
  psql -d "$db" -c "CREATE TABLE accounts (id bigint PRIMARY KEY, owner text, $col numeric(14,2), note text, opened timestamp)" \
    -c "INSERT INTO accounts $rows" \
    -c "CREATE TABLE same (id bigint PRIMARY KEY, owner text, balance numeric(14,2), note text, opened timestamp)" \
    -c "INSERT INTO same $rows"
done
psql -d candidate -c "DELETE FROM accounts WHERE id % 10000 = 7" \
  -c "INSERT INTO accounts SELECT i, 'new', 1, 'n', now() FROM generate_series($((ROWS + 1)), $((ROWS + 50))) i" \
  -c "UPDATE accounts SET amount = amount + 0.50 WHERE id % 20000 = 13" \
  -c "UPDATE accounts SET amount = amount + 0.01 WHERE id % 20000 = 17" \
  -c "UPDATE accounts SET note = NULL WHERE id % 25000 = 3" \
  -c "UPDATE accounts SET note = NULL WHERE id % 50000 = 19"
for db in legacy candidate; do psql -d "$db" -c "VACUUM ANALYZE"; done

spec() { # $1 table, $2 checksum
  local cand=balance; [ "$1" = accounts ] && cand=amount
  cat <<YAML
version: 1
legacy:    { jdbc: "jdbc:postgresql://127.0.0.1:$port/legacy", user: shadow }
candidate: { jdbc: "jdbc:postgresql://127.0.0.1:$port/candidate", user: shadow }
datasets:
  - name: $1
    legacy: { table: $1 }
    candidate: { table: $1 }
    key: [id]
    checksum: $2
    columns:
      - owner
      - { name: balance, candidateColumn: $cand, tolerance: 0.01 }
      - { name: note, emptyIsNull: true }
      - opened
YAML
}
spec accounts false >"$work/stream.yaml"
spec accounts true >"$work/default.yaml"
spec same true >"$work/checksum.yaml"

measure() { # name, command...: prints "wall cpu servercpu"
  local name="$1"; shift
  local s0; s0="$(server_cpu)"
  /usr/bin/time -f "%e %U %S" -o "$work/time" "$@" >"$work/$name.out" 2>&1 || [ $? -le 4 ]
  local s1; s1="$(server_cpu)"
  # the last line: /usr/bin/time writes "Command exited with non-zero status N" before it
  read -r wall user sys < <(tail -1 "$work/time")
  echo "$wall $(echo "$user + $sys" | bc) $(echo "scale=2; ($s1 - $s0) / $(getconf CLK_TCK)" | bc)"
}
cat >"$work/reference.sh" <<REF
set -euo pipefail
p() { psql -q -X -h 127.0.0.1 -p $port -U shadow -v ON_ERROR_STOP=1 "\$@"; }
p -d legacy -c "\\copy (SELECT id, owner, balance, note, opened FROM accounts ORDER BY id) TO '$work/l.csv' CSV"
p -d candidate -c "\\copy (SELECT id, owner, amount, note, opened FROM accounts ORDER BY id) TO '$work/c.csv' CSV"
LC_ALL=C sort -t, -k1,1 "$work/l.csv" >"$work/l.sorted"
LC_ALL=C sort -t, -k1,1 "$work/c.csv" >"$work/c.sorted"
LC_ALL=C join -t, -a1 -a2 -e '~' -o auto "$work/l.sorted" "$work/c.sorted" \\
  | awk -F, '\$2 == "~" || \$6 == "~" { one++; next } \$2 != \$6 || \$3 != \$7 || \$4 != \$8 || \$5 != \$9 { changed++ } END { print one + 0, changed + 0 }' >"$work/reference.result"
REF

declare -A results
for run in $(seq 1 "$RUNS"); do
  for name in stream default checksum; do
    rm -rf "$work/out-$name"
    results[$name]+="$(measure "$name" java -Xmx256m -jar "$work/shadow.jar" reconcile --spec "$work/$name.yaml" --out "$work/out-$name")"$'\n'
  done
  results[reference]+="$(measure reference bash "$work/reference.sh")"$'\n'
  rm -f "$work"/*.csv "$work"/*.sorted
done
echo "reference found (rows on one side only, rows changed without rules): $(cat "$work/reference.result")"
echo "shadow (default): $(head -1 "$work/default.out")"
echo "shadow (checksum): $(head -1 "$work/checksum.out")"
echo
echo "$ROWS rows a side, $RUNS runs, $(nproc) cores; medians (range) of wall seconds; CPU seconds of the median run"
printf '%-10s %8s %18s %12s %10s %12s %12s\n' config wall range rows/s ratio "cpu (proc)" "cpu (server)"
ref_wall=""
for name in reference stream default checksum; do
  sorted="$(printf '%s' "${results[$name]}" | sed '/^$/d' | sort -n)"
  n="$(echo "$sorted" | wc -l)"
  med="$(echo "$sorted" | sed -n "$(( (n + 1) / 2 ))p")"
  read -r wall cpu scpu <<<"$med"
  lo="$(echo "$sorted" | head -1 | cut -d' ' -f1)"; hi="$(echo "$sorted" | tail -1 | cut -d' ' -f1)"
  [ "$name" = reference ] && ref_wall="$wall"
  rate="$(echo "scale=0; 2 * $ROWS / $wall" | bc)"
  ratio="$(echo "scale=2; $ref_wall / $wall" | bc)"
  printf '%-10s %8s %18s %12s %10s %12s %12s\n' "$name" "$wall" "$lo..$hi" "$rate" "$ratio" "$cpu" "$scpu"
done
