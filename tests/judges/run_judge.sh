#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs one judge test (tests/judges/test_*.py) with the judge environment's interpreter.
# Args: SCRIPT RESCOPE_BINARY JUDGE_PYTHON REAL_DATA_DIR TORCH_DATA_DIR SOURCE_DIR
# A clone without the environment skips (exit 77) with a message; with RESCOPE_REQUIRE_JUDGES=1
# or CI=true (as in .ci/run) a missing judge is a failure.
set -uo pipefail
script=$1
export RESCOPE=$2 RESCOPE_JUDGE_PYTHON=$3 RESCOPE_TESTDATA_DIR=$4 RESCOPE_TORCH_TESTDATA_DIR=$5
export RESCOPE_SOURCE_DIR=$6
required=0
if [ "${RESCOPE_REQUIRE_JUDGES:-0}" = 1 ] || [ "${CI:-}" = true ]; then required=1; fi
export RESCOPE_JUDGES_REQUIRED=$required
if [ ! -x "$RESCOPE_JUDGE_PYTHON" ]; then
  if [ "$required" = 1 ]; then
    echo "FAIL: judge interpreter $RESCOPE_JUDGE_PYTHON not found (judges are required here);" \
         "run scripts/make-judges-venv.sh"
    exit 1
  fi
  echo "skipped: judge interpreter $RESCOPE_JUDGE_PYTHON not found;" \
       "scripts/make-judges-venv.sh builds it"
  exit 77
fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export TMPDIR=$scratch
# Quiet and deterministic frameworks: no GPU probing, no oneDNN reordering of float sums,
# TensorFlow's C++ log limited to errors, one thread each (ctest runs tests side by side).
export CUDA_VISIBLE_DEVICES="" TF_CPP_MIN_LOG_LEVEL=2 TF_ENABLE_ONEDNN_OPTS=0
export OMP_NUM_THREADS=1 TF_NUM_INTRAOP_THREADS=1 TF_NUM_INTEROP_THREADS=1
export PYTHONDONTWRITEBYTECODE=1 PYTHONPATH="$RESCOPE_SOURCE_DIR/tests/judges"
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 KERAS_HOME=$scratch/keras
cd "$scratch"
"$RESCOPE_JUDGE_PYTHON" "$script"
