#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds rescope with warnings as errors and runs the whole test suite (ctest), the judge
# tests included: the real TensorFlow, Keras and PyTorch of .venv-judges/ (built on first use by
# scripts/make-judges-venv.sh) restore what rescope writes.
# Real-framework test data is looked up in ../shared/testdata (override with
# RESCOPE_TESTDATA_DIR); tests that need it are skipped with a message when it is absent, and
# fail instead under CI=true or RESCOPE_REQUIRE_JUDGES=1.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh --with-judges
BUILD_DIR="${BUILD_DIR:-build}"
extra=()
if [ -n "${RESCOPE_TESTDATA_DIR:-}" ]; then extra+=("-DRESCOPE_TESTDATA_DIR=${RESCOPE_TESTDATA_DIR}"); fi
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DRESCOPE_WERROR=ON "${extra[@]}" "$@"
cmake --build "$BUILD_DIR" -j"$(nproc)"
ctest --test-dir "$BUILD_DIR" --output-on-failure -j"$(nproc)"
