#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Damaged copies of real checkpoints through `ls`, `verify`, `show` and `convert`.
#   bash scripts/corruption_sweep.sh [--sample N] [--seed S] [--rescope BIN] DATA_DIR...
# For every checkpoint under the DATA_DIRs (each subdirectory, and each file rescope opens
# by itself), damaged variants of each of its files are made in a scratch copy: truncations
# (to 0 and 1 byte, at 4 KiB block boundaries, at random offsets) and byte flips (in the
# first 64 bytes, where headers live; in the first tenth, where indexes usually are; at
# random offsets). Each variant goes through every command, and the sweep fails on:
#   - a run ending with anything but exit 0, 1 or 2 (a signal: crash, abort, sanitizer), or
#     running over 60 s;
#   - a damaged input that rescope modified;
#   - an output left behind by a failed convert, or a convert output that does not verify;
#   - a flipped byte inside a TF bundle data shard (every byte there is covered by a stored
#     CRC32C) that `verify` does not report.
# Without --sample every variant of every file is run (the full sweep, an hour or more);
# with --sample N, N variants per checkpoint, chosen by the seed (CI runs a sample).
set -uo pipefail
sample=0 seed=1 rescope=${RESCOPE:-build/rescope}
dirs=()
while [ $# -gt 0 ]; do
  case $1 in
    --sample) sample=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --rescope) rescope=$2; shift 2 ;;
    *) dirs+=("$1"); shift ;;
  esac
