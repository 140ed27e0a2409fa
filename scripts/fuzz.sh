#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Long libFuzzer runs of every target (CI runs each for 10 seconds only).
#   bash scripts/fuzz.sh MINUTES [TARGET...]
# Each target runs for MINUTES of wall time with its corpus (tests/fuzz/corpus/<target>) as
# the seed; FUZZ_PARALLEL targets run at once (default: the number of cores), at `nice` so a
# machine stays usable. Afterwards the inputs that reached new coverage are minimized
# (-merge=1) and added to the corpus, crashes are kept under fuzz-out/<target>/, and a table
# of executions, corpus growth and findings goes to fuzz-out/summary.txt.
# FUZZ_BUDGET=cpu makes MINUTES minutes of CPU time per target instead of wall time (on a
# shared machine a nice-19 fuzzer may get little of its wall time): a watcher stops the
# target once its process tree has used that much CPU. The summary gives both.
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:?usage: scripts/fuzz.sh MINUTES [TARGET...]}
shift
if [ $# -gt 0 ]; then targets="$*"; else
  targets=$(for f in tests/fuzz/*_fuzzer.cc; do basename "$f" .cc; done)
fi
parallel=${FUZZ_PARALLEL:-$(nproc)}
budget=${FUZZ_BUDGET:-wall}
case $budget in wall | cpu) ;; *) echo "FUZZ_BUDGET must be wall or cpu" >&2; exit 2 ;; esac
ticks=$(getconf CLK_TCK)
out=$PWD/fuzz-out
mkdir -p "$out"

CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Release \
  -DRESCOPE_BUILD_FUZZERS=ON -DRESCOPE_BUILD_TESTS=OFF >/dev/null
# shellcheck disable=SC2086
cmake --build build-fuzz -j"$(nproc)" --target $targets >/dev/null

# CPU seconds used so far by process PID and its descendants (finished ones included, as
# they are waited for by their parents).
tree_cpu_seconds() {
  local pid=$1 total=0 f child
  read -r -a f <"/proc/$pid/stat" 2>/dev/null || { echo 0; return; }
  # Fields 14-17 (utime stime cutime cstime); the command name in field 2 has no spaces here.
  total=$((f[13] + f[14] + f[15] + f[16]))
  for child in $(cat /proc/"$pid"/task/*/children 2>/dev/null); do
    total=$((total + $(tree_cpu_seconds "$child") * ticks))
  done
  echo $((total / ticks))
}

descendants() {
  local child
  for child in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
    echo "$child"
    descendants "$child"
  done
}

# Stops the fuzzer under PID once the tree used LIMIT CPU seconds. SIGTERM, not SIGINT:
# `time` ignores SIGINT, and so does libFuzzer's fork-mode parent while system() waits for a
# job; libFuzzer ends cleanly on SIGTERM.
stop_at_cpu() {
  local pid=$1 limit=$2
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$(tree_cpu_seconds "$pid")" -ge "$limit" ]; then
      # shellcheck disable=SC2046
      kill -TERM $(descendants "$pid") 2>/dev/null
      return
    fi
    sleep 10
  done
}

run_one() {
  local name=$1 dir=$out/$1
  rm -rf "$dir" && mkdir -p "$dir/work" "$dir/crashes" "$dir/new"
  local corpus=tests/fuzz/corpus/$name
  [ -d "$corpus" ] && cp -r "$corpus/." "$dir/work/"
  local before
  before=$(find "$dir/work" -type f | wc -l)
  # -fork keeps fuzzing after a crash, so one finding does not end an hour's run.
  # With a CPU budget the wall limit only guards against a fuzzer that never gets the CPU.
  local wall=$((minutes * 60))
  [ "$budget" = cpu ] && wall=$((minutes * 60 * 50))
  local started=$SECONDS
  LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp nice -n 19 \
    /usr/bin/time -f '%U %S' -o "$dir/cpu" \
    "build-fuzz/tests/fuzz/$name" "$dir/work" -max_total_time=$wall \
    -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 -rss_limit_mb=4096 \
    -malloc_limit_mb=4096 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$dir/crashes/" >"$dir/log" 2>&1 &
  local timer=$!
  [ "$budget" = cpu ] && stop_at_cpu "$timer" $((minutes * 60))
  wait "$timer" || true
  local wall_min=$(((SECONDS - started) / 60))
  # Minimize: -merge=1 adds to a copy of the committed corpus only the inputs that reach
  # coverage it does not; those are the new ones.
  mkdir -p "$dir/merged"
  [ -d "$corpus" ] && cp -r "$corpus/." "$dir/merged/"
  "build-fuzz/tests/fuzz/$name" -merge=1 "$dir/merged" "$dir/work" >"$dir/merge.log" 2>&1 || true
  for f in "$dir/merged"/*; do
    [ -e "$corpus/$(basename "$f")" ] || cp "$f" "$dir/new/"
  done
  local execs added crashes cpu_min
  cpu_min=$(awk 'END { if (NF >= 2) printf "%d", ($1 + $2) / 60; else print "?" }' "$dir/cpu")
  # In -fork mode the last status line ("#N: cov: ...") counts every execution of all jobs.
  # (|| true: with pipefail a grep that finds nothing would end the function.)
  execs=$( (grep -o '^#[0-9]*' "$dir/log" || true) | tail -1 | tr -d '#')
  added=$(find "$dir/new" -type f | wc -l)
  crashes=$(find "$dir/crashes" -type f | wc -l)
  printf '%-20s %4s min wall %4s min CPU %12s execs  corpus %4s + %4s minimized  findings %s\n' \
    "$name" "$wall_min" "$cpu_min" "${execs:-?}" "$before" "$added" "$crashes" >"$dir/summary"
}

running=0
for name in $targets; do
  run_one "$name" &
  running=$((running + 1))
  if [ "$running" -ge "$parallel" ]; then wait -n; running=$((running - 1)); fi
done
wait
for name in $targets; do cat "$out/$name/summary"; done | tee "$out/summary.txt"
echo "New corpus inputs are in fuzz-out/<target>/new (copy them into tests/fuzz/corpus/<target>);"
echo "findings in fuzz-out/<target>/crashes (replay: build-fuzz/tests/fuzz/<target> FILE)."
