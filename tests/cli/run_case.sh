#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs one golden CLI case: tests/cli/<command>/<case>.sh with, beside it,
#   <case>.stdout   exact expected stdout (required)
#   <case>.exit     expected exit code (default 0)
#   <case>.stderr   lines that must each appear in stderr (optional, fixed strings)
# The case script sees $RESCOPE (the binary), $REAL (real-framework test data),
# $SRC (the source tree), $TMP (a scratch directory) and $PY (the judge environment's python,
# scripts/make-judges-venv.sh; never python3 from PATH), and runs from $SRC.
# A case whose first lines contain "# needs: real" is skipped (exit 77) when $REAL is absent;
# a case that exits 77 itself (a judge is missing) is skipped too. With CI=true or
# RESCOPE_REQUIRE_JUDGES=1 both are failures instead: CI skips nothing.
# Set RESCOPE_UPDATE_GOLDEN=1 to rewrite .stdout files (then review the diff by hand!).
set -uo pipefail
case_file=$1
export RESCOPE=$2 REAL=$3 SRC=$4 PY=${5:-}
required=0
if [ "${RESCOPE_REQUIRE_JUDGES:-0}" = 1 ] || [ "${CI:-}" = true ]; then required=1; fi
skip() {
  echo "$1"
  if [ "$required" = 1 ]; then echo "FAIL: skipping is not allowed here (CI)"; exit 1; fi
  exit 77
}
export TMP
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
base=${case_file%.sh}
if head -5 "$case_file" | grep -q '^# needs: real' && [ ! -d "$REAL" ]; then
  skip "skipped: real test data not found at $REAL"
fi
cd "$SRC"
bash "$case_file" >"$TMP/stdout" 2>"$TMP/stderr"
code=$?
if [ "$code" = 77 ] && [ ! -f "$base.exit" ]; then
  # The case found a judge missing and says so on stderr.
  skip "$(cat "$TMP/stderr")"
fi
expected_code=0
[ -f "$base.exit" ] && expected_code=$(cat "$base.exit")
status=0
if [ "${RESCOPE_UPDATE_GOLDEN:-0}" = 1 ]; then
  cp "$TMP/stdout" "$base.stdout"
fi
if ! diff -u "$base.stdout" "$TMP/stdout"; then
  echo "FAIL: stdout differs from $base.stdout"
  status=1
fi
if [ "$code" != "$expected_code" ]; then
  echo "FAIL: exit code $code, expected $expected_code"
  status=1
fi
if [ -f "$base.stderr" ]; then
  while IFS= read -r line; do
    [ -z "$line" ] && continue
    if ! grep -qF -- "$line" "$TMP/stderr"; then
      echo "FAIL: stderr lacks: $line"
      status=1
    fi
  done <"$base.stderr"
fi
if [ $status != 0 ]; then
  echo "--- stderr:"
  cat "$TMP/stderr"
fi
exit $status
