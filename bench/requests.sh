#!/usr/bin/env bash
# bench/requests.sh: how fast the "Anfragen" list, its full-text search and creating a request
# are with 100,000 requests of 10,000 customers - measured as the customer with 2,000 of them
# (bench.heavy@bench.example, seeded by `pforte seed-bench`), next to pforte's static asset.
#   bench/requests.sh PORT COOKIE   measure a running pforte (127.0.0.1:PORT) whose database
#                                   `pforte seed-bench` filled; COOKIE is the heavy customer's
#                                   pf_session value (bench/run can call it this way)
#   bench/requests.sh               standalone: seed a temporary data directory, start
#                                   build/pforte serve on a free port, log in, measure, stop
# wrk -t$BENCH_THREADS -c$BENCH_CONNECTIONS -d${BENCH_SECONDS}s (2, 64, 10) per row; creation
# last (it adds requests). Targets: list >= 30% of static asset req/s with p99 < 10 ms (first
# and last page), creation >= 2,000/s, and (standalone) the server's RSS under 30 MB while the
# rows run (sampled every 0.25 s). Raw wrk output
# and the table: bench/out/requests-*.txt.
# Settings: PFORTE_BIN, BENCH_SECONDS, BENCH_CONNECTIONS, BENCH_THREADS, BENCH_REQUESTS
# (100000), BENCH_CUSTOMERS (10000), BENCH_STRICT=1 (exit 1 when a target is missed).
# Only 127.0.0.1 is ever a target; every run is bounded in time.
set -u
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BIN=${PFORTE_BIN:-build/pforte}
SECONDS_EACH=${BENCH_SECONDS:-10}
CONNS=${BENCH_CONNECTIONS:-64}
THREADS=${BENCH_THREADS:-2}
OUT=$ROOT/bench/out
HEAVY=bench.heavy@bench.example
mkdir -p "$OUT"
die() { echo "bench/requests: $*" >&2; exit 1; }
for tool in wrk curl; do command -v $tool >/dev/null || die "$tool missing (make deps-test)"; done

