#!/usr/bin/env bash
# fuzz.sh: runs every libFuzzer target build/fuzz/fuzz_* for FUZZ_SECONDS (default 20) each,
# FUZZ_JOBS (default 2) at a time, each on a temporary copy of its seed corpus
# fuzz/corpus/<name without fuzz_>/ (the committed corpus is never written to). A crash, leak,
# timeout or a target without a seed corpus is a failure; a crashing input is kept in
# build/fuzz-artifacts/<name>/. A fuzz/corpus/<name>.dict or fuzz/<name>.dict is used when present.
# FUZZ_BIN_DIR, FUZZ_CORPUS_DIR, FUZZ_SRC_DIR, FUZZ_ARTIFACTS override the folders.
#   scripts/fuzz.sh [TARGET_NAME...]      (make fuzz runs it with FUZZ_SECONDS=300)
# Last line: `N passed, N failed` (one per target); exit status 1 when any failed.
set -u
cd "$(dirname "$0")/.."
FUZZ_SECONDS=${FUZZ_SECONDS:-20}
FUZZ_JOBS=${FUZZ_JOBS:-2}
ARTIFACTS=${FUZZ_ARTIFACTS:-build/fuzz-artifacts}
BIN_DIR=${FUZZ_BIN_DIR:-build/fuzz}
CORPUS_DIR=${FUZZ_CORPUS_DIR:-fuzz/corpus}
SRC_DIR=${FUZZ_SRC_DIR:-fuzz}
WORK=$(mktemp -d /tmp/pforte-fuzz.XXXXXX)
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && kill -TERM "$p" 2>/dev/null; done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

targets=()
if [ $# -gt 0 ]; then
  for n in "$@"; do targets+=("$BIN_DIR/$(basename "$n")"); done
else
  for f in "$BIN_DIR"/fuzz_*; do [ -f "$f" ] && [ -x "$f" ] && targets+=("$f"); done
fi
passed=0
failed=0
# a fuzz/fuzz_*.c without its binary is a failure too (the build did not make it)
for src in "$SRC_DIR"/fuzz_*.c; do
  [ -f "$src" ] || continue
  bin=$BIN_DIR/$(basename "$src" .c)
  if [ ! -x "$bin" ]; then
    echo "fuzz: $(basename "$bin"): FAILED (not built: $bin missing; run make fuzz-build)"
    failed=$((failed + 1))
  fi
done
if [ ${#targets[@]} -eq 0 ]; then
  echo "fuzz: no fuzz targets in $BIN_DIR/ (run make fuzz-build)"
  echo "$passed passed, $((failed > 0 ? failed : 1)) failed"
  exit 1
fi

# run_one TARGET: fuzzes one target; writes WORK/NAME.status (ok|FAILED reason)
run_one() {
  local bin=$1 name corpus_name seed work dict=() rc
  name=$(basename "$bin")
  corpus_name=${name#fuzz_}
  seed=$CORPUS_DIR/$corpus_name
  work=$WORK/$name
  mkdir -p "$work/corpus" "$ARTIFACTS/$name"
  if [ ! -d "$seed" ] || [ -z "$(ls -A "$seed" 2>/dev/null)" ]; then
    echo "FAILED (no seed corpus in $seed/)" >"$WORK/$name.status"
    return
  fi
  cp -R "$seed/." "$work/corpus/"
  for d in "$CORPUS_DIR/$corpus_name.dict" "$SRC_DIR/$name.dict" "$SRC_DIR/$corpus_name.dict"; do
    [ -f "$d" ] && dict=("-dict=$d") && break
  done
  timeout -k 10 $((FUZZ_SECONDS + 120)) "$bin" -max_total_time="$FUZZ_SECONDS" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$ARTIFACTS/$name/" \
    "${dict[@]}" "$work/corpus" >"$work/log" 2>&1
  rc=$?
  local runs
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -n 1)
  if [ $rc -eq 0 ]; then
    echo "ok (${runs:-?} runs in ${FUZZ_SECONDS}s)" >"$WORK/$name.status"
  else
    local why="exit $rc"
    [ $rc -eq 124 ] && why="hung past its time limit"
    grep -q 'ERROR: AddressSanitizer\|ERROR: LeakSanitizer\|runtime error:\|deadly signal\|ERROR: libFuzzer' \
      "$work/log" && why="crash"
    cp "$work/log" "$ARTIFACTS/$name/last.log"
    echo "FAILED ($why; log $ARTIFACTS/$name/last.log, inputs in $ARTIFACTS/$name/)" \
      >"$WORK/$name.status"
  fi
}

report() {
  local bin=$1 name status
  name=$(basename "$bin")
  status=$(cat "$WORK/$name.status" 2>/dev/null || echo "FAILED (no result)")
  echo "fuzz: $name: $status"
  case "$status" in
    ok*) passed=$((passed + 1)) ;;
    *)
      failed=$((failed + 1))
      if [ -f "$WORK/$name/log" ]; then
        grep -n -m 1 -A 30 'ERROR: \|runtime error:\|deadly signal' "$WORK/$name/log" | head -n 40
      fi
      ;;
  esac
}

echo "fuzz: ${#targets[@]} target(s), ${FUZZ_SECONDS}s each, $FUZZ_JOBS at a time"
running=()
for bin in "${targets[@]}"; do
  if [ ! -x "$bin" ]; then
    echo "fuzz: $(basename "$bin"): FAILED (no such target)"
    failed=$((failed + 1))
    continue
  fi
  while [ ${#running[@]} -ge "$FUZZ_JOBS" ]; do
    wait -n 2>/dev/null
    still=()
    for r in "${running[@]}"; do
      p=${r%%:*}
      if kill -0 "$p" 2>/dev/null; then still+=("$r"); else wait "$p" 2>/dev/null; report "${r#*:}"; fi
    done
    running=("${still[@]}")
  done
  run_one "$bin" &
  pids+=($!)
  running+=("$!:$bin")
done
for r in "${running[@]}"; do
  wait "${r%%:*}" 2>/dev/null
  report "${r#*:}"
done
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
