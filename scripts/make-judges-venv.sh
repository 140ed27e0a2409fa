#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the judge environment, .venv-judges/: TensorFlow, tf-keras (Keras 2), Keras 3, PyTorch,
# safetensors, h5py, numpy and transformers at the versions pinned in judges-requirements*.txt.
# Tests use it (CMake RESCOPE_JUDGE_PYTHON) to let the frameworks themselves restore what
# rescope writes. Safe to run twice: an environment built from the same requirement files is
# kept. Env: RESCOPE_JUDGE_BASE_PYTHON (interpreter to build from; default: python3.11 when
# found, since the local torch wheel is for CPython 3.11, else python3), RESCOPE_JUDGE_VENV
# (default .venv-judges in the source tree).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${RESCOPE_JUDGE_VENV:-$PWD/.venv-judges}
reqs=(scripts/judges-requirements.txt scripts/judges-requirements-nodeps.txt)
stamp="$venv/.rescope-requirements"
wanted=$(cat "${reqs[@]}" | sha256sum | cut -d' ' -f1)

if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
  echo "judge environment up to date: $venv"
  exit 0
fi

base=${RESCOPE_JUDGE_BASE_PYTHON:-}
if [ -z "$base" ]; then
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import venv' 2>/dev/null; then
      base=$(command -v "$candidate")
      break
    fi
  done
fi
[ -n "$base" ] || { echo "make-judges-venv: no python3 with the venv module found" >&2; exit 2; }
echo "building judge environment $venv from $base ($("$base" --version 2>&1))"

# Build beside the target and move it into place when complete, so an interrupted build never
# leaves a half-installed environment that a later run would take for a good one.
tmp="$venv.tmp.$$"
rm -rf "$tmp"
trap 'rm -rf "$tmp"' EXIT
"$base" -m venv "$tmp"
"$tmp/bin/python" -m pip install --quiet --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true
"$tmp/bin/python" -m pip install --quiet -r scripts/judges-requirements.txt 2>&1 \
  | grep -v '^WARNING: Location' || true
"$tmp/bin/python" -m pip install --quiet --no-deps -r scripts/judges-requirements-nodeps.txt 2>&1 \
  | grep -v '^WARNING: Location' || true
# pip's output was filtered above, so check the result here: every judge must import.
"$tmp/bin/python" - <<'PY'
import importlib, sys
for name in ("tensorflow", "tf_keras", "keras", "torch", "safetensors", "h5py", "numpy",
             "transformers", "gguf"):
    try:
        importlib.import_module(name)
    except Exception as e:  # report every failure, not just the first
        print(f"make-judges-venv: cannot import {name}: {e}", file=sys.stderr)
        sys.exit(2)
PY
echo "$wanted" >"$tmp/.rescope-requirements"
rm -rf "$venv"
# The entry-point scripts in bin/ keep the temporary path in their #! line; nothing uses them:
# tests run bin/python, which finds its environment from its own location (pyvenv.cfg).
mv "$tmp" "$venv"
trap - EXIT
echo "judge environment ready: $venv"
