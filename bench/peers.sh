#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# rescope against what users run today, on the same files in one run (see bench/README.md):
#   rescope ls P                        vs  tf.train.list_variables
#   rescope rename P --rule ...         vs  TF script: load every variable, Saver under new names
#   rescope convert P OUT.safetensors   vs  TF load + safetensors.numpy.save_file
#   rescope ls / show of a .pt          vs  torch.load(weights_only=True)
#   rescope rename of a .weights.h5     vs  keras.saving.KerasFileEditor rename_object + save
#   rescope ls of a .safetensors        vs  safe_open(...).keys()
# The inputs are written by bench/peer_tasks.py make (TF, torch, safetensors and Keras 3 write
# them): 1,000 float32 variables (500 layers of a [320, 320] kernel and a [320] bias, 205 MB) as
# a TF1 bundle, a .pt and a .safetensors; a Keras 3 .weights.h5 of 100 Dense layers
# [640, 640] (164 MB). Every timing is the median of REPS wall-clock runs with a warm page cache
# (outputs removed before each run); peak RSS and CPU time come from one more run under
# /usr/bin/time -v. The Python peers include interpreter start-up and imports; those are
# timed on their own (python -c 'import tensorflow', ...) so they can be subtracted.
#
# Usage: bench/peers.sh [BUILD_DIR] [WORK_DIR]
#   BUILD_DIR  a Release build holding rescope (default build-release)
#   WORK_DIR   scratch space, needs ~1.5 GB free (default /tmp/rescope-peers-bench);
#              removed at the end unless KEEP=1
# Env: REPS (default 3), PYTHON (the judge environment's interpreter, default
# .venv-judges/bin/python of this checkout), LAYERS (500), WIDTH (320).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build-release}
work=${2:-/tmp/rescope-peers-bench}
reps=${REPS:-3}
py=${PYTHON:-$here/../.venv-judges/bin/python}
rescope=$build/rescope
tasks=$here/peer_tasks.py
[ -x "$rescope" ] || { echo "peers: $rescope not found (build the Release target rescope)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "peers: /usr/bin/time not found (apt-get install time)" >&2; exit 2; }
"$py" -c 'import tensorflow, torch, keras, safetensors' 2>/dev/null ||
  { echo "peers: $py lacks the judge packages (scripts/make-judges-venv.sh, or set PYTHON)" >&2; exit 2; }

# Quiet frameworks, as in the judge tests; their thread pools left at the defaults.
export CUDA_VISIBLE_DEVICES="" TF_CPP_MIN_LOG_LEVEL=2 KERAS_BACKEND=tensorflow
export PYTHONDONTWRITEBYTECODE=1

mkdir -p "$work"
free_kib=$(df -Pk "$work" | awk 'NR == 2 { print $4 }')
[ "$free_kib" -ge $((1536 * 1024)) ] || { echo "peers: less than 1.5 GB free in $work" >&2; exit 2; }
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT

out=$work/out
clean_out() { rm -rf "$out"; mkdir -p "$out"; }
prepare=clean_out
source "$here/bench_lib.sh"  # print_machine, median_us, rusage, mib
ms() { awk -v us="$1" 'BEGIN { printf "%.0f ms", us / 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }

print_machine
echo "python: $("$py" -c 'import sys, tensorflow as tf, torch, keras, safetensors, numpy
print(sys.version.split()[0], "tensorflow", tf.__version__, "torch", torch.__version__, "keras",
      keras.__version__, "safetensors", safetensors.__version__, "numpy", numpy.__version__)' 2>/dev/null)"
t0=${EPOCHREALTIME/[.,]/}
"$py" "$tasks" make "$work" "${LAYERS:-500}" "${WIDTH:-320}" 2>/dev/null
t1=${EPOCHREALTIME/[.,]/}
echo "inputs written in $(ms $((t1 - t0))): $(cd "$work" && du -b tf/ckpt.data-* tf/ckpt.index model.pt \
  model.safetensors keras.weights.h5 | awk '{ printf "%s %d B; ", $2, $1 }')"
cat "$work"/tf/* "$work"/model.* "$work"/keras.weights.h5 >/dev/null  # warm the page cache
echo

tf=$work/tf/ckpt
pt=$work/model.pt
st=$work/model.safetensors
kw=$work/keras.weights.h5
pt_name=model/layer_$(printf %03d $((${LAYERS:-500} / 2)))/kernel
keras_layer=dense_7  # Keras names its Dense layers dense, dense_1, ... in the file
[ $((${LAYERS:-500} / 5)) -gt 7 ] || keras_layer=dense

# row LABEL CMD...: prints "LABEL | median | peak RSS | cpu" and sets $last_us.
printf '| %-58s | %9s | %10s | %6s |\n' "command" "median" "peak RSS" "cpu"
printf '|%s|%s|%s|%s|\n' "$(printf -- '-%.0s' {1..60})" "-----------" "------------" "--------"
row() {
  local label=$1
  shift
  "$prepare"
  "$@" >/dev/null 2>"$work/last.err" ||  # a warm-up run, which must succeed
    { echo "peers: failed: $*" >&2; cat "$work/last.err" >&2; exit 1; }
  last_us=$(median_us "$@")
  read -r rss cpu <<<"$(rusage "$@")"
  last_rss=$rss
  printf '| %-58s | %9s | %10s | %5ss |\n' "$label" "$(ms "$last_us")" "$(mib "$rss")" "$cpu"
}
declare -A t m
row "python -c pass" "$py" -c pass; t[py]=$last_us; m[py]=$last_rss
row "python -c 'import tensorflow'" "$py" -c 'import tensorflow'; t[imp_tf]=$last_us; m[imp_tf]=$last_rss
row "python -c 'import torch'" "$py" -c 'import torch'; t[imp_torch]=$last_us; m[imp_torch]=$last_rss
row "python -c 'import keras' (TF backend)" "$py" -c 'import keras'; t[imp_keras]=$last_us; m[imp_keras]=$last_rss
row "python -c 'import safetensors.numpy'" "$py" -c 'import safetensors.numpy'; t[imp_st]=$last_us; m[imp_st]=$last_rss
row "rescope ls TF" "$rescope" ls "$tf"; t[r_ls_tf]=$last_us; m[r_ls_tf]=$last_rss
row "tf.train.list_variables" "$py" "$tasks" tf-ls "$tf"; t[p_ls_tf]=$last_us; m[p_ls_tf]=$last_rss
row "rescope rename TF --rule model/=renamed/" \
  "$rescope" rename "$tf" --rule model/=renamed/ -o "$out/ckpt"; t[r_rn_tf]=$last_us; m[r_rn_tf]=$last_rss
row "TF load all + tf.compat.v1 Saver under new names" \
  "$py" "$tasks" tf-rename "$tf" "$out/ckpt" model/ renamed/; t[p_rn_tf]=$last_us; m[p_rn_tf]=$last_rss
row "rescope convert TF -> .safetensors" \
  "$rescope" convert "$tf" "$out/m.safetensors"; t[r_cv]=$last_us; m[r_cv]=$last_rss
row "TF load all + safetensors.numpy.save_file" \
  "$py" "$tasks" tf-to-st "$tf" "$out/m.safetensors"; t[p_cv]=$last_us; m[p_cv]=$last_rss
row "rescope ls .pt" "$rescope" ls "$pt"; t[r_ls_pt]=$last_us; m[r_ls_pt]=$last_rss
row "torch.load(weights_only=True), names and shapes" "$py" "$tasks" pt-ls "$pt"; t[p_ls_pt]=$last_us; m[p_ls_pt]=$last_rss
row "rescope show .pt $pt_name" "$rescope" show "$pt" "$pt_name"; t[r_sh_pt]=$last_us; m[r_sh_pt]=$last_rss
row "torch.load(weights_only=True), print one tensor" \
  "$py" "$tasks" pt-show "$pt" "$pt_name"; t[p_sh_pt]=$last_us; m[p_sh_pt]=$last_rss
row "rescope rename .weights.h5 (layers/$keras_layer -> fc_7)" \
  "$rescope" rename "$kw" --rule "layers/$keras_layer/=layers/fc_7/" -o "$out/k.weights.h5"
t[r_rn_k]=$last_us; m[r_rn_k]=$last_rss
row "KerasFileEditor rename_object + save" \
  "$py" "$tasks" keras-rename "$kw" "$out/k.weights.h5" "layers/$keras_layer" fc_7; t[p_rn_k]=$last_us; m[p_rn_k]=$last_rss
row "rescope ls .safetensors" "$rescope" ls "$st"; t[r_ls_st]=$last_us; m[r_ls_st]=$last_rss
row "safe_open(...).keys()" "$py" "$tasks" st-ls "$st"; t[p_ls_st]=$last_us; m[p_ls_st]=$last_rss

# Both renames of each kind must give the same tensors (rescope diff of the two outputs).
same=yes
"$rescope" rename "$tf" --rule model/=renamed/ -o "$work/rs/ckpt" >/dev/null
rm -rf "$out" && mkdir -p "$out"
"$py" "$tasks" tf-rename "$tf" "$out/ckpt" model/ renamed/ 2>/dev/null
"$rescope" diff --values "$work/rs/ckpt" "$out/ckpt" >/dev/null || same=NO
"$rescope" rename "$kw" --rule "layers/$keras_layer/=layers/fc_7/" -o "$work/rs/k.weights.h5" >/dev/null
"$py" "$tasks" keras-rename "$kw" "$out/k.weights.h5" "layers/$keras_layer" fc_7 >/dev/null 2>&1
"$rescope" diff --values "$work/rs/k.weights.h5" "$out/k.weights.h5" >/dev/null || same=NO

# ratios PEER RESCOPE: "wall peer/rescope   peak RSS peer/rescope".
ratios() {
  awk -v pt="${t[$1]}" -v rt="${t[$2]}" -v pm="${m[$1]}" -v rm="${m[$2]}" \
    'BEGIN { printf "%7.1fx   %6.1fx", pt / rt, pm / rm }'
}
echo
echo "peer / rescope:         wall   peak RSS   (the peer's interpreter start-up and import, wall)"
echo "  ls TF:              $(ratios p_ls_tf r_ls_tf) (import tensorflow $(ms "${t[imp_tf]}"))"
echo "  rename TF:          $(ratios p_rn_tf r_rn_tf) (import tensorflow $(ms "${t[imp_tf]}"))"
echo "  convert TF -> st:   $(ratios p_cv r_cv) (import tensorflow $(ms "${t[imp_tf]}"))"
echo "  ls .pt:             $(ratios p_ls_pt r_ls_pt) (import torch $(ms "${t[imp_torch]}"))"
echo "  show .pt:           $(ratios p_sh_pt r_sh_pt) (import torch $(ms "${t[imp_torch]}"))"
echo "  rename .weights.h5: $(ratios p_rn_k r_rn_k) (import keras $(ms "${t[imp_keras]}"))"
echo "  ls .safetensors:    $(ratios p_ls_st r_ls_st) (import safetensors.numpy $(ms "${t[imp_st]}"))"
echo "rescope fsyncs what it writes; the Python peers do not."
echo "the two renames of the TF bundle and of the .weights.h5 hold the same tensors: $same"
