#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Benchmark of `rescope convert` from a ~2 GiB TF bundle to safetensors and to PyTorch,
# against plain copies of the same bytes (see bench/README.md).
#
# Generates a synthetic bundle with bench/make_big_ckpt (10,000 float32 variables of
# 214,852 bytes: 2,148,520,000 data bytes), then times, with a warm page cache:
#   cp PREFIX.data-* OUT/               a plain copy of the tensor bytes (no fsync)
#   cp ... && sync OUT/*                the same copy made durable (rescope fsyncs)
#   rescope convert P OUT/m.safetensors
#   rescope convert P OUT/m.pt
#   rescope convert P OUT/pt/pytorch_model.bin --max-shard-size 500MB
# Each timing is the median of REPS runs; peak RSS and CPU time come from one extra run
# under `/usr/bin/time -v`. Then it shows that `rescope ls` of the 2 GiB safetensors file
# reads the header only: wall time and peak RSS (mapped pages it touched count in RSS), and,
# with util-linux fincore, how much of the file is in the page cache after evicting it and
# running ls once.
#
# Usage: bench/convert_bench.sh [BUILD_DIR] [WORK_DIR]
#   BUILD_DIR  a Release build holding rescope and bench/make_big_ckpt (default build-release)
#   WORK_DIR   scratch space, needs ~7 GiB free (default /tmp/rescope-convert-bench); removed
#              at the end unless KEEP=1
# Env: REPS (default 5), VARS / BYTES (default 10000 / 214852) for a smaller trial run.
set -euo pipefail

build=${1:-build-release}
work=${2:-/tmp/rescope-convert-bench}
reps=${REPS:-5}
vars=${VARS:-10000}
bytes=${BYTES:-214852}
rescope=$build/rescope
gen=$build/bench/make_big_ckpt
for tool in "$rescope" "$gen" /usr/bin/time; do
  [ -x "$tool" ] || { echo "convert_bench: $tool not found (build Release targets rescope and make_big_ckpt; apt-get install time)" >&2; exit 2; }
done

mkdir -p "$work"
need_kib=$((vars * bytes / 1024 * 3 + 1024 * 1024))
free_kib=$(df -Pk "$work" | awk 'NR == 2 { print $4 }')
if [ "$free_kib" -lt "$need_kib" ]; then
  echo "convert_bench: less than $((need_kib / 1024 / 1024)) GiB free in $work" >&2
  exit 2
fi
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT

# print_machine, median_us, rusage, ms, mib
source "$(dirname "$0")/bench_lib.sh"
print_machine
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

clean_out() { rm -rf "$work/out"; mkdir -p "$work/out"; sync; }

prefix=$work/in/big
mkdir -p "$work/in"
"$gen" "$prefix" "$vars" "$bytes" >/dev/null
sync
data=("$prefix".data-*)
data_bytes=$(stat -c %s "${data[@]}" | awk '{ s += $1 } END { printf "%.0f", s }')
echo "== input: $vars float32 variables x $bytes B; data $data_bytes B ($(mib $((data_bytes / 1024))))"
cat "$prefix.index" "${data[@]}" >/dev/null  # warm the cache

prepare=clean_out
t_cp=$(median_us cp "${data[@]}" "$work/out/")
cp_sync() { cp "${data[@]}" "$work/out/" && sync "$work/out"/*; }
t_cp_sync=$(median_us cp_sync)
row() {  # label time-us rss-kib cpu-s
  printf '  %-50s %10s   peak RSS %9s, cpu %5s s   (%sx cp, %sx cp+sync)\n' "$1" "$(ms "$2")" \
    "$(mib "$3")" "$4" "$(ratio "$2" "$t_cp")" "$(ratio "$2" "$t_cp_sync")"
}
printf '  %-50s %10s\n' "cp data shard" "$(ms "$t_cp")"
printf '  %-50s %10s\n' "cp data shard, then sync the copy" "$(ms "$t_cp_sync")"
for target in m.safetensors m.pt "pt/pytorch_model.bin --max-shard-size 500MB"; do
  # shellcheck disable=SC2206
  args=($target)
  cmd=("$rescope" -q convert "$prefix" "$work/out/${args[0]}" "${args[@]:1}")
  clean_out
  "${cmd[@]}" >/dev/null || { echo "convert_bench: failed: ${cmd[*]}" >&2; exit 1; }
  t=$(median_us "${cmd[@]}")
  u=($(rusage "${cmd[@]}"))
  row "rescope convert -> $target" "$t" "${u[0]}" "${u[1]}"
done

# ls of the 2 GiB safetensors output: header only.
prepare=true
"$rescope" -q convert "$prefix" "$work/st.safetensors" >/dev/null
st_bytes=$(stat -c %s "$work/st.safetensors")
header_bytes=$(($(od -An -t u8 -N 8 "$work/st.safetensors") + 8))
t_ls=$(median_us "$rescope" ls "$work/st.safetensors")
u_ls=($(rusage "$rescope" ls "$work/st.safetensors"))
echo
echo "== rescope ls of the safetensors output ($st_bytes B, header $header_bytes B)"
printf '  %-50s %10s   peak RSS %9s, cpu %5s s\n' "rescope ls m.safetensors" "$(ms "$t_ls")" \
  "$(mib "${u_ls[0]}")" "${u_ls[1]}"
# Evict the file from the page cache (posix_fadvise DONTNEED through dd's nocache flag; the
# file is synced, so its clean pages can go), run ls, and count what ls brought back in.
if command -v fincore >/dev/null; then
  sync "$work/st.safetensors"
  dd if="$work/st.safetensors" iflag=nocache count=0 status=none
  before=$(fincore -b -n -o RES "$work/st.safetensors" | tr -d ' ')
  "$rescope" ls "$work/st.safetensors" >/dev/null
  after=$(fincore -b -n -o RES "$work/st.safetensors" | tr -d ' ')
  echo "  page cache of the file: $before B before ls (after eviction), $after B after ls"
  echo "  (kernel readahead included; the file is $st_bytes B, its header $header_bytes B)"
fi
