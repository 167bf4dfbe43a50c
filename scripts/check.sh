#!/usr/bin/env bash
# check.sh: the test runner behind `make check` (which builds everything first). Runs, in order:
#   lint   scripts/lint.sh when it exists (source rules: layering, banned functions); 1 test
#   unit   every build/tests/test_* (cmocka)
#   http   the HTTP black-box suite tests/http/ against build/pforte (SQLite)
#   asan   the same suite against build/pforte-asan (ASan/UBSan; a report fails the test)
#   pg     the same suite against PostgreSQL (a throwaway cluster from scripts/pg.sh), skipped
#          with a note while build/pforte says its PostgreSQL backend is not available; with
#          PFORTE_TEST_DB set the PostgreSQL-only files run too: scaleout (two instances on one
#          database), pg_restart (a cluster of its own, stopped and started under load), copy_db
#   e2e    the browser tests tests/e2e/ (playwright-core + Debian's chromium)
#   fuzz   scripts/fuzz.sh: every build/fuzz/fuzz_* for FUZZ_SECONDS (default 20) each
# `scripts/check.sh unit http` runs only those. Logs: build/check/. The last line is always
# `N passed, N failed`; the exit status is 1 when anything failed or a suite could not run.
# Every service it starts (PostgreSQL, probe servers, servers left behind by a killed test
# process) is stopped by PID on exit.
set -u
cd "$(dirname "$0")/.."
ROOT=$(pwd)
LOGDIR=$ROOT/build/check
PIDDIR=$(mktemp -d /tmp/pforte-check-pids.XXXXXX)
mkdir -p "$LOGDIR"
NODE_SUITE_SECONDS=${NODE_SUITE_SECONDS:-900}   # bound for one node --test run
TEST_TIMEOUT_MS=${TEST_TIMEOUT_MS:-120000}       # bound for one test
UNIT_SECONDS=${UNIT_SECONDS:-300}                # bound for one unit test binary
BIN=${PFORTE_BIN:-build/pforte}               # the binaries under test (override to try others)
ASAN_BIN=${PFORTE_ASAN_BIN:-build/pforte-asan}
PASSED=0
FAILED=0
SUMMARY=()
PG_DIR=""
PROBE_PID=""
unset PFORTE_TEST_DB PFORTE_TEST_PG_DIR   # only the pg suite runs against PostgreSQL

