#!/usr/bin/env bash
# Builds rescope with warnings as errors and runs the whole test suite (ctest).
# Real-framework test data is looked up in ../shared/testdata (override with
# RESCOPE_TESTDATA_DIR); tests that need it are skipped with a message when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-deps.sh
BUILD_DIR="${BUILD_DIR:-build}"
extra=()
if [ -n "${RESCOPE_TESTDATA_DIR:-}" ]; then extra+=("-DRESCOPE_TESTDATA_DIR=${RESCOPE_TESTDATA_DIR}"); fi
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DRESCOPE_WERROR=ON "${extra[@]}" "$@"
cmake --build "$BUILD_DIR" -j"$(nproc)"
ctest --test-dir "$BUILD_DIR" --output-on-failure -j"$(nproc)"
