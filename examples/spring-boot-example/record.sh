#!/usr/bin/env bash
# Records the legacy catalog's answers with Shadow's recording proxy, as in production:
#   client (curl) -> shadow record (127.0.0.1:$PROXY_PORT) -> legacy/LegacyCatalog.java (127.0.0.1:$LEGACY_PORT)
# and replaces src/test/resources/shadow/legacy-catalog.jsonl with the result (about 300 exchanges).
# The traffic is fixed, so a new recording differs from the committed one only in its ids,
# timestamps and durations.
#
# Needs Java 17 and curl. SHADOW is the Shadow launcher (default: the one of the repository this
# example lives in); LEGACY_PORT and PROXY_PORT default to 18081 and 18080.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
shadow="${SHADOW:-$here/../../shadow}"
legacy_port="${LEGACY_PORT:-18081}"
proxy_port="${PROXY_PORT:-18080}"
out="$here/src/test/resources/shadow/legacy-catalog.jsonl"

work="$(mktemp -d)"
pids=()
stop() {
  # the recorder first: on SIGTERM it finishes in-flight exchanges and flushes the file
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill -TERM "${pids[i]}" 2>/dev/null || true
    wait "${pids[i]}" 2>/dev/null || true
  done
  pids=()
}
trap 'stop; rm -rf "$work"' EXIT

# waits until something accepts connections on 127.0.0.1:$1 (without sending a request: through
# the proxy, a request would be recorded)
await_port() {
  for _ in $(seq 1 120); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then
      return 0
    fi
    sleep 0.5
  done
  echo "record.sh: nothing listens on 127.0.0.1:$1 after 60 s" >&2
  exit 1
}

cd "$here"
java legacy/LegacyCatalog.java "$legacy_port" src/main/resources/catalog/items.csv &
pids+=($!)
await_port "$legacy_port"

"$shadow" record --listen "127.0.0.1:$proxy_port" --upstream "http://127.0.0.1:$legacy_port" \
  --out "$work/legacy-catalog.jsonl" --stats-every 0 &
pids+=($!)
await_port "$proxy_port"

sent=0
get() {
  curl -sS -o /dev/null -H 'Accept: application/json' -H 'Authorization: Bearer storefront-7f3a' \
    "http://127.0.0.1:$proxy_port$1"
  sent=$((sent + 1))
}

# 100 storefront visits. Each looks up one item: 94 distinct known ids in a scrambled order
# (k * 37 mod 100 + 1), and 6 ids that do not exist (404). Around them: category pages, the
# category menu, and the load balancer's health checks.
categories=(books garden kitchen outdoor toys)
unknown=(0 101 250 999 4040 123456)
known=1
for visit in $(seq 0 99); do
  if ((visit % 2 == 0)); then
    get /api/categories
  fi
  if ((visit % 10 == 9)); then
    get "/api/items?page=$((visit / 10 + 1))"              # everything, page by page (page 10 is the last)
  else
    category="${categories[visit % 5]}"
    get "/api/items?category=$category&page=$((visit / 5 % 3 + 1))"   # page 3 is past the end: empty
  fi
  if ((visit % 16 == 7)); then
    get "/api/items/${unknown[visit / 16]}"
  else
    get "/api/items/$((known * 37 % 100 + 1))"
    known=$((known + 1))
  fi
  if ((visit % 3 == 2)); then
    get /api/health
  fi
done
# a few stragglers: an unknown category (an empty page), bad pages (400 problem JSON)
get "/api/items?category=garden-tools"
get "/api/items?category=toys&page=0"
get "/api/items?page=0"
get /api/categories
get /api/health

stop
mv "$work/legacy-catalog.jsonl" "$out"
chmod 644 "$out"
echo "record.sh: $sent requests recorded into ${out#"$here"/}"
"$shadow" inspect "$out"
