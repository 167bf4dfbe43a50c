#!/usr/bin/env bash
# smtp.sh: a throwaway SMTP server for tests (tests/http/lib/smtp_sink.py on Debian's
# python3-aiosmtpd) that writes every message it accepts into a Maildir.
#   eval "$(scripts/smtp.sh start [--auth USER:PASS] [--reject REGEX] [--fail-first N])"
#       prints `export PFORTE_TEST_SMTP_URL=smtp://[USER:PASS@]127.0.0.1:PORT`,
#       `export PFORTE_TEST_SMTP_MAILDIR=DIR/mail` and `export PFORTE_TEST_SMTP_DIR=DIR`
#   scripts/smtp.sh stop [DIR]      stop it (by the PID in DIR/pid) and delete DIR
#   scripts/smtp.sh run [OPTIONS] -- CMD ARGS...   start, run CMD with those variables, stop
# Listens on 127.0.0.1 only. The python3 first on PATH may not be Debian's: /usr/bin/python3.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PYTHON=${PFORTE_PYTHON:-/usr/bin/python3}

smtp_stop() {
  local dir=$1
  [ -n "$dir" ] && [ -d "$dir" ] || return 0
  local pid
  pid=$(cat "$dir/pid" 2>/dev/null)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  fi
  rm -rf "$dir"
}

smtp_start() {
  local dir auth=""
  local args=()
  while [ $# -gt 0 ]; do
    case "$1" in
      --auth) auth=$2; args+=(--auth "$2"); shift 2 ;;
      --reject|--fail-first) args+=("$1" "$2"); shift 2 ;;
      *) echo "smtp.sh: unknown option $1" >&2; return 2 ;;
    esac
  done
  if ! "$PYTHON" -c 'import aiosmtpd' 2>/dev/null; then
    echo "smtp.sh: $PYTHON lacks aiosmtpd (apt-get install python3-aiosmtpd)" >&2
    return 1
  fi
  dir=$(mktemp -d /tmp/pforte-smtp.XXXXXX) || return 1
  "$PYTHON" "$ROOT/tests/http/lib/smtp_sink.py" --maildir "$dir/mail" "${args[@]}" \
    >"$dir/out" 2>"$dir/err" </dev/null &
  echo $! >"$dir/pid"
  local port=""
  for _ in $(seq 100); do
    port=$(sed -n 's/^event=listening port=\([0-9]*\).*/\1/p' "$dir/out")
    [ -n "$port" ] && break
    kill -0 "$(cat "$dir/pid")" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$port" ]; then
    echo "smtp.sh: SMTP sink did not start:" >&2
    cat "$dir/err" >&2
    smtp_stop "$dir"
    return 1
  fi
  local creds=""
  [ -n "$auth" ] && creds="$auth@"
  echo "export PFORTE_TEST_SMTP_URL=smtp://${creds}127.0.0.1:$port"
  echo "export PFORTE_TEST_SMTP_MAILDIR=$dir/mail"
  echo "export PFORTE_TEST_SMTP_DIR=$dir"
}

case "${1:-}" in
  start) shift; smtp_start "$@" ;;
  stop) smtp_stop "${2:-${PFORTE_TEST_SMTP_DIR:-}}" ;;
  run)
    shift
    opts=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do opts+=("$1"); shift; done
    [ "${1:-}" = -- ] && shift
    [ $# -gt 0 ] || { echo "usage: $0 run [OPTIONS] -- CMD ARGS..." >&2; exit 2; }
    env_lines=$(smtp_start "${opts[@]}") || exit 1
    eval "$env_lines"
    trap 'smtp_stop "$PFORTE_TEST_SMTP_DIR"' EXIT
    "$@"
    exit $?
    ;;
  *) echo "usage: $0 start [OPTIONS] | stop [DIR] | run [OPTIONS] -- CMD ARGS..." >&2; exit 2 ;;
esac
