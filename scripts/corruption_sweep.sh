#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Damaged copies of real checkpoints through `ls`, `verify`, `show` and `convert`.
#   bash scripts/corruption_sweep.sh [--sample N] [--seed S] [-j JOBS] [--slowest K]
#                                    [--rescope BIN] DATA_DIR...
# For every checkpoint under the DATA_DIRs (each subdirectory, and each file rescope opens
# by itself), damaged variants of each of its files are made in a scratch copy: truncations
# (to 0 and 1 byte, at 4 KiB block boundaries, at random offsets) and byte flips (in the
# first 64 bytes, where headers live; in the first tenth, where indexes usually are; at
# random offsets). Each variant goes through every command, and the sweep fails on:
#   - a run ending with anything but exit 0, 1 or 2 (a signal: crash, abort, sanitizer), or
#     running over 60 s;
#   - a damaged input that rescope modified (or a file it added beside it);
#   - an output left behind by a failed convert, or a convert output that does not verify;
#   - a flipped byte inside a TF bundle data shard (every byte there is covered by a stored
#     CRC32C) that `verify` does not report.
# Without --sample every variant of every file is run (the full sweep, over 10,000
# variants); with --sample N, N variants per checkpoint, chosen by the seed (CI runs a
# sample). The choice of variants depends only on the seed, not on -j.
#
# Speed: the time goes into rescope itself, so the script forks little per variant. The
# variants are planned first, then run by JOBS workers (-j, default 1), each with its own
# scratch folder (in /dev/shm when usable). A worker copies each checkpoint once and makes
# every variant as a tree of hard links to that copy in which only the damaged file is a
# real copy. The hashes taken after the runs cover the whole tree and are compared with
# those of the pristine copy (taken once) and of the damaged file (taken before the runs),
# so a write to a hard-linked file is caught too (and the worker then copies the checkpoint
# afresh).
# At the end (or when interrupted) it prints the figures: variants, runs, exits per code,
# data-shard flips caught, failures, wall and CPU time, time per command kind and the
# slowest runs (--slowest K, default 10).
set -uo pipefail
shopt -s nullglob dotglob globstar
sample=0 seed=1 jobs=1 slowest=10 rescope=${RESCOPE:-build/rescope}
dirs=()
usage="usage: $0 [--sample N] [--seed S] [-j JOBS] [--slowest K] [--rescope BIN] DATA_DIR..."
while [ $# -gt 0 ]; do
  case $1 in
    --sample) sample=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    -j) jobs=$2; shift 2 ;;
    -j[0-9]*) jobs=${1#-j}; shift ;;
    --slowest) slowest=$2; shift 2 ;;
    --rescope) rescope=$2; shift 2 ;;
    -*) echo "$usage" >&2; exit 2 ;;
    *) dirs+=("$1"); shift ;;
  esac