# kills the servers a test process left behind (it was killed itself): PIDs it recorded
reap_servers() {
  local f pid
  for f in "$PIDDIR"/*; do
    [ -f "$f" ] || continue
    pid=$(basename "$f")
    if kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q pforte; then
      echo "check: killing left-over server pid $pid"
      kill -KILL "$pid" 2>/dev/null
    fi
    rm -f "$f"
  done
}

cleanup() {
  if [ -n "$PROBE_PID" ] && kill -0 "$PROBE_PID" 2>/dev/null; then kill -KILL "$PROBE_PID"; fi
  reap_servers
  rm -rf "$PIDDIR"
  if [ -n "$PG_DIR" ]; then scripts/pg.sh stop "$PG_DIR"; fi
}
trap cleanup EXIT
trap 'echo "check: interrupted"; exit 130' INT TERM

header() {
  printf '\n======== %s ========\n' "$*"
}

# record NAME PASSED FAILED [NOTE]
record() {
  PASSED=$((PASSED + $2))
  FAILED=$((FAILED + $3))
  SUMMARY+=("$(printf '%-22s %4d passed, %4d failed%s' "$1" "$2" "$3" "${4:+  ($4)}")")
}

free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

run_lint() {
  [ -x scripts/lint.sh ] || return 0
  header "source checks (scripts/lint.sh)"
  if scripts/lint.sh; then record lint 1 0; else record lint 0 1; fi
}

# ---- (a) unit tests ----------------------------------------------------------------------
run_unit() { run_unit_in build/tests unit; }
# the same tests linked against the ASan/UBSan objects
run_unit_asan() {
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    run_unit_in build/tests-asan unit-asan
}
run_unit_in() {
  local dir=$1 label=$2
  header "unit tests ($dir/test_*)"
  local bins=() src bin missing=0
  for bin in "$dir"/test_*; do [ -f "$bin" ] && [ -x "$bin" ] && bins+=("$bin"); done
  for src in tests/unit/test_*.c; do
    [ -f "$src" ] || continue
    bin=$dir/$(basename "$src" .c)
    if [ ! -x "$bin" ]; then
      echo "MISSING: $bin (from $src) was not built"
      record "$label $(basename "$bin")" 0 1 "not built"
      missing=$((missing + 1))
    fi
  done
  if [ ${#bins[@]} -eq 0 ]; then
    echo "no unit test binaries in $dir/ (run make unit unit-asan)"
    [ $missing -eq 0 ] && record "$label" 0 1 "no test binaries"
    return
  fi
  for bin in "${bins[@]}"; do
    local name log rc p f
    name=$(basename "$bin")
    log=$LOGDIR/$label-$name.log
    echo "--- $name"
    env -u CMOCKA_MESSAGE_OUTPUT -u CMOCKA_TEST_ABORT timeout -k 5 "$UNIT_SECONDS" "$bin" >"$log" 2>&1
    rc=$?
    cat "$log"
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
    if ! grep -q '^\[==========\] [0-9]* test' "$log"; then
      record "$label $name" "$p" $((f + 1)) "no cmocka summary, exit $rc"
    elif [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then
      record "$label $name" "$p" 1 "exit $rc without a reported failure"
    else
      record "$label $name" "$p" "$f"
    fi
  done
}

# ---- node --test suites ------------------------------------------------------------------
# run_node NAME DIR CONCURRENCY [VAR=VALUE...]: runs node's test runner, counts from its TAP
run_node() {
  local name=$1 dir=$2 conc=$3
  shift 3
  local tap=$LOGDIR/$name.tap rc p f c
  rm -f "$tap"
  env "$@" PFORTE_TEST_PIDDIR="$PIDDIR" timeout -k 15 "$NODE_SUITE_SECONDS" \
    node --test --test-concurrency="$conc" --test-timeout="$TEST_TIMEOUT_MS" \
    --test-reporter=spec --test-reporter-destination=stdout \
    --test-reporter=tap --test-reporter-destination="$tap" "$dir"
  rc=$?
  reap_servers
  if [ ! -s "$tap" ] || ! grep -q '^# pass ' "$tap"; then
    echo "$name: the test runner produced no summary (exit $rc)"
    record "$name" 0 1 "did not run (exit $rc)"
    return
  fi
  p=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$tap" | tail -n 1)
  f=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$tap" | tail -n 1)
  c=$(sed -n 's/^# cancelled \([0-9]*\)$/\1/p' "$tap" | tail -n 1)
  f=$((${f:-0} + ${c:-0}))
  if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
    record "$name" "${p:-0}" $((f + 1)) "timed out after ${NODE_SUITE_SECONDS}s"
  elif [ $rc -ne 0 ] && [ $f -eq 0 ]; then
    # e.g. a failing after() hook: node does not count it as a test
    record "$name" "${p:-0}" 1 "exit $rc without a failed test (failing hook?)"
  else
    record "$name" "${p:-0}" "$f"
  fi
}

need_bin() { # need_bin NAME BIN: records a failure when BIN is missing
  if [ ! -x "$2" ]; then
    echo "MISSING: $2 (run make)"
    record "$1" 0 1 "$2 missing"
    return 1
  fi
}

run_http() {
  header "HTTP tests against $BIN (SQLite)"
  need_bin http "$BIN" || return
  run_node http tests/http/ 2 PFORTE_BIN="$BIN"
}

run_asan() {
  header "HTTP tests against $ASAN_BIN (ASan/UBSan)"
  need_bin http-asan "$ASAN_BIN" || return
  run_node http-asan tests/http/ 2 PFORTE_BIN="$ASAN_BIN" \
    ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    PFORTE_TEST_START_MS=60000 PFORTE_TEST_STOP_MS=30000
}

# Starts the throwaway cluster and asks build/pforte whether it can use it: 0 = yes,
# 1 = not available in this build (note printed), 2 = the cluster did not start.
pg_probe() {
  local envs
  if ! envs=$(scripts/pg.sh start); then
    return 2
  fi
  eval "$envs"
  PG_DIR=$PFORTE_TEST_PG_DIR
  local tmp port i state=timeout
  tmp=$(mktemp -d /tmp/pforte-pgprobe.XXXXXX)
  port=$(free_port)
  psql "$PFORTE_TEST_DB/postgres" -Xq -c 'CREATE DATABASE pforte_probe' >/dev/null 2>&1
  "$BIN" serve --listen "127.0.0.1:$port" --data "$tmp" \
    --db "$PFORTE_TEST_DB/pforte_probe" >"$tmp/out" 2>"$tmp/err" </dev/null &
  PROBE_PID=$!
  for i in $(seq 300); do
    if ! kill -0 "$PROBE_PID" 2>/dev/null; then state=exited; break; fi
    if curl -sf -o /dev/null "http://127.0.0.1:$port/healthz"; then state=ready; break; fi
    sleep 0.1
  done
  if kill -0 "$PROBE_PID" 2>/dev/null; then kill -TERM "$PROBE_PID"; fi
  wait "$PROBE_PID" 2>/dev/null
  PROBE_PID=""
  local said
  said=$(grep -i -m 1 -E 'not available|unsupported|not supported' "$tmp/err")
  rm -rf "$tmp"
  if [ "$state" = exited ] && [ -n "$said" ]; then
    echo "NOTE: $BIN has no PostgreSQL backend yet: $said"
    return 1
  fi
  return 0
}

run_pg() {
  header "HTTP tests against PostgreSQL"
  need_bin http-postgres "$BIN" || return
  pg_probe
  case $? in
    1)
      echo "SKIPPED: the PostgreSQL run (it starts once $BIN supports --db postgres://)"
      SUMMARY+=("$(printf '%-22s skipped (no PostgreSQL backend in this build)' http-postgres)")
      ;;
    2) record http-postgres 0 1 "PostgreSQL did not start" ;;
    *) run_node http-postgres tests/http/ 2 PFORTE_BIN="$BIN" \
         PFORTE_TEST_DB="$PFORTE_TEST_DB" ;;
  esac
  if [ -n "$PG_DIR" ]; then
    scripts/pg.sh stop "$PG_DIR"
    PG_DIR=""
  fi
  unset PFORTE_TEST_DB PFORTE_TEST_PG_DIR
}

run_e2e() {
  header "browser tests (tests/e2e/, chromium)"
  need_bin e2e "$BIN" || return
  if [ ! -d node_modules/playwright-core ]; then
    echo "MISSING: node_modules/playwright-core (npm ci)"
    record e2e 0 1 "playwright-core not installed"
    return
  fi
  need_bin e2e "${PFORTE_CHROMIUM:-/usr/bin/chromium}" || return
  run_node e2e tests/e2e/ 1 PFORTE_BIN="$BIN"
}

run_fuzz() {
  header "fuzzing (build/fuzz/fuzz_*, ${FUZZ_SECONDS:-20}s each)"
  local log=$LOGDIR/fuzz.log line
  FUZZ_SECONDS=${FUZZ_SECONDS:-20} scripts/fuzz.sh 2>&1 | tee "$log"
  line=$(tail -n 1 "$log")
  if [[ $line =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
    record fuzz "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}"
  else
    record fuzz 0 1 "fuzz.sh did not finish"
  fi
}

SUITES=("$@")
[ ${#SUITES[@]} -eq 0 ] && SUITES=(lint unit unit-asan http asan pg e2e fuzz)
start=$(date +%s)
for s in "${SUITES[@]}"; do
  case "$s" in
    lint) run_lint ;;
    unit) run_unit ;;
    unit-asan) run_unit_asan ;;
    http) run_http ;;
    asan) run_asan ;;
    pg) run_pg ;;
    e2e) run_e2e ;;
    fuzz) run_fuzz ;;
    *) echo "check: unknown suite $s (lint unit http asan pg e2e fuzz)"; record "$s" 0 1 "unknown suite" ;;
  esac
done

cleanup
trap - EXIT
header "summary ($(( $(date +%s) - start ))s; logs in build/check/)"
for line in "${SUMMARY[@]}"; do echo "$line"; done
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
