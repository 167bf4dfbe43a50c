#!/usr/bin/env bash
# pg.sh: a throwaway PostgreSQL cluster for the test suites (nothing else touches it).
#   eval "$(scripts/pg.sh start)"   initdb into a temp dir, start it on a free loopback port;
#                                   prints `export PFORTE_TEST_DB=postgres://postgres@127.0.0.1:PORT`
#                                   and `export PFORTE_TEST_PG_DIR=DIR` (the URL names no
#                                   database: each test server creates its own)
#   scripts/pg.sh stop [DIR]        stop that cluster (DIR defaults to $PFORTE_TEST_PG_DIR), delete it
#   scripts/pg.sh run CMD ARGS...   start, run CMD with PFORTE_TEST_DB set, stop (also on failure);
#                                   exits with CMD's status
#   scripts/pg.sh pause DIR         stop that cluster's server (fast shutdown: clients are cut
#                                   off) but keep its data; `resume DIR` starts it again on the
#                                   same port (the restart test)
# Runs the server as user postgres when started as root. Uses the newest
# /usr/lib/postgresql/*/bin unless PG_BIN says otherwise.
set -u
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

pg_stop() {
  local dir=$1
  [ -n "$dir" ] && [ -d "$dir" ] || return 0
  if [ -f "$dir/data/postmaster.pid" ]; then
    local pid
    pid=$(head -n 1 "$dir/data/postmaster.pid" 2>/dev/null) # read first: pg_ctl removes the file
    as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w -t 20 stop >/dev/null 2>&1
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null; fi
  fi
  rm -rf "$dir"
}

pg_start() {
  if [ ! -x "$PG_BIN/initdb" ]; then
    echo "pg.sh: no PostgreSQL server binaries (apt-get install postgresql)" >&2
    return 1
  fi
  local dir
  dir=$(mktemp -d /tmp/pforte-pg.XXXXXX) || return 1
  trap 'pg_stop "$dir"' EXIT
  chmod 755 "$dir"
  mkdir -p "$dir/data" "$dir/sock"
  [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$dir"
  if ! as_pg "$PG_BIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
      >"$dir/initdb.log" 2>&1; then
    echo "pg.sh: initdb failed:" >&2
    cat "$dir/initdb.log" >&2
    return 1
  fi
  local port started=0 try opts
  for try in 1 2 3; do
    port=$(free_port)
    opts="-p $port -k $dir/sock -c listen_addresses=127.0.0.1 -c fsync=off \
          -c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
    if as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 -o "$opts" \
        start >/dev/null 2>&1; then
      started=1
      echo "$opts" >"$dir/opts"
      break
    fi
  done
  if [ $started = 0 ]; then
    echo "pg.sh: PostgreSQL did not start:" >&2
    tail -n 20 "$dir/server.log" >&2
    return 1
  fi
  trap - EXIT
  echo "export PFORTE_TEST_DB=postgres://postgres@127.0.0.1:$port"
  echo "export PFORTE_TEST_PG_DIR=$dir"
}

pg_pause() {
  local dir=$1
  [ -n "$dir" ] && [ -f "$dir/opts" ] || { echo "pg.sh: no cluster in '$dir'" >&2; return 1; }
  as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null
}

pg_resume() {
  local dir=$1
  [ -n "$dir" ] && [ -f "$dir/opts" ] || { echo "pg.sh: no cluster in '$dir'" >&2; return 1; }
  as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 -o "$(cat "$dir/opts")" \
    start >/dev/null
}

case "${1:-}" in
  start) pg_start ;;
  pause) pg_pause "${2:-}" ;;
  resume) pg_resume "${2:-}" ;;
  stop) pg_stop "${2:-${PFORTE_TEST_PG_DIR:-}}" ;;
  run)
    shift
    [ $# -gt 0 ] || { echo "usage: $0 run CMD ARGS..." >&2; exit 2; }
    env_lines=$(pg_start) || exit 1
    eval "$env_lines"
    trap 'pg_stop "$PFORTE_TEST_PG_DIR"' EXIT
    "$@"
    exit $?
    ;;
  *) echo "usage: $0 start | stop [DIR] | pause DIR | resume DIR | run CMD ARGS..." >&2; exit 2 ;;
esac
