# Shared by the load benchmarks: a static 2 KB JSON document served by nginx on 127.0.0.1.
# Source it, then:
#   bench_install wrk nginx            # apt-get what is missing
#   bench_static_site "$work" [ITEMS]  # $work/www/api/data.json (ITEMS products, 20: 2 KB), $work/logs
#   bench_free_port                    # prints a free loopback port
#   bench_nginx "$work" "<http-level config: server/upstream blocks>"   # starts nginx with it
#   bench_wrk NAME URL                 # wrk -t$WRK_THREADS -c$C -d$D against URL: prints "req/s p99-ms"
#   bench_wrk_numbers                  # wrk --latency's report on stdin -> "req/s p99-ms requests"
#   bench_cpu_ticks PID...             # utime+stime of the processes (all threads), in clock ticks
#   bench_served PORT                  # requests an nginx with `location = /status { stub_status; }`
#                                      # on 127.0.0.1:PORT has served so far
#   bench_workdir                      # $work: a temporary directory; on exit, nginx in it and the
#                                      # process $rec_pid (when set) are stopped and it is removed
#   bench_document_upstream [ITEMS]    # after bench_workdir: nginx serving the document on
#                                      # 127.0.0.1:$up, and its bytes in $work/body.json
#   bench_install_time                 # apt-get /usr/bin/time when it is missing
# WRK_THREADS is wrk's -t (2 unless set; record-vs-nginx.sh sets 1).

bench_install() {
  local need=() c
  for c in "$@"; do command -v "$c" >/dev/null || need+=("$c"); done
  if [ ${#need[@]} -gt 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}"; fi
}

bench_static_site() { # work [items]: 20 items make the 2 KB document, 6 about 0.6 KB, 200 about 20 KB
  local work="$1" items="${2:-20}"
  chmod 755 "$work"   # nginx workers run unprivileged and must read the files
  mkdir -p "$work/www/api" "$work/logs"
  python3 - "$work/www/api/data.json" "$items" <<'PY'
import json, sys
items = [{"id": i, "name": "Product %d" % i, "price": {"amount": 10 + i / 100, "currency": "EUR"}, "tags": ["a", "b"]} for i in range(int(sys.argv[2]))]
open(sys.argv[1], "w").write(json.dumps({"items": items, "total": 20, "page": 1}))
PY
}

bench_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

bench_nginx() {
  local work="$1" servers="$2"
  cat > "$work/nginx.conf" <<CONF
worker_processes 1;
error_log $work/logs/error.log;
pid $work/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  default_type application/json;
  keepalive_requests 1000000;
  server_tokens off;
$servers
}
CONF
  # NGINX_WRAP: a command to start nginx under (e.g. "taskset -c 0"; its workers inherit it)
  ${NGINX_WRAP:-} nginx -p "$work" -c nginx.conf
}

bench_wrk() { # name url -> "rps p99ms" on stdout, wrk's report on stderr; uses $C, $D, $WRK_THREADS
  local out rps p99 _
  out=$(wrk -t"${WRK_THREADS:-2}" -c"$C" -d"${D}s" --latency "$2")
  echo "$out" | sed "s/^/   [$1] /" >&2
  read -r rps p99 _ < <(echo "$out" | bench_wrk_numbers)
  echo "$rps $p99"
}

bench_wrk_numbers() { # wrk --latency report on stdin -> "rps p99ms requests"
  awk '/Requests\/sec/ {rps=$2}
       $1=="99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; p99=v}
       / requests in / {n=$1}
       END {print rps, p99, n}'
}

bench_cpu_ticks() { # pid... -> utime+stime summed over the processes (fields 14 and 15 of /proc/PID/stat)
  local pid total=0 rest
  for pid in "$@"; do
    rest=$(sed 's/^.*) //' "/proc/$pid/stat")   # after the command name, which may hold spaces
    total=$((total + $(echo "$rest" | awk '{print $12 + $13}')))
  done
  echo "$total"
}

bench_workdir() {
  work="$(mktemp -d)"; rec_pid=""
  trap bench_cleanup EXIT
}

bench_cleanup() {
  [ -n "${rec_pid:-}" ] && kill "$rec_pid" 2>/dev/null || true
  nginx -p "$work" -c nginx.conf -s stop 2>/dev/null || true
  rm -rf "$work"
}

bench_document_upstream() { # [items]; sets up
  bench_static_site "$work" "${1:-20}"
  up=$(bench_free_port)
  bench_nginx "$work" "  server { listen 127.0.0.1:$up; root $work/www; }"
  for _ in $(seq 1 50); do
    curl -sf "http://127.0.0.1:$up/api/data.json" -o "$work/body.json" && return 0
    sleep 0.1
  done
  echo "nginx on 127.0.0.1:$up did not serve the document" >&2
  return 1
}

bench_install_time() { # `command -v time` finds the shell keyword, not the program
  [ -x /usr/bin/time ] || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q time; }
}

bench_served() { # port of an nginx with stub_status at /status
  curl -s "http://127.0.0.1:$1/status" | awk 'NR==3 {print $3}'
}