PFORTE_PID=""
TMP=""
cleanup() {
  if [ -n "$PFORTE_PID" ] && kill -0 "$PFORTE_PID" 2>/dev/null; then
    kill -TERM "$PFORTE_PID"
    for _ in $(seq 100); do kill -0 "$PFORTE_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$PFORTE_PID" 2>/dev/null
  fi
  [ -n "$TMP" ] && rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# login BASE EMAIL PASSWORD: prints the pf_session cookie of a fresh session
login() {
  local jar=$TMP/jar csrf
  csrf=$(curl -sf -c "$jar" -b "$jar" "$1/login" | grep -o 'name="csrf" value="[^"]*"' | head -n 1 |
    sed 's/.*value="//; s/"$//')
  curl -sf -o /dev/null -c "$jar" -b "$jar" --data-urlencode "csrf=$csrf" \
    --data-urlencode "email=$2" --data-urlencode "step=2" --data-urlencode "password=$3" "$1/login"
  awk '$6 == "pf_session" {print $7}' "$jar"
}

if [ $# -ge 2 ]; then
  PORT=$1
  COOKIE=$2
else
  [ -x "$BIN" ] || die "$BIN missing (make)"
  for v in $(compgen -e | grep '^PFORTE_'); do [ "$v" = PFORTE_BIN ] || unset "$v"; done
  TMP=$(mktemp -d /tmp/pforte-bench-requests.XXXXXX)
  PASSWORD="bench $(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n') Wolke Fahrrad"
  echo "bench/requests: seeding ${BENCH_REQUESTS:-100000} requests ..." >&2
  printf '%s\n' "$PASSWORD" | "$BIN" seed-bench "${BENCH_REQUESTS:-100000}" \
    "${BENCH_CUSTOMERS:-10000}" --data "$TMP/data" --log-level warn >"$TMP/seed.txt" 2>&1 ||
    { cat "$TMP/seed.txt" >&2; die "seeding failed"; }
  cat "$TMP/seed.txt" >&2
  sync # the seeding's ~120 MB of dirty pages: written back now, not during the first rows
  # seeded requests have number = id: the one with 50 activity entries
  BENCH_DETAIL=${BENCH_DETAIL:-$(sed -n 's/.* events on request id \([0-9]*\).*/\/requests\/SUP-\1/p' "$TMP/seed.txt")}
  PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  "$BIN" serve --listen "127.0.0.1:$PORT" --data "$TMP/data" --log-level warn \
    ${BENCH_PFORTE_ARGS:-} >"$TMP/pforte.out" 2>"$TMP/pforte.err" </dev/null &
  PFORTE_PID=$!
  for _ in $(seq 300); do
    curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz" && break
    kill -0 "$PFORTE_PID" 2>/dev/null || { cat "$TMP/pforte.err" >&2; die "pforte exited"; }
    sleep 0.1
  done
  COOKIE=$(login "http://127.0.0.1:$PORT" "$HEAVY" "$PASSWORD")
  [ -n "$COOKIE" ] || die "login as $HEAVY failed"
fi
[ -n "$TMP" ] || { TMP=$(mktemp -d /tmp/pforte-bench-requests.XXXXXX); }
BASE=http://127.0.0.1:$PORT
HDR="Cookie: pf_session=$COOKIE"
get() { curl -sf -H "$HDR" "$BASE$1"; }

# the pages to measure
CSS=$(curl -sf "$BASE/" | grep -o '/static/app\.[0-9a-f]*\.css' | head -n 1)
[ -n "$CSS" ] || die "no stylesheet on the start page"
FIRST=/requests
get "$FIRST" | grep -q 'class="request-item"' || die "the list is empty: is the database seeded, the cookie $HEAVY's?"
LAST=$FIRST
pages=1
while :; do # follow "Next page" to the end (keyset: each page costs the same)
  next=$(get "$LAST" | grep -o 'href="/requests?[^"]*" rel="next"' | sed 's/^href="//; s/" rel="next"$//; s/&amp;/\&/g')
  [ -n "$next" ] || break
  LAST=$next
  pages=$((pages + 1))
  [ $pages -gt 10000 ] && die "too many pages"
done
SEARCH="/requests?q=Kontoausz%C3%BCge+Import"
SEARCH_BROAD="/requests?q=Fehler"
CSRF=$(get /new/question | grep -o 'name="csrf" value="[^"]*"' | head -n 1 | sed 's/.*value="//; s/"$//')
[ -n "$CSRF" ] || die "no form on /new/question"

# measure NAME PATH [wrk args...]: sets RPS_<NAME>, P99_<NAME>, ERR_<NAME>, P99MS_<NAME>
measure() {
  local name=$1 path=$2 log=$OUT/requests-wrk-$1.txt
  shift 2
  echo "bench/requests: $name  $path  (wrk -t$THREADS -c$CONNS -d${SECONDS_EACH}s)" >&2
  timeout -k 5 $((SECONDS_EACH + 30)) wrk -t"$THREADS" -c"$CONNS" -d"${SECONDS_EACH}s" \
    --timeout 5s --latency -H "$HDR" "$BASE$path" "$@" >"$log" 2>&1 &
  local wrk_pid=$! row=0
  while kill -0 "$wrk_pid" 2>/dev/null; do # the server's RSS while it runs, 4 times a second
    rss_read
    [ -n "$RSS_NOW" ] && [ "$RSS_NOW" -gt "$row" ] && row=$RSS_NOW
    read -r -t 0.25 -u "$TICK" _ # waits 0.25 s: nothing is ever written to the FIFO
  done
  wait "$wrk_pid"
  [ "$row" -gt "${RSS_PEAK:-0}" ] && RSS_PEAK=$row
  printf -v "RSS_$name" '%s' "$([ "$row" -gt 0 ] && awk -v k="$row" 'BEGIN { printf "%.1f", k / 1024 }')"
  local rps p99 errs
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$log")
  p99=$(awk '$1 == "99%" {print $2}' "$log")
  errs=$(awk '/Non-2xx or 3xx responses:/ {n += $NF} /Socket errors:/ {gsub(",", ""); n += $4 + $6 + $8 + $10} END {print n + 0}' "$log")
  printf -v "RPS_$name" '%s' "${rps:-0}"
  printf -v "P99_$name" '%s' "${p99:-?}"
  printf -v "ERR_$name" '%s' "$errs"
  printf -v "P99MS_$name" '%s' "$(awk -v v="${p99:-999s}" 'BEGIN {
    n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; print n }')"
}
# RSS_NOW: kB of VmRSS of the server this script started ("" when measuring another one). Not
# VmHWM: that holds the login's Argon2id buffer (64 MiB for the moment of one hash), not the
# load. Read, and waited for, with bash builtins only: starting awk and sleep 4 times a second
# during a row took the CPU from the server often enough to add 1-1.5 ms to the list page's
# p99 (7.7 -> 8.7-9.2 ms in the same conditions).
rss_read() {
  RSS_NOW=""
  [ -n "$PFORTE_PID" ] || return 0
  local key value _
  while read -r key value _; do
    [ "$key" = VmRSS: ] && { RSS_NOW=$value; return 0; }
  done <"/proc/$PFORTE_PID/status"
}
mkfifo "$TMP/tick"
exec {TICK}<>"$TMP/tick" # read-write: opening does not wait, reading waits for the timeout
rss_read
RSS_START=$RSS_NOW
RSS_PEAK=$RSS_START
timeout 10 wrk -t1 -c4 -d2s -H "$HDR" "$BASE$FIRST" >/dev/null 2>&1 # warm-up
measure asset "$CSS"
measure list_first "$FIRST"
measure list_last "$LAST"
measure search "$SEARCH"
measure search_broad "$SEARCH_BROAD"
if [ -n "${BENCH_DETAIL:-}" ] && get "$BENCH_DETAIL" >/dev/null; then
  measure detail "$BENCH_DETAIL"
fi
before=$(get "/requests?sort=created" | grep -o '/requests/[A-Z]*-[0-9]*' | head -n 1)
measure create /new/question -s "$ROOT/bench/requests-create.lua" -- "$COOKIE" "$CSRF" question
after=$(get "/requests?sort=created" | grep -o '/requests/[A-Z]*-[0-9]*' | head -n 1)
rss_read
RSS_END=$RSS_NOW

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.0f%%", 100 * a / b; else print "-" }'; }
missed=0
verdict() { # verdict VAR CONDITION (awk expression)
  if awk "BEGIN { exit !($2) }"; then printf -v "$1" met; else printf -v "$1" MISSED; missed=$((missed + 1)); fi
}
verdict V_FIRST "$RPS_list_first >= 0.3 * $RPS_asset && $P99MS_list_first < 10"
verdict V_LAST "$RPS_list_last >= 0.3 * $RPS_asset && $P99MS_list_last < 10"
verdict V_CREATE "$RPS_create >= 2000"
mb() { awk -v k="$1" 'BEGIN { printf "%.1f MB", k / 1024 }'; }
[ -n "$RSS_PEAK" ] && verdict V_RSS "$RSS_PEAK < 30 * 1024"
{
echo
echo "$BIN on $(nproc) cores; wrk -t$THREADS -c$CONNS -d${SECONDS_EACH}s on the same machine; as $HEAVY"
echo "list: $pages pages of 25; last page $LAST"
echo "created during the run: ${before#/requests/} -> ${after#/requests/}"
echo
printf '%-34s %12s %10s %10s %8s %8s\n' endpoint "requests/s" "p99" "vs asset" errors "RSS MB"
for n in asset list_first list_last search search_broad detail create; do
  [ -n "$(eval echo "\${RPS_$n:-}")" ] || continue
  case $n in
    asset) label="static asset" ;;
    list_first) label="list, first page" ;;
    list_last) label="list, last page" ;;
    search) label="search \"Kontoauszüge Import\"" ;;
    search_broad) label="search \"Fehler\" (1/3 of all)" ;;
    detail) label="request with 50 activity entries" ;;
    create) label="create (POST /new/question)" ;;
  esac
  rps_var=RPS_$n p99_var=P99_$n err_var=ERR_$n rss_var=RSS_$n
  printf '%-34s %12.0f %10s %10s %8s %8s\n' "$label" "${!rps_var}" "${!p99_var}" \
    "$(ratio "${!rps_var}" "$RPS_asset")" "${!err_var}" "${!rss_var:--}"
done
echo
echo "targets:"
printf '  %-50s %s\n' "list first page >= 30% of asset, p99 < 10 ms" "$V_FIRST"
printf '  %-50s %s\n' "list last page >= 30% of asset, p99 < 10 ms" "$V_LAST"
printf '  %-50s %s\n' "create >= 2,000/s" "$V_CREATE"
if [ -n "$RSS_PEAK" ]; then
  printf '  %-50s %s\n' "RSS under load < 30 MB ($(mb "$RSS_PEAK"))" "$V_RSS"
  echo
  echo "pforte RSS: after login $(mb "$RSS_START"), highest during the runs $(mb "$RSS_PEAK"), after them $(mb "$RSS_END")"
fi
} | tee "$OUT/requests.txt"
[ "${BENCH_STRICT:-0}" = 1 ] && [ $missed -gt 0 ] && exit 1
exit 0
