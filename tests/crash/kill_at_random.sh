#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# kill -9 at random moments of a copy-mode rename, a convert and an in-place rename of a
# 256 MiB TF bundle (written by make_big_ckpt in the test run). After every kill:
#   - the input is byte-identical to before (cmp against a pristine copy);
#   - a fresh output is absent (its entry file, the TF index or the .safetensors file, is not
#     there: a TF bundle is committed by the rename of its index, the last file of the set)
#     or complete (`verify` passes);
#   - an in-place target is, after `rescope recover`, byte for byte the old checkpoint or the
#     new one (never a mix).
# Usage: kill_at_random.sh RESCOPE MAKE_BIG_CKPT [KILLS_PER_MODE]
set -uo pipefail
rescope=$1 make_big=$2 kills=${3:-6}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
RANDOM=4242
"$make_big" "$work/pristine/model.ckpt" 64 $((4 << 20)) >/dev/null || { echo "FAIL: make_big_ckpt"; exit 1; }
rule=(--rule model/=net/)
# The reference results of uninterrupted runs, and how long each takes.
cp -r "$work/pristine" "$work/newref"
"$rescope" -q rename "$work/newref/model.ckpt" "${rule[@]}" -o "$work/newref/model.ckpt" --in-place ||
  { echo "FAIL: the uninterrupted in-place rename failed"; exit 1; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
same_dir() {  # every file of $1 and $2 identical, and the same file names
  [ "$(cd "$1" && ls -A | sort)" = "$(cd "$2" && ls -A | sort)" ] || return 1
  local f
  for f in "$1"/*; do cmp -s "$f" "$2/$(basename "$f")" || return 1; done
}
failures=0
fail() { failures=$((failures + 1)); echo "FAIL: $*"; }

run_mode() {  # mode: copy | convert | in_place
  local mode=$1 duration start killed=0 complete=0 absent=0 old=0 new=0
  for ((i = 0; i < kills; i++)); do
    rm -rf "$work/in" "$work/out"
    cp -r "$work/pristine" "$work/in"
    mkdir -p "$work/out"
    local cmd
    case $mode in
      copy) cmd=(rename "$work/in/model.ckpt" "${rule[@]}" -o "$work/out/model.ckpt") ;;
      convert) cmd=(convert "$work/in/model.ckpt" "$work/out/model.safetensors") ;;
      in_place) cmd=(rename "$work/in/model.ckpt" "${rule[@]}" -o "$work/in/model.ckpt" --in-place) ;;
    esac
    if [ $i = 0 ]; then
      start=$(now_ms)
      "$rescope" -q "${cmd[@]}" || fail "$mode: the uninterrupted run failed"
      duration=$(( $(now_ms) - start + 1 ))
      rm -rf "$work/in" "$work/out"
      cp -r "$work/pristine" "$work/in"
      mkdir -p "$work/out"
    fi
    # Up to a quarter past the uninterrupted run, so that some runs finish first.
    local delay_ms=$(( (RANDOM * 32768 + RANDOM) % (duration * 5 / 4) ))
    "$rescope" -q "${cmd[@]}" 2>/dev/null &
    local pid=$!
    sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
    kill -9 "$pid" 2>/dev/null && killed=$((killed + 1))
    wait "$pid" 2>/dev/null
    if [ "$mode" = in_place ]; then
      "$rescope" -q recover "$work/in" >/dev/null 2>&1
      if same_dir "$work/in" "$work/pristine"; then old=$((old + 1))
      elif same_dir "$work/in" "$work/newref"; then new=$((new + 1))
      else fail "in_place killed after ${delay_ms} ms: neither the old nor the new checkpoint: $(ls -A "$work/in" | tr '\n' ' ')"; fi
      continue
    fi
    same_dir "$work/in" "$work/pristine" || fail "$mode killed after ${delay_ms} ms: the input changed"
    local target="$work/out/model.ckpt"
    [ "$mode" = convert ] && target="$work/out/model.safetensors"
    # Leftover temporaries of the killed run, and a data shard renamed before the index, are
    # not the output: readers refuse them and the next write into the directory (or
    # `rescope recover`) removes them.
    local entry="$work/out/model.ckpt.index"
    [ "$mode" = convert ] && entry="$work/out/model.safetensors"
    if [ ! -e "$entry" ]; then absent=$((absent + 1))
    elif "$rescope" verify "$target" >"$work/verify.log" 2>&1; then complete=$((complete + 1))
    else
      fail "$mode killed after ${delay_ms} ms: an output that does not verify: $(ls -lA "$work/out" | tr '\n' ' ')"
      tail -20 "$work/verify.log"
    fi
  done
  if [ "$mode" = in_place ]; then
    echo "$mode: $kills runs ($killed killed before they ended): $old old, $new new, $((kills - old - new)) mixed"
  else
    echo "$mode: $kills runs ($killed killed before they ended): input unchanged; $absent without output, $complete complete, $((kills - absent - complete)) partial"
  fi
}
run_mode copy
run_mode convert
run_mode in_place
echo "failures: $failures"
[ $failures = 0 ]
