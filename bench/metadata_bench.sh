#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Metadata-path benchmark (issue 13): ls, ls --json, rename --link-data, check against a
# manifest and diff without values, on bundles of 1k/10k/100k/1M variables written by
# make_big_ckpt (4-byte tensors: only the index matters), then rename --dry-run with huge
# rule lists on 30,000 variables. Prints median wall time, CPU time (user+sys of one run),
# peak RSS, the load average and, with CALLGRIND=1, the instruction count of one run under valgrind --tool=callgrind (stable where wall times
# on a shared machine are not).
#
# Usage: bench/metadata_bench.sh [BUILD_DIR] [WORK_DIR]
#   BUILD_DIR  Release build with rescope and bench/make_big_ckpt (default build-release)
#   WORK_DIR   scratch (default /tmp/rescope-metadata-bench), removed unless KEEP=1
# Env: REPS (default 5), SIZES (default "1000 10000 100000 1000000"), CALLGRIND=1,
#      CALLGRIND_MAX (largest size run under callgrind, default 100000), SKIP_MAPS=1,
#      BYTES (bytes per tensor, default 4: rerun with 16 to show that the metadata paths do
#      not grow with data size).
set -euo pipefail

build=${1:-build-release}
work=${2:-/tmp/rescope-metadata-bench}
reps=${REPS:-5}
bytes=${BYTES:-4}
sizes=${SIZES:-"1000 10000 100000 1000000"}
rescope=$(realpath "$build/rescope")
gen=$build/bench/make_big_ckpt
for tool in "$rescope" "$gen" /usr/bin/time; do
  [ -x "$tool" ] || { echo "metadata_bench: $tool not found" >&2; exit 2; }
done
mkdir -p "$work"
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT
source "$(dirname "$0")/bench_lib.sh"
prepare=true
print_machine

# instructions CMD...: instruction count of one run under callgrind ("-" unless CALLGRIND=1).
instructions() {
  if [ "${CALLGRIND:-0}" != 1 ] || [ "$size" -gt "${CALLGRIND_MAX:-100000}" ]; then
    echo "-"
    return
  fi
  valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" "$@" >/dev/null 2>"$work/cg.txt" || true
  awk '/Collected :/ { printf "%.0fM", $NF / 1e6 }' "$work/cg.txt"
}

measure() {  # LABEL CMD...
  local label=$1
  shift
  local t u
  t=$(median_us "$@")
  u=($(rusage "$@"))
  printf '  %-34s wall %10s   CPU %5s s   peak RSS %10s   instructions %s   load %s\n' "$label" \
    "$(ms "$t")" "${u[1]}" "$(mib "${u[0]}")" "$(instructions "$@")" "$(cut -d' ' -f1 /proc/loadavg)"
}

rename_out() { rm -rf "$work/out"; mkdir -p "$work/out"; }

for size in $sizes; do
  p=$work/c$size
  "$gen" "$p" "$size" "$bytes" >/dev/null
  mkdir -p "$work/copy$size"
  cp "$p".* "$work/copy$size/"
  q=$work/copy$size/c$size
  "$rescope" ls --json "$p" >"$work/manifest$size.json"
  echo "== $size variables: index $(stat -c %s "$p.index") B, data $(stat -c %s "$p".data-*) B"
  measure "ls > file" "$rescope" ls "$p"
  measure "ls --json > file" "$rescope" ls --json "$p"
  prepare=rename_out
  measure "rename --link-data (every name)" "$rescope" -q rename "$p" -o "$work/out/r" \
    --rule model/=renamed/ --link-data
  prepare=true
  measure "check --expect manifest" "$rescope" check "$p" --expect "$work/manifest$size.json"
  measure "diff (no values)" "$rescope" diff "$p" "$q"
  rm -rf "$work/copy$size" "$p".* "$work/manifest$size.json"
done

[ "${SKIP_MAPS:-0}" = 1 ] && exit 0
size=30000
p=$work/m$size
"$gen" "$p" "$size" 4 >/dev/null
# make_big_ckpt names variable i "model/layer_<i/5>/<kind>": 6,000 layers.
awk 'BEGIN { printf "{"; for (i = 0; i < 1000000; i++) printf "%s\"model/layer_%05d/attention/query/kernel\": \"m/%d\"", (i ? "," : ""), i, i; print "}" }' >"$work/assign.json"
awk 'BEGIN { printf "{\"rules\": ["; for (i = 0; i < 1000000; i++) printf "%s{\"name\": \"model/layer_%05d/ffn/dense/bias\", \"to\": \"n/%d\"}", (i ? "," : ""), i, i; print "]}" }' >"$work/names.json"
awk 'BEGIN { printf "{\"rules\": ["; for (i = 0; i < 100000; i++) printf "%s{\"regex\": \"model/layer_%05d/(.*)/kernel\", \"to\": \"r%d/$1\"}", (i ? "," : ""), i, i; print "]}" }' >"$work/regex.json"
echo "== rename --dry-run --allow-unmatched on $size variables"
for m in assign names regex; do
  measure "--map $m.json ($(stat -c %s "$work/$m.json") B)" "$rescope" -q rename "$p" \
    -o "$work/out/r" --map "$work/$m.json" --allow-unmatched --dry-run
done
