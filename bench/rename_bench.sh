#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Benchmark of `rescope rename` against plain file copies (see bench/README.md).
#
# Generates two synthetic bundles with bench/make_big_ckpt (about 2 GiB in 10,000 float32
# variables, and 100,000 variables of 1 KiB), then times, with a warm page cache:
#   cat PREFIX.index > /dev/null         reading the index once
#   cp PREFIX.index PREFIX.data-* DIR/   a plain copy (no fsync)
#   cp ... && sync FILES                 the same copy made durable (rescope fsyncs)
#   rescope rename P -o OUT --rule model/=renamed/               copy mode (every key renamed)
#   rescope rename P -o OUT --rule model/=renamed/ --link-data   hard-linked data
# Each timing is the median of REPS runs (wall clock, bash's $EPOCHREALTIME); peak RSS comes from an
# extra run under `/usr/bin/time -v`. Outputs are removed between runs.
#
# Usage: bench/rename_bench.sh [BUILD_DIR] [WORK_DIR]
#   BUILD_DIR  a Release build holding rescope and bench/make_big_ckpt (default build-release)
#   WORK_DIR   scratch space, needs ~7 GiB free (default /tmp/rescope-rename-bench); removed
#              at the end unless KEEP=1
# Env: REPS (default 5), SKIP_BIG=1 to run only the 100,000-variable case.
set -euo pipefail

build=${1:-build-release}
work=${2:-/tmp/rescope-rename-bench}
reps=${REPS:-5}
rescope=$build/rescope
gen=$build/bench/make_big_ckpt
for tool in "$rescope" "$gen" /usr/bin/time; do
  [ -x "$tool" ] || { echo "rename_bench: $tool not found (build Release targets rescope and make_big_ckpt; apt-get install time)" >&2; exit 2; }
done

mkdir -p "$work"
free_kib=$(df -Pk "$work" | awk 'NR == 2 { print $4 }')
if [ "${SKIP_BIG:-0}" != 1 ] && [ "$free_kib" -lt $((7 * 1024 * 1024)) ]; then
  echo "rename_bench: less than 7 GiB free in $work" >&2
  exit 2
fi
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT

# print_machine, median_us, rusage, ms, mib
source "$(dirname "$0")/bench_lib.sh"
print_machine

clean_out() { rm -rf "$work/out"; mkdir -p "$work/out"; sync; }

run_case() {
  local label=$1 vars=$2 bytes=$3
  local prefix=$work/in/$label
  mkdir -p "$work/in"
  "$gen" "$prefix" "$vars" "$bytes" >/dev/null
  sync
  local files=("$prefix.index" "$prefix".data-*)
  local data_bytes index_bytes
  data_bytes=$(stat -c %s "$prefix".data-* | awk '{ s += $1 } END { printf "%.0f", s }')
  index_bytes=$(stat -c %s "$prefix.index")
  echo "== $label: $vars variables x $bytes B; data $data_bytes B ($(mib $((data_bytes / 1024)))), index $index_bytes B"
  cat "${files[@]}" >/dev/null  # warm the cache

  prepare=true
  local t_start t_cat t_cp t_cp_sync t_copy t_link u_copy u_link
  t_start=$(median_us "$rescope" --version)
  t_cat=$(median_us cat "$prefix.index")
  prepare=clean_out
  t_cp=$(median_us cp "${files[@]}" "$work/out/")
  cp_sync() { cp "${files[@]}" "$work/out/" && sync "$work/out"/*; }
  t_cp_sync=$(median_us cp_sync)
  local rename=("$rescope" -q rename "$prefix" -o "$work/out/r" --rule model/=renamed/)
  t_copy=$(median_us "${rename[@]}")
  u_copy=($(rusage "${rename[@]}"))
  t_link=$(median_us "${rename[@]}" --link-data)
  u_link=($(rusage "${rename[@]}" --link-data))
  "$rescope" verify "$work/out/r" | tail -1

  printf '  %-44s %12s\n' "rescope --version (process start-up)" "$(ms "$t_start")"
  printf '  %-44s %12s\n' "cat PREFIX.index > /dev/null" "$(ms "$t_cat")"
  printf '  %-44s %12s\n' "cp index + data" "$(ms "$t_cp")"
  printf '  %-44s %12s\n' "cp index + data, then sync the copies" "$(ms "$t_cp_sync")"
  printf '  %-44s %12s   peak RSS %s, cpu %s s   (%.2fx cp, %.2fx cp+sync)\n' \
    "rescope rename (copy)" "$(ms "$t_copy")" "$(mib "${u_copy[0]}")" "${u_copy[1]}" \
    "$(awk -v a="$t_copy" -v b="$t_cp" 'BEGIN { print a / b }')" \
    "$(awk -v a="$t_copy" -v b="$t_cp_sync" 'BEGIN { print a / b }')"
  printf '  %-44s %12s   peak RSS %s, cpu %s s\n' "rescope rename --link-data" "$(ms "$t_link")" \
    "$(mib "${u_link[0]}")" "${u_link[1]}"
  rm -rf "$work/in" "$work/out"
  echo
}

if [ "${SKIP_BIG:-0}" != 1 ]; then
  run_case big-10k 10000 214852  # float32 [53713]: 2,148,520,000 B, just over 2 GiB
fi
run_case small-100k 100000 1024
