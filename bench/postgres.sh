#!/usr/bin/env bash
# bench/postgres.sh (`bench/run --db postgres`): the list, detail, search and create benchmarks
# of bench/requests.sh against PostgreSQL, with one and with two `pforte serve` instances
# behind nginx as a local load balancer (round robin, keep-alive to the upstreams).
# Starts a throwaway PostgreSQL cluster (scripts/pg.sh, fsync off: the numbers are the CPU's,
# not a disk's), seeds it with `pforte seed-bench` (BENCH_REQUESTS requests of BENCH_CUSTOMERS
# customers; default 100000 / 10000, several minutes), then for INSTANCES in 1 2: starts the
# instances (--threads BENCH_PFORTE_THREADS each, default 0 = pforte's default), nginx in front,
# logs in as the heavy customer through nginx and runs bench/requests.sh PORT COOKIE.
# Tables: bench/out/requests-pg-1.txt and requests-pg-2.txt (printed at the end). Settings as
# in bench/requests.sh (BENCH_SECONDS, BENCH_CONNECTIONS, BENCH_THREADS) plus BENCH_REQUESTS,
# BENCH_CUSTOMERS, BENCH_INSTANCES ("1 2"). Only 127.0.0.1 is ever a target; everything it
# started is stopped by PID on exit.
set -u
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BIN=${PFORTE_BIN:-build/pforte}
OUT=$ROOT/bench/out
HEAVY=bench.heavy@bench.example
TMP=$(mktemp -d /tmp/pforte-bench-pg.XXXXXX)
PG_DIR=""
PIDS=()
NGINX_PID=""
for v in $(compgen -e | grep '^PFORTE_'); do [ "$v" = PFORTE_BIN ] || unset "$v"; done
mkdir -p "$OUT"

stop_pid() {
  local pid=$1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null
}
stop_servers() {
  stop_pid "$NGINX_PID"
  NGINX_PID=""
  local p
  for p in "${PIDS[@]}"; do stop_pid "$p"; done
  PIDS=()
}
cleanup() {
  stop_servers
  [ -n "$PG_DIR" ] && scripts/pg.sh stop "$PG_DIR"
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
die() { echo "bench/postgres: $*" >&2; exit 1; }
for tool in wrk nginx curl psql; do
  command -v $tool >/dev/null || [ -x /usr/sbin/$tool ] || die "$tool missing (make deps-test)"
done
[ -x "$BIN" ] || die "$BIN missing (make)"
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
wait_ready() { # wait_ready URL PID
  for _ in $(seq 300); do
    curl -sf -o /dev/null "$1" && return 0
    kill -0 "$2" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# ---- PostgreSQL, seeded ----
envs=$(scripts/pg.sh start) || die "PostgreSQL did not start"
eval "$envs"
PG_DIR=$PFORTE_TEST_PG_DIR
psql "$PFORTE_TEST_DB/postgres" -Xq -c 'CREATE DATABASE pforte_bench' >/dev/null || die "createdb"
DB=$PFORTE_TEST_DB/pforte_bench
unset PFORTE_TEST_DB PFORTE_TEST_PG_DIR
PASSWORD="bench $(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n') Wolke Fahrrad"
echo "bench/postgres: seeding ${BENCH_REQUESTS:-100000} requests into PostgreSQL ..." >&2
mkdir -p "$TMP/seed"
printf '%s\n' "$PASSWORD" | "$BIN" seed-bench "${BENCH_REQUESTS:-100000}" "${BENCH_CUSTOMERS:-10000}" \
  --data "$TMP/seed" --db "$DB" --log-level warn >"$TMP/seed.txt" 2>&1 ||
  { cat "$TMP/seed.txt" >&2; die "seeding failed"; }
cat "$TMP/seed.txt" >&2
psql "$DB" -Xq -c 'VACUUM ANALYZE' >/dev/null
export BENCH_DETAIL=${BENCH_DETAIL:-$(sed -n 's/.* events on request id \([0-9]*\).*/\/requests\/SUP-\1/p' "$TMP/seed.txt")}

# ---- one run: N instances behind nginx ----
run_with() {
  local n=$1 i port upstream="" nport
  for i in $(seq "$n"); do
    port=$(free_port)
    mkdir -p "$TMP/i$i"
    # shellcheck disable=SC2086
    "$BIN" serve --listen "127.0.0.1:$port" --data "$TMP/i$i" --db "$DB" --log-level warn \
      --threads "${BENCH_PFORTE_THREADS:-0}" ${BENCH_PFORTE_ARGS:-} \
      >"$TMP/i$i/out" 2>"$TMP/i$i/err" </dev/null &
    PIDS+=($!)
    wait_ready "http://127.0.0.1:$port/healthz" "$!" ||
      { cat "$TMP/i$i/err" >&2; die "instance $i did not start"; }
    upstream+="    server 127.0.0.1:$port;"$'\n'
  done
  nport=$(free_port)
  mkdir -p "$TMP/nginx"
  cat >"$TMP/nginx/nginx.conf" <<CONF
daemon off;
worker_processes 2;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $TMP/nginx/body;
  proxy_temp_path $TMP/nginx/proxy;
  fastcgi_temp_path $TMP/nginx/fastcgi;
  uwsgi_temp_path $TMP/nginx/uwsgi;
  scgi_temp_path $TMP/nginx/scgi;
  upstream pforte {
$upstream    keepalive 64;
  }
  server {
    listen 127.0.0.1:$nport;
    location / {
      proxy_pass http://pforte;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host:\$server_port;
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$scheme;
    }
  }
}
CONF
  "$NGINX" -c "$TMP/nginx/nginx.conf" -p "$TMP/nginx" >"$TMP/nginx/stdout" 2>&1 &
  NGINX_PID=$!
  wait_ready "http://127.0.0.1:$nport/healthz" "$NGINX_PID" ||
    { cat "$TMP/nginx/stdout" "$TMP/nginx/error.log" >&2; die "nginx did not start"; }
  # log in through nginx (the session lives in PostgreSQL: every instance knows it)
  local jar=$TMP/jar csrf cookie
  rm -f "$jar"
  csrf=$(curl -sf -c "$jar" -b "$jar" "http://127.0.0.1:$nport/login" |
    grep -o 'name="csrf" value="[^"]*"' | head -n 1 | sed 's/.*value="//; s/"$//')
  curl -sf -o /dev/null -c "$jar" -b "$jar" --data-urlencode "csrf=$csrf" \
    --data-urlencode "email=$HEAVY" --data-urlencode "step=2" --data-urlencode "password=$PASSWORD" \
    "http://127.0.0.1:$nport/login"
  cookie=$(awk '$6 == "pf_session" {print $7}' "$jar")
  [ -n "$cookie" ] || die "login through nginx failed"
  echo "bench/postgres: $n instance(s) behind nginx on port $nport" >&2
  bench/requests.sh "$nport" "$cookie" >/dev/null || die "bench/requests.sh failed"
  { echo "PostgreSQL, $n pforte instance(s) behind nginx"; cat "$OUT/requests.txt"; } \
    >"$OUT/requests-pg-$n.txt"
  stop_servers
}

for n in ${BENCH_INSTANCES:-1 2}; do run_with "$n"; done
for n in ${BENCH_INSTANCES:-1 2}; do echo; cat "$OUT/requests-pg-$n.txt"; done
