# SPDX-License-Identifier: Apache-2.0
# Shared helpers of the bench/*.sh scripts (sourced, not run). The caller sets:
#   reps     number of timed runs per measurement
#   prepare  name of a function run before every timed run (e.g. removing old output)
#   work     scratch directory (holds time.txt)
#   rescope  the binary under test

# print_machine: the facts a reader needs to weigh the figures.
print_machine() {
  echo "machine: $(nproc) cpus, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')," \
    "$(free -g | awk '/Mem:/ { print $2 }') GiB RAM, kernel $(uname -r)"
  echo "filesystem of $work: $(stat -f -c %T "$work"), $(df -h "$work" | awk 'NR == 2 { print $1 }')"
  echo "rescope: $($rescope --version), git $(git -C "$(dirname "${BASH_SOURCE[0]}")" rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo "timings: median of $reps runs, warm page cache; load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
}

# median_us CMD...: runs $prepare and then CMD, REPS times; prints the median wall time in
# microseconds.
median_us() {
  local times=() t0 t1
  for _ in $(seq "$reps"); do
    "$prepare"
    t0=${EPOCHREALTIME/[.,]/}
    "$@" >/dev/null
    t1=${EPOCHREALTIME/[.,]/}
    times+=($((t1 - t0)))
  done
  printf '%s\n' "${times[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}

# rusage CMD...: "peak-RSS-KiB user+sys-seconds" of one run of CMD under /usr/bin/time -v.
# CPU time is less sensitive than wall time to other load on the machine.
rusage() {
  "$prepare"
  /usr/bin/time -v -o "$work/time.txt" "$@" >/dev/null
  awk -F': ' '/Maximum resident set size/ { rss = $2 }
              /User time|System time/ { cpu += $2 }
              END { printf "%d %.2f", rss, cpu }' "$work/time.txt"
}

ms() { awk -v us="$1" 'BEGIN { printf "%.1f ms", us / 1000 }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f MiB", k / 1024 }'; }