done
[ ${#dirs[@]} -gt 0 ] || { echo "$usage" >&2; exit 2; }
[[ $jobs =~ ^[1-9][0-9]*$ ]] || { echo "-j wants a positive number, not '$jobs'" >&2; exit 2; }
for d in "${dirs[@]}"; do
  if [ ! -d "$d" ]; then
    echo "skipped: corruption sweep: data folder $d not found"
    # CI skips nothing: a missing data folder is a failure there.
    if [ "${CI:-}" = true ] || [ "${RESCOPE_REQUIRE_JUDGES:-0}" = 1 ]; then exit 1; fi
    exit 77
  fi
done
# Workers change directory; the binary must not depend on where they are.
case $rescope in /*) ;; */*) rescope=$PWD/$rescope ;; esac
RANDOM=$seed
# tmpfs when there is one: the variants are many small writes and deletes.
tmp_root=${TMPDIR:-/tmp}
if [ -d /dev/shm ] && [ -w /dev/shm ]; then tmp_root=/dev/shm; fi
scratch=$(mktemp -d "$tmp_root/rescope-sweep.XXXXXX")
worker_pids=()
stop_workers() {
  local pid
  for pid in "${worker_pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${worker_pids[@]}"; do wait "$pid" 2>/dev/null; done
  worker_pids=()
}
trap 'stop_workers; rm -rf "$scratch"' EXIT

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

# Sets `damages` to the damages for a file of `size` bytes: "trunc OFFSET" or "flip OFFSET".
# It runs in the calling shell, never in a subshell: bash reseeds $RANDOM in each subshell,
# and the random offsets would then change from run to run whatever the seed.
damages_of() {
  local size=$1 o
  damages=()
  [ "$size" -gt 0 ] || return
  damages+=("trunc 0" "trunc 1" "trunc $((size - 1))" "trunc $((size / 2))")
  for ((o = 4096; o < size && o <= 16 * 4096; o += 4096)); do damages+=("trunc $o"); done
  for _ in 1 2 3; do damages+=("trunc $(( (RANDOM * 32768 + RANDOM) % size ))"); done
  for ((o = 0; o < size && o < 64; o += 7)); do damages+=("flip $o"); done
  local tenth=$(( size / 10 + 1 ))
  for _ in 1 2 3 4; do damages+=("flip $(( (RANDOM * 32768 + RANDOM) % tenth ))"); done
  for _ in 1 2 3 4 5 6; do damages+=("flip $(( (RANDOM * 32768 + RANDOM) % size ))"); done
}

# Appends the variants of one input to $scratch/tasks, one line each, fields separated by
# the unit separator 0x1f (tabs would merge around an empty field when read back):
# checkpoint folder, input path inside it, first tensor, data shards (comma-separated),
# damaged file, damage kind, offset.
plan_input() {
  local ckpt=$1 input=$2
  local rel=${input#"$ckpt"}
  local first_tensor
  first_tensor=$("$rescope" ls "$input" --json 2>/dev/null |
    grep -o '"name": *"[^"]*"' | head -1 | sed 's/.*: *"//; s/"$//')
  # The data shards of the checkpoint this input opens (a folder may hold several steps).
  local shards
  shards=$("$rescope" info "$input" 2>/dev/null | grep '\[data shard' | awk '{print $1}' |
    xargs -r -n1 basename | paste -sd, -)
  local plan=() f size damage
  for f in "$ckpt"/*; do
    [ -f "$f" ] || continue
    case $f in *.md | *.py) continue ;; esac
    size=$(stat -c %s "$f")
    damages_of "$size"
    for damage in "${damages[@]}"; do plan+=("${f##*/}"$'\x1f'"${damage/ /$'\x1f'}"); done
  done
  local count=${#plan[@]} i
  [ "$count" -gt 0 ] || return
  local picks=()
  if [ "$sample" -gt 0 ]; then
    for ((i = 0; i < sample; i++)); do picks+=($(( (RANDOM * 32768 + RANDOM) % count ))); done
  else
    for ((i = 0; i < count; i++)); do picks+=("$i"); done
  fi
  for i in "${picks[@]}"; do
    printf '%s\x1f%s\x1f%s\x1f%s\x1f%s\n' "$ckpt" "$rel" "$first_tensor" "$shards" "${plan[$i]}"
  done >>"$scratch/tasks"
}

# ---- one worker: runs every JOBS-th task, logging one line per event to its log ----
# Log lines (tab-separated): "run CODE MICROSECONDS KIND LABEL COMMAND", "variant" (one
# started), "time MICROSECONDS verify-output|variant", "flip CAUGHT(0|1)", "fail MESSAGE",
# and "done" when the worker has run all its variants.
worker() {
  local index=$1
  local dir=$scratch/w$index
  local log=$dir.log
  mkdir -p "$dir"
  : >"$log"
  local child=
  # bash runs a trap only between commands, so the runs are waited for in the background
  # where a TERM can end them at once.
  trap '[ -n "$child" ] && kill -TERM "$child" 2>/dev/null; exit 143' TERM INT
  local base=$dir/base work=$dir/ckpt out=$dir/out err=$dir/err
  local fail_count=0
  fail() { printf 'fail\t%s\n' "$*" >>"$log"; echo "FAIL: $*"; fail_count=$((fail_count + 1)); }
  # Runs one command on the damaged copy with a time limit; logs its exit status and time.
  run() {
    local kind=$1 label=$2
    shift 2
    local t0=${EPOCHREALTIME/./}
    timeout -s KILL 60 "$@" >/dev/null 2>"$err" &
    child=$!
    wait "$child"
    local code=$?
    child=
    local us=$(( ${EPOCHREALTIME/./} - t0 ))
    printf 'run\t%s\t%s\t%s\t%s\t%s\n' "$code" "$us" "$kind" "$label" "$*" >>"$log"
    if [ $code = 137 ]; then
      fail "$label $kind: over 60 s (or killed): $*"
    elif [ $code -gt 2 ]; then
      local tail_of_err
      tail_of_err=$(tail -3 "$err")
      fail "$label $kind: exit $code (${tail_of_err//$'\n'/ }): $*"
    fi
    return $code
  }
  # Hashes of every file under the folder (paths relative to it, sorted by the glob).
  tree_sums() {
    local files=() f
    for f in "$1"/**; do [ -f "$f" ] && files+=("${f#"$1"/}"); done
    [ ${#files[@]} -gt 0 ] && (cd "$1" && sha256sum -- "${files[@]}")
  }
  local n=0 current= base_sums= ckpt rel first_tensor shards file kind off
  while IFS=$'\x1f' read -r ckpt rel first_tensor shards file kind off; do
    n=$((n + 1))
    [ $(( (n - 1) % jobs )) = "$index" ] || continue
    local t_variant=${EPOCHREALTIME/./}
    if [ "$ckpt" != "$current" ] || [ $fail_count -gt 0 ]; then
      # One pristine copy per checkpoint (again after a failure: a run may have written
      # through a hard link into it).
      [ "$index" = 0 ] && [ "$ckpt" != "$current" ] &&
        echo "checkpoint ${ckpt##*/} (task $n, $((SECONDS - started)) s so far)" >&2
      rm -rf "$base" && cp -r "$ckpt" "$base" || { fail "cannot copy $ckpt into $base"; continue; }
      base_sums=$(tree_sums "$base")
      current=$ckpt fail_count=0
    fi
    rm -rf "$work" "$out"
    cp -al "$base" "$work" && rm -f "$work/$file" || { fail "cannot link $base into $work"; continue; }
    if [ "$kind" = trunc ]; then
      head -c "$off" "$base/$file" >"$work/$file"
    else
      cp "$base/$file" "$work/$file"
      local v
      v=$(od -An -tu1 -j "$off" -N1 "$work/$file")
      printf -v v '\\x%02x' $((${v// /} ^ 255))
      # shellcheck disable=SC2059 # the format is the escaped byte
      printf "$v" |
        dd of="$work/$file" bs=1 seek="$off" conv=notrunc status=none
    fi
    printf 'variant\n' >>"$log"
    local target=$work$rel
    # The hashes before the runs: those of the pristine copy, but the damaged file's own.
    local before= line damaged_sum
    damaged_sum=$(cd "$work" && sha256sum -- "$file")
    while IFS= read -r line; do
      [ "${line#*  }" = "$file" ] && line=$damaged_sum
      before+=$line$'\n'
    done <<<"$base_sums"
    before=${before%$'\n'}
    local what="${ckpt##*/}/$file $kind@$off"
    run ls "$what" "$rescope" ls "$target"
    run verify "$what" "$rescope" verify "$target"
    local vcode=$?
    if [ "$kind" = flip ] && [[ ",$shards," == *",$file,"* ]]; then
      if [ $vcode = 1 ]; then printf 'flip\t1\n' >>"$log"; else
        printf 'flip\t0\n' >>"$log"
        fail "$what: verify exit $vcode on a flipped byte in a data shard"
      fi
    fi
    if [ -n "$first_tensor" ]; then run show "$what" "$rescope" show "$target" "$first_tensor" --stats; fi
    mkdir "$out"
    run convert "$what" "$rescope" convert "$target" "$out/c.safetensors"
    local ccode=$? left=("$out"/*)
    if [ $ccode != 0 ] && [ ${#left[@]} -gt 0 ]; then
      fail "$what: convert exit $ccode left ${left[*]##*/}"
    elif [ $ccode = 0 ]; then
      # Not counted as a run of the damaged input; timed apart as "verify-output".
      local t0=${EPOCHREALTIME/./}
      "$rescope" verify "$out/c.safetensors" >/dev/null 2>&1 &
      child=$!
      wait "$child"
      local ocode=$?
      child=
      printf 'time\t%s\tverify-output\n' $(( ${EPOCHREALTIME/./} - t0 )) >>"$log"
      [ $ocode = 0 ] || fail "$what: convert exit 0 but its output does not verify (exit $ocode)"
    fi
    local after
    after=$(tree_sums "$work")
    [ "$before" = "$after" ] || fail "$what: the damaged input was modified: $(diff <(echo "$before") <(echo "$after") | grep '^[<>]' | tr '\n' ' ')"
    printf 'time\t%s\tvariant\n' $(( ${EPOCHREALTIME/./} - t_variant )) >>"$log"
  done <"$scratch/tasks"
  printf 'done\n' >>"$log"
}

print_summary() {
  local logs=("$scratch"/w*.log)
  local wall=$((SECONDS - started))
  # Children's user and system CPU time (the workers and everything they waited for): the
  # second line of `times`, run in this shell (in a pipeline it would see a fresh subshell).
  times >"$scratch/times"
  local cpu user sys
  cpu=$(tail -1 "$scratch/times")
  user=${cpu% *} sys=${cpu#* }
  [ ${#logs[@]} -gt 0 ] || { echo "0 damaged variants, 0 runs in $wall s"; return; }
  awk -F'\t' -v wall="$wall" -v user="$user" -v sys="$sys" -v slowest="$slowest" '
    function sec(us) { return sprintf("%.3f", us / 1e6) }
    $1 == "variant" { variants++ }
    $1 == "run" {
      runs++; exits[$2]++; n[$4]++; t[$4] += $3; if ($3 > max[$4]) max[$4] = $3
      in_runs += $3
      line[runs] = $3 "\t" $2 "\t" $4 "\t" $5 "\t" $6
    }
    $1 == "time" { n[$3]++; t[$3] += $2; if ($2 > max[$3]) max[$3] = $2 }
    $1 == "time" && $3 == "verify-output" { in_runs += $2 }
    $1 == "flip" { flips++; caught += $2 }
    $1 == "fail" { fails++ }
    END {
      s = variants + 0 " damaged variants, " runs + 0 " runs in " wall " s; exits:"
      m = 0; for (c in exits) codes[++m] = c + 0
      for (i = 2; i <= m; i++) for (j = i; j > 1 && codes[j] < codes[j - 1]; j--) {
        x = codes[j]; codes[j] = codes[j - 1]; codes[j - 1] = x }
      for (i = 1; i <= m; i++) s = s " " codes[i] "×" exits[codes[i]]
      print s
      print "flips inside TF data shards caught by verify: " caught + 0 " of " flips + 0
      print "failures: " fails + 0
      print "CPU time of the runs and the script: user " user ", system " sys
      print "time per command kind (count, mean, max; seconds):"
      split("ls verify show convert verify-output variant", kinds, " ")
      for (k = 1; k <= 6; k++) if (n[kinds[k]])
        printf "  %-13s %6d  %8s  %8s\n", kinds[k], n[kinds[k]],
               sec(t[kinds[k]] / n[kinds[k]]), sec(max[kinds[k]])
      if (n["variant"]) printf "  per variant: %s s in rescope, %s s in the script around it\n",
        sec(in_runs / n["variant"]), sec((t["variant"] - in_runs) / n["variant"])
      if (slowest > 0 && runs > 0) {
        print "slowest runs (seconds, exit, kind, variant, command):"
        fflush("")
        cmd = "sort -t\"\t\" -k1,1nr | head -" slowest
        for (i = 1; i <= runs; i++) print line[i] | cmd
        close(cmd)
      }
    }' "${logs[@]}" | awk -F'\t' 'NF == 5 { printf "  %.3f  %s  %s  %s  %s\n", $1 / 1e6, $2, $3, $4, $5; next } { print }'
  grep -h '^fail' "${logs[@]}" | cut -f2- | sed 's/^/  /'
}

failures_in_logs() { cat "$scratch"/w*.log 2>/dev/null | grep -c '^fail'; }

# An interrupted sweep still reports what it ran (the figures of a partial sweep).
trap 'echo "interrupted"; stop_workers; print_summary; exit 130' INT TERM
started=$SECONDS
: >"$scratch/tasks"
for d in "${dirs[@]}"; do
  for ckpt in "$d"/*/; do
    ckpt=${ckpt%/}
    while read -r input; do
      [ -n "$input" ] && plan_input "$ckpt" "$input"
    done < <(inputs_of "$ckpt")
  done
  # Loose files (e.g. the PyTorch fixtures) are checkpoints of their own folder.
  if compgen -G "$d/*.pt" >/dev/null; then
    while read -r input; do
      [ -n "$input" ] && plan_input "$d" "$input"
    done < <(inputs_of "$d")
  fi
done
echo "$(wc -l <"$scratch/tasks") variants planned in $((SECONDS - started)) s; $jobs worker(s) in $scratch" >&2
for ((w = 0; w < jobs; w++)); do
  worker "$w" &
  worker_pids+=($!)
done
for pid in "${worker_pids[@]}"; do wait "$pid"; done
worker_pids=()
# A worker that died on its own (not interrupted) left variants unrun: that is a failure.
for ((w = 0; w < jobs; w++)); do
  [ "$(tail -1 "$scratch/w$w.log" 2>/dev/null)" = done ] ||
    printf 'fail\tworker %s stopped before the end of its variants\n' "$w" >>"$scratch/w$w.log"
done
planned=$(wc -l <"$scratch/tasks")
ran=$(cat "$scratch"/w*.log | grep -c '^variant$')
[ "$planned" = "$ran" ] ||
  printf 'fail\t%s variants planned but %s run\n' "$planned" "$ran" >>"$scratch/w0.log"
print_summary
[ "$(failures_in_logs)" = 0 ]
