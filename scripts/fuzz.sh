#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Long libFuzzer runs of every target (CI runs each for 10 seconds only).
#   bash scripts/fuzz.sh MINUTES [TARGET...]
# Each target runs for MINUTES of wall time with its corpus (tests/fuzz/corpus/<target>) as
# the seed; FUZZ_PARALLEL targets run at once (default: the number of cores), at `nice` so a
# machine stays usable. Afterwards the inputs that reached new coverage are minimized
# (-merge=1) and added to the corpus, crashes are kept under fuzz-out/<target>/, and a table
# of executions, corpus growth and findings goes to fuzz-out/summary.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=${1:?usage: scripts/fuzz.sh MINUTES [TARGET...]}
shift
if [ $# -gt 0 ]; then targets="$*"; else
  targets=$(for f in tests/fuzz/*_fuzzer.cc; do basename "$f" .cc; done)
fi
parallel=${FUZZ_PARALLEL:-$(nproc)}
out=$PWD/fuzz-out
mkdir -p "$out"

CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Release \
  -DRESCOPE_BUILD_FUZZERS=ON -DRESCOPE_BUILD_TESTS=OFF >/dev/null
# shellcheck disable=SC2086
cmake --build build-fuzz -j"$(nproc)" --target $targets >/dev/null

run_one() {
  local name=$1 dir=$out/$1
  rm -rf "$dir" && mkdir -p "$dir/work" "$dir/crashes" "$dir/new"
  local corpus=tests/fuzz/corpus/$name
  [ -d "$corpus" ] && cp -r "$corpus/." "$dir/work/"
  local before
  before=$(find "$dir/work" -type f | wc -l)
  # -fork keeps fuzzing after a crash, so one finding does not end an hour's run.
  LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp nice -n 19 \
    "build-fuzz/tests/fuzz/$name" "$dir/work" -max_total_time=$((minutes * 60)) \
    -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 -rss_limit_mb=4096 \
    -malloc_limit_mb=4096 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$dir/crashes/" >"$dir/log" 2>&1 || true
  # Minimize: -merge=1 adds to a copy of the committed corpus only the inputs that reach
  # coverage it does not; those are the new ones.
  mkdir -p "$dir/merged"
  [ -d "$corpus" ] && cp -r "$corpus/." "$dir/merged/"
  "build-fuzz/tests/fuzz/$name" -merge=1 "$dir/merged" "$dir/work" >"$dir/merge.log" 2>&1 || true
  for f in "$dir/merged"/*; do
    [ -e "$corpus/$(basename "$f")" ] || cp "$f" "$dir/new/"
  done
  local execs added crashes
  # In -fork mode the last status line ("#N: cov: ...") counts every execution of all jobs.
  # (|| true: with pipefail a grep that finds nothing would end the function.)
  execs=$( (grep -o '^#[0-9]*' "$dir/log" || true) | tail -1 | tr -d '#')
  added=$(find "$dir/new" -type f | wc -l)
  crashes=$(find "$dir/crashes" -type f | wc -l)
  printf '%-28s %6s min  %12s execs  corpus %4s + %4s minimized  findings %s\n' \
    "$name" "$minutes" "${execs:-?}" "$before" "$added" "$crashes" >"$dir/summary"
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
