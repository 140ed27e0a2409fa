#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Benchmark of `rescope diff --values` on two ~2 GiB TF bundles that differ in a few tensors,
# against the time `cat` needs just to read both data files; reports peak RSS.
#
# Usage: bench/diff_bench.sh [BUILD_DIR] [GIB]
#   BUILD_DIR  a build with targets rescope and make_diff_ckpts (default build-release; use
#              an optimized one: cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release
#              -DRESCOPE_BUILD_TESTS=OFF && cmake --build build-release --target rescope
#              make_diff_ckpts)
#   GIB        size of each checkpoint (default 2)
#   BENCH_TMP  where the checkpoints are written (default /tmp); they are deleted on exit
#   RUNS       timed runs of each command (default 3); the best run is reported
# Targets: diff within 1.5x of the cat time, peak RSS under 100 MB. Both commands read the
# files from the page cache after a warm-up pass (the machine's RAM must hold both files);
# nothing is dropped from the cache, so the comparison is CPU and memory bound, not disk.
# Needs GNU time (/usr/bin/time, Debian package `time`).
set -euo pipefail
build=${1:-build-release}
gib=${2:-2}
runs=${RUNS:-3}
base=${BENCH_TMP:-/tmp}
rescope=$build/rescope
gen=$build/bench/make_diff_ckpts
for tool in "$rescope" "$gen"; do
  [ -x "$tool" ] || { echo "diff_bench: $tool not found (build it first, see the header)" >&2; exit 2; }
done
[ -x /usr/bin/time ] || { echo "diff_bench: /usr/bin/time missing (apt-get install time)" >&2; exit 2; }

need_kib=$(awk -v g="$gib" 'BEGIN { printf "%d", g * 2 * 1048576 * 1.05 }')
avail_kib=$(df -Pk "$base" | awk 'NR == 2 { print $4 }')
df -h "$base"
if [ "$avail_kib" -lt "$need_kib" ]; then
  echo "diff_bench: $base has ${avail_kib} KiB free, needs ${need_kib} KiB" >&2
  exit 2
fi

dir=$(mktemp -d "$base/rescope_diff_bench.XXXXXX")
trap 'rm -rf "$dir"' EXIT
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')," \
  "$(awk '/MemTotal/ { printf "%.1f GiB RAM", $2 / 1048576 }' /proc/meminfo)"
echo "generating 2 x $gib GiB in $dir"
gen_start=$(date +%s.%N)
"$gen" "$dir" "$gib"
echo "generated in $(awk -v a="$gen_start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f s", b - a }')"
a_data=$dir/a.ckpt.data-00000-of-00001
b_data=$dir/b.ckpt.data-00000-of-00001
ls -l "$a_data" "$b_data"

# Prints "<elapsed seconds> <max RSS KiB> <user + sys CPU seconds>" of one run of the
# command (CPU time is the figure to compare on a loaded machine).
measure() {
  local log=$dir/time.log
  /usr/bin/time -v -o "$log" "$@" >"$dir/stdout" || [ $? = 1 ]  # diff exits 1: different
  awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0;
                 for (i = 1; i <= n; ++i) s = s * 60 + t[i]; el = s }
              /User time \(seconds\)|System time \(seconds\)/ { cpu += $2 }
              /Maximum resident set size/ { rss = $2 }
              END { printf "%.2f %d %.2f\n", el, rss, cpu }' "$log"
}

cat "$a_data" "$b_data" >/dev/null  # warm-up: both files in the page cache
best_cat=inf best_diff=inf cat_rss=0 diff_rss=0
for ((i = 1; i <= runs; ++i)); do
  read -r t rss cpu < <(measure sh -c 'cat "$1" "$2" >/dev/null' sh "$a_data" "$b_data")
  echo "run $i: cat  ${t} s (CPU ${cpu} s), max RSS ${rss} KiB"
  best_cat=$(awk -v a="$best_cat" -v b="$t" 'BEGIN { print (a == "inf" || b < a) ? b : a }')
  cat_rss=$rss
  read -r t rss cpu < <(measure "$rescope" diff --values "$dir/a.ckpt" "$dir/b.ckpt")
  echo "run $i: diff ${t} s (CPU ${cpu} s), max RSS ${rss} KiB"
  best_diff=$(awk -v a="$best_diff" -v b="$t" 'BEGIN { print (a == "inf" || b < a) ? b : a }')
  [ "$rss" -gt "$diff_rss" ] && diff_rss=$rss
done
echo "--- rescope diff --values output:"
cat "$dir/stdout"
echo "---"
ratio=$(awk -v d="$best_diff" -v c="$best_cat" 'BEGIN { printf "%.2f", d / c }')
echo "best of $runs: cat ${best_cat} s, rescope diff --values ${best_diff} s (${ratio}x cat);" \
  "peak RSS of diff $((diff_rss / 1024)) MiB (${diff_rss} KiB; cat ${cat_rss} KiB)"
ok=1
awk -v r="$ratio" 'BEGIN { exit !(r <= 1.5) }' || { echo "MISS: diff slower than 1.5x cat"; ok=0; }
# 100 MB = 10^8 bytes = 97656 KiB.
[ "$diff_rss" -lt 97656 ] || { echo "MISS: peak RSS not under 100 MB"; ok=0; }
if [ $ok = 1 ]; then
  echo "targets met"
else
  exit 1
fi
