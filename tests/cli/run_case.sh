#!/usr/bin/env bash
# Runs one golden CLI case: tests/cli/<command>/<case>.sh with, beside it,
#   <case>.stdout   exact expected stdout (required)
#   <case>.exit     expected exit code (default 0)
#   <case>.stderr   lines that must each appear in stderr (optional, fixed strings)
# The case script sees $RESCOPE (the binary), $REAL (real-framework test data),
# $SRC (the source tree) and $TMP (a scratch directory), and runs from $SRC.
# A case whose first lines contain "# needs: real" is skipped (exit 77) when $REAL is absent;
# a case that exits 77 itself (an optional tool is missing) is skipped too.
# Set RESCOPE_UPDATE_GOLDEN=1 to rewrite .stdout files (then review the diff by hand!).
set -uo pipefail
case_file=$1
export RESCOPE=$2 REAL=$3 SRC=$4
export TMP
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
base=${case_file%.sh}
if head -5 "$case_file" | grep -q '^# needs: real' && [ ! -d "$REAL" ]; then
  echo "skipped: real test data not found at $REAL"
  exit 77
fi
cd "$SRC"
bash "$case_file" >"$TMP/stdout" 2>"$TMP/stderr"
code=$?
if [ "$code" = 77 ] && [ ! -f "$base.exit" ]; then
  # The case found an optional tool missing (python3-h5py, ...) and says so on stderr.
  cat "$TMP/stderr"
  exit 77
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