done
[ ${#dirs[@]} -gt 0 ] || { echo "usage: $0 [--sample N] [--seed S] [--rescope BIN] DATA_DIR..." >&2; exit 2; }
for d in "${dirs[@]}"; do
  if [ ! -d "$d" ]; then
    echo "skipped: corruption sweep: data folder $d not found"
    # CI skips nothing: a missing data folder is a failure there.
    if [ "${CI:-}" = true ] || [ "${RESCOPE_REQUIRE_JUDGES:-0}" = 1 ]; then exit 1; fi
    exit 77
  fi
done
RANDOM=$seed
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
runs=0 variants=0 failures=0 verify_caught=0 data_flips=0
declare -A exits=()

fail() { failures=$((failures + 1)); echo "FAIL: $*"; }

# Runs one command on the damaged copy with a time limit; records its exit status.
run() {
  local label=$1
  shift
  timeout -s KILL 60 "$@" >/dev/null 2>"$scratch/err"
  local code=$?
  runs=$((runs + 1))
  exits[$code]=$(( ${exits[$code]:-0} + 1 ))
  if [ $code = 137 ]; then
    fail "$label: over 60 s (or killed): $*"
  elif [ $code -gt 2 ]; then
    fail "$label: exit $code ($(tail -3 "$scratch/err" | tr '\n' ' ')): $*"
  fi
  return $code
}

# The checkpoints: a subdirectory rescope opens, else files it opens by themselves.
inputs_of() {
  local ckpt=$1
  if "$rescope" ls "$ckpt" >/dev/null 2>&1; then echo "$ckpt"; return; fi
  local f n=0
  for f in "$ckpt"/*; do
    [ -f "$f" ] || continue
    case $f in *.md | *.json | *.py | *.txt) continue ;; esac
    if "$rescope" ls "$f" >/dev/null 2>&1; then echo "$f"; n=$((n + 1)); fi
    [ $n -ge 2 ] && break
  done
}

# Prints the damages for a file of `size` bytes, one per line: "trunc OFFSET" or "flip OFFSET".
damages_of() {
  local size=$1 o
  [ "$size" -gt 0 ] || return
  echo "trunc 0"; echo "trunc 1"; echo "trunc $((size - 1))"; echo "trunc $((size / 2))"
  for ((o = 4096; o < size && o <= 16 * 4096; o += 4096)); do echo "trunc $o"; done
  for _ in 1 2 3; do echo "trunc $(( (RANDOM * 32768 + RANDOM) % size ))"; done
  for ((o = 0; o < size && o < 64; o += 7)); do echo "flip $o"; done
  local tenth=$(( size / 10 + 1 ))
  for _ in 1 2 3 4; do echo "flip $(( (RANDOM * 32768 + RANDOM) % tenth ))"; done
  for _ in 1 2 3 4 5 6; do echo "flip $(( (RANDOM * 32768 + RANDOM) % size ))"; done
}

flip_byte() {  # file offset: inverts every bit of the byte
  local v
  v=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
  printf "\\x$(printf %02x $((v ^ 255)))" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}

sweep_input() {  # checkpoint directory, input path inside it
  local ckpt=$1 input=$2
  local rel=${input#"$ckpt"}
  local first_tensor
  first_tensor=$("$rescope" ls "$input" --json 2>/dev/null |
    grep -o '"name": *"[^"]*"' | head -1 | sed 's/.*: *"//; s/"$//')
  # The data shards of the checkpoint this input opens (a folder may hold several steps).
  local shards
  shards=$("$rescope" info "$input" 2>/dev/null | grep '\[data shard' | awk '{print $1}' |
    xargs -r -n1 basename)
  local plan=()
  local f
  for f in "$ckpt"/*; do
    [ -f "$f" ] || continue
    case $f in *.md | *.py) continue ;; esac
    local size
    size=$(stat -c %s "$f")
    while read -r kind off; do plan+=("$(basename "$f")|$kind|$off"); done < <(damages_of "$size")
  done
  local count=${#plan[@]}
  [ "$count" -gt 0 ] || return
  local picks=()
  if [ "$sample" -gt 0 ]; then
    for ((i = 0; i < sample; i++)); do picks+=($(( (RANDOM * 32768 + RANDOM) % count ))); done
  else
    picks=($(seq 0 $((count - 1))))
  fi
  local p
  for p in "${picks[@]}"; do
    IFS='|' read -r file kind off <<<"${plan[$p]}"
    local work=$scratch/ckpt
    rm -rf "$work" "$scratch/out"
    cp -r "$ckpt" "$work"
    if [ "$kind" = trunc ]; then truncate -s "$off" "$work/$file"; else flip_byte "$work/$file" "$off"; fi
    variants=$((variants + 1))
    local target=$work$rel
    local before
    before=$(cd "$work" && find . -type f -exec sha256sum {} + | sort)
    local what="$(basename "$ckpt")/$file $kind@$off"
    run "$what ls" "$rescope" ls "$target"
    run "$what verify" "$rescope" verify "$target"
    local vcode=$?
    if [ "$kind" = flip ] && grep -qxF "$file" <<<"$shards"; then
      data_flips=$((data_flips + 1))
      if [ $vcode = 1 ]; then verify_caught=$((verify_caught + 1)); else
        fail "$what: verify exit $vcode on a flipped byte in a data shard"; fi
    fi
    if [ -n "$first_tensor" ]; then run "$what show" "$rescope" show "$target" "$first_tensor" --stats; fi
    mkdir -p "$scratch/out"
    run "$what convert" "$rescope" convert "$target" "$scratch/out/c.safetensors"
    local ccode=$?
    if [ $ccode != 0 ] && [ -n "$(ls -A "$scratch/out")" ]; then
      fail "$what: convert exit $ccode left $(ls -A "$scratch/out" | tr '\n' ' ')"
    elif [ $ccode = 0 ] && ! "$rescope" verify "$scratch/out/c.safetensors" >/dev/null 2>&1; then
      fail "$what: convert exit 0 but its output does not verify"
    fi
    local after
    after=$(cd "$work" && find . -type f -exec sha256sum {} + | sort)
    [ "$before" = "$after" ] || fail "$what: the damaged input was modified"
  done
}

print_summary() {
  local summary="$variants damaged variants, $runs runs in $((SECONDS - started)) s; exits:"
  for c in $(printf '%s\n' "${!exits[@]}" | sort -n); do summary+=" $c×${exits[$c]}"; done
  echo "$summary"
  echo "flips inside TF data shards caught by verify: $verify_caught of $data_flips"
  echo "failures: $failures"
}
# An interrupted sweep still reports what it ran (the figures of a partial sweep).
trap 'echo "interrupted after $(basename "${ckpt:-?}")"; print_summary; exit 130' INT TERM
started=$SECONDS
for d in "${dirs[@]}"; do
  for ckpt in "$d"/*/; do
    ckpt=${ckpt%/}
    echo "checkpoint $(basename "$ckpt") ($variants variants, $runs runs, $((SECONDS - started)) s so far)" >&2
    while read -r input; do
      [ -n "$input" ] && sweep_input "$ckpt" "$input"
    done < <(inputs_of "$ckpt")
  done
  # Loose files (e.g. the PyTorch fixtures) are checkpoints of their own folder.
  if compgen -G "$d/*.pt" >/dev/null; then
    while read -r input; do
      [ -n "$input" ] && sweep_input "$d" "$input"
    done < <(inputs_of "$d")
  fi
done
print_summary
[ $failures = 0 ]
