#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Benchmark of `rescope verify` on a ~2 GiB TF bundle against `cat` of its data shard (see
# bench/README.md): verify must read every byte and recompute its CRC32C, cat only reads.
#
# Generates a synthetic bundle with bench/make_big_ckpt (10,000 float32 variables of
# 214,852 bytes: 2,148,520,000 data bytes), warms the page cache, then times
#   cat PREFIX.data-* > /dev/null
#   rescope verify PREFIX -j 1     (one core: the throughput target is against cat here)
#   rescope verify PREFIX          (one thread per core)
# Each wall time is the median of REPS runs; CPU time (user + sys) and peak RSS come from one
# extra run under /usr/bin/time -v. On a shared machine CPU time is the steadier figure:
# wall time includes waiting for a core.
#
# Usage: bench/verify_bench.sh [BUILD_DIR] [WORK_DIR]
#   BUILD_DIR  a Release build holding rescope and bench/make_big_ckpt (default build-release)
#   WORK_DIR   scratch space, needs ~2.1 GiB free (default /tmp/rescope-verify-bench); removed
#              at the end unless KEEP=1; an existing WORK_DIR/in/big bundle is reused
# Env: REPS (default 5), VARS / BYTES (default 10000 / 214852) for a smaller trial run,
#      RESCOPE (a rescope binary to time instead of BUILD_DIR's, e.g. an older build).
set -euo pipefail

build=${1:-build-release}
work=${2:-/tmp/rescope-verify-bench}
reps=${REPS:-5}
vars=${VARS:-10000}
bytes=${BYTES:-214852}
rescope=${RESCOPE:-$build/rescope}
gen=$build/bench/make_big_ckpt
for tool in "$rescope" "$gen" /usr/bin/time; do
  [ -x "$tool" ] || { echo "verify_bench: $tool not found (build Release targets rescope and make_big_ckpt; apt-get install time)" >&2; exit 2; }
done

mkdir -p "$work"
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT

# print_machine, median_us, rusage, ms, mib
source "$(dirname "$0")/bench_lib.sh"
prepare=true
print_machine

prefix=$work/in/big
if [ ! -e "$prefix.index" ]; then
  need_kib=$((vars * bytes / 1024 + 64 * 1024))
  free_kib=$(df -Pk "$work" | awk 'NR == 2 { print $4 }')
  if [ "$free_kib" -lt "$need_kib" ]; then
    echo "verify_bench: less than $((need_kib / 1024)) MiB free in $work" >&2
    exit 2
  fi
  mkdir -p "$work/in"
  "$gen" "$prefix" "$vars" "$bytes" >/dev/null
fi
data=("$prefix".data-*)
data_bytes=$(stat -L -c %s "${data[@]}" | awk '{ s += $1 } END { printf "%.0f", s }')
echo "== input: $(ls "$prefix".data-* | wc -l) data shard(s), $data_bytes B ($(mib $((data_bytes / 1024))))"
cat "$prefix.index" "${data[@]}" >/dev/null  # warm the cache

# row LABEL CMD...: median wall, CPU time, peak RSS, and throughput by wall and by CPU.
row() {
  local label=$1 us rss cpu
  shift
  us=$(median_us "$@")
  read -r rss cpu < <(rusage "$@") || true  # rusage prints no final newline
  printf '%-28s %10s  cpu %5.2f s  %6.2f GB/s wall  %6.2f GB/s cpu  rss %s\n' "$label" "$(ms "$us")" \
    "$cpu" "$(awk -v b="$data_bytes" -v us="$us" 'BEGIN { print b / us / 1000 }')" \
    "$(awk -v b="$data_bytes" -v c="$cpu" 'BEGIN { print (c > 0 ? b / c / 1e9 : 0) }')" "$(mib "$rss")"
}
row "cat data" sh -c 'cat "$@"' sh "${data[@]}"
if "$rescope" verify --help | grep -q -- --jobs; then
  row "rescope verify -j 1" "$rescope" verify "$prefix" -j 1
  row "rescope verify (-j $(nproc))" "$rescope" verify "$prefix"
else
  row "rescope verify (no -j)" "$rescope" verify "$prefix"  # a build from before -j
fi
