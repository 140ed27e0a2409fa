#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs bench/ls_bench, then times the whole CLI (`rescope ls`) on the same generated bundles
# with /usr/bin/time -v. Use an optimized build for meaningful figures:
#   cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DRESCOPE_BUILD_TESTS=OFF
#   cmake --build build-release -j2 --target rescope ls_bench
#   bench/run_ls_bench.sh build-release
set -euo pipefail
build=${1:-build}
bench=$build/bench/ls_bench
rescope=$build/rescope
for f in "$bench" "$rescope"; do
  [ -x "$f" ] || { echo "run_ls_bench: $f not built" >&2; exit 2; }
done
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

echo "== machine"
echo "nproc: $(nproc)"
lscpu | head -n 15
echo "build type: $(grep -E '^CMAKE_BUILD_TYPE:' "$build/CMakeCache.txt" | cut -d= -f2)"

echo "== ls_bench (OpenCheckpoint + one pass over the store, best of 5)"
"$bench" --dir "$dir"

echo "== whole CLI: rescope ls <bundle> >/dev/null"
for variant in small large; do
  /usr/bin/time -v "$rescope" ls "$dir/$variant/bench" >/dev/null 2>"$dir/time.txt"
  wall=$(grep 'Elapsed (wall clock)' "$dir/time.txt" | awk '{print $NF}')
  rss=$(grep 'Maximum resident set size' "$dir/time.txt" | awk '{print $NF}')
  user=$(grep 'User time' "$dir/time.txt" | awk '{print $NF}')
  sys=$(grep 'System time' "$dir/time.txt" | awk '{print $NF}')
  echo "$variant: wall ${wall}, user ${user} s, sys ${sys} s, max RSS ${rss} KiB"
done
