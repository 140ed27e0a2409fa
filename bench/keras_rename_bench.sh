#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Benchmark of `rescope rename` on a ~1 GiB Keras 2 weights .h5 against the short h5py
# script a user would write for the same rename (see bench/README.md).
#
# Generates WORK/in.h5 with bench/make_big_keras_h5.py (300 Dense layers dense, dense_1, ...,
# kernel [944, 944] + bias float32, 1,070,476,800 data bytes), then times, warm page cache:
#   cat IN > /dev/null                         reading the input once
#   cp IN OUT; cp IN OUT && sync OUT           plain copies (rescope fsyncs its output)
#   bench/h5py_rename.py IN OUT                h5py: read each dataset, write it renamed
#   bench/h5py_rename.py IN OUT && sync OUT    the same made durable
#   rescope rename IN --map MAP -o OUT         MAP renames ^dense(.*) to fc$1
# Each timing is the median of REPS runs (wall clock); peak RSS and CPU time come from one
# more run under /usr/bin/time -v. Outputs are removed between runs. Both outputs are checked
# to list the same names, shapes and bytes.
#
# Usage: bench/keras_rename_bench.sh [BUILD_DIR] [WORK_DIR]
#   BUILD_DIR  a Release build holding rescope (default build-release)
#   WORK_DIR   scratch space, needs ~3.5 GiB free (default /tmp/rescope-keras-bench);
#              removed at the end unless KEEP=1
# Env: REPS (default 5), LAYERS (300), WIDTH (944), PYTHON (a python3 with h5py and numpy,
# default /usr/bin/python3: Debian's python3-h5py).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build-release}
work=${2:-/tmp/rescope-keras-bench}
reps=${REPS:-5}
py=${PYTHON:-/usr/bin/python3}
rescope=$build/rescope
[ -x "$rescope" ] || { echo "keras_rename_bench: $rescope not found (build the Release target rescope)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "keras_rename_bench: /usr/bin/time not found (apt-get install time)" >&2; exit 2; }
"$py" -c 'import h5py, numpy' 2>/dev/null ||
  { echo "keras_rename_bench: $py lacks h5py/numpy (apt-get install python3-h5py)" >&2; exit 2; }

mkdir -p "$work"
free_kib=$(df -Pk "$work" | awk 'NR == 2 { print $4 }')
[ "$free_kib" -ge $((3584 * 1024)) ] || { echo "keras_rename_bench: less than 3.5 GiB free in $work" >&2; exit 2; }
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT

echo "machine: $(nproc) cpus, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')," \
  "$(free -g | awk '/Mem:/ { print $2 }') GiB RAM, kernel $(uname -r)"
echo "filesystem of $work: $(stat -f -c %T "$work"), $(df -h "$work" | awk 'NR == 2 { print $1 }')"
echo "rescope: $($rescope --version), git $(git -C "$here" rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "python: $("$py" -c 'import sys, h5py, numpy; print(sys.version.split()[0], "h5py", h5py.__version__, "numpy", numpy.__version__, "HDF5", h5py.version.hdf5_version)')"

in=$work/in.h5
out=$work/out.h5
map=$work/map.json
echo '{"rules": [{"regex": "^dense(.*)$", "to": "fc$1"}]}' >"$map"
t0=${EPOCHREALTIME/[.,]/}
"$py" "$here/make_big_keras_h5.py" "$in" "${LAYERS:-300}" "${WIDTH:-944}"
t1=${EPOCHREALTIME/[.,]/}
sync
echo "input: $in, $(stat -c %s "$in") bytes, generated in $(((t1 - t0) / 1000)) ms"
echo "timings: median of $reps runs, warm page cache; load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo

clean_out() { rm -f "$out"; sync; }

# median_us, rusage, mib (ms below keeps whole milliseconds)
prepare=clean_out
source "$(dirname "$0")/bench_lib.sh"

ms() { awk -v us="$1" 'BEGIN { printf "%.0f ms", us / 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2fx", a / b }'; }

cat_in() { cat "$in" >/dev/null; }
cp_in() { cp "$in" "$out"; }
cp_sync() { cp "$in" "$out" && sync "$out"; }
h5py_run() { "$py" "$here/h5py_rename.py" "$in" "$out"; }
h5py_sync() { h5py_run && sync "$out"; }
rescope_run() { "$rescope" rename "$in" --map "$map" -o "$out"; }

cat_in  # warm the page cache
t_cat=$(median_us cat_in)
t_cp=$(median_us cp_in)
t_cps=$(median_us cp_sync)
t_h5=$(median_us h5py_run)
t_h5s=$(median_us h5py_sync)
t_rs=$(median_us rescope_run)
read -r rss_h5 cpu_h5 <<<"$(rusage "$py" "$here/h5py_rename.py" "$in" "$out")"
read -r rss_rs cpu_rs <<<"$(rusage "$rescope" rename "$in" --map "$map" -o "$out")"

# The two outputs must hold the same tensors under the same names, with equal values.
mv "$out" "$work/out_rescope.h5"
h5py_run
"$rescope" ls "$work/out_rescope.h5" >"$work/ls_rescope.txt"
"$rescope" ls "$out" >"$work/ls_h5py.txt"
same=yes
cmp -s "$work/ls_rescope.txt" "$work/ls_h5py.txt" || same=NO
"$rescope" diff --values "$work/out_rescope.h5" "$out" >/dev/null || same=NO
rm -f "$work/out_rescope.h5"

printf '%-44s %10s %12s %8s\n' "command" "median" "peak RSS" "cpu"
printf '%-44s %10s\n' "cat IN > /dev/null" "$(ms "$t_cat")"
printf '%-44s %10s\n' "cp IN OUT" "$(ms "$t_cp")"
printf '%-44s %10s\n' "cp IN OUT && sync OUT" "$(ms "$t_cps")"
printf '%-44s %10s %12s %7ss\n' "h5py_rename.py IN OUT" "$(ms "$t_h5")" "$(mib "$rss_h5")" "$cpu_h5"
printf '%-44s %10s\n' "h5py_rename.py IN OUT && sync OUT" "$(ms "$t_h5s")"
printf '%-44s %10s %12s %7ss\n' "rescope rename IN --map MAP -o OUT" "$(ms "$t_rs")" "$(mib "$rss_rs")" "$cpu_rs"
echo
echo "rescope / h5py: $(ratio "$t_rs" "$t_h5") (target <= 0.50x); rescope / (h5py + sync): $(ratio "$t_rs" "$t_h5s")"
echo "floor of a durable copy (rescope fsyncs its output): (cp + sync) / h5py = $(ratio "$t_cps" "$t_h5")"
echo "rescope peak RSS $(mib "$rss_rs") (target < 100 MB); outputs hold the same tensors and values: $same"
