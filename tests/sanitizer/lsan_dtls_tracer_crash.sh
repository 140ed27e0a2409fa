#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Minimal reproduction of the sanitizer-runtime bug behind "Tracer caught signal 11" at the
# exit of sanitized rescope runs that loaded librescope_hdf5.so (google/sanitizers#1322).
#
# Up to GCC 13's libsanitizer (and LLVM 16), the __tls_get_addr interceptor takes a dynamic
# TLS block whose address is 16 bytes past a 4 KiB page boundary for a glibc 2.19-2.24 block
# with a {size, start} header in front, and records the two words before it as the block's
# range. glibc 2.25+ allocates dynamic TLS with plain malloc and has no such header: under
# ASan those two words are the allocator's chunk header, so LeakSanitizer's tracer scans a
# garbage range at exit and dies with SIGSEGV. ASan hands out a 16-byte-redzone chunk at page
# offset 16 as the first chunk of a fresh size-class region and every 4096/size-th after,
# so which run crashes depends only on how many allocations of that size came before (a
# pipe instead of a terminal on stdout is enough to change it).
#
# Here a dlopen'ed module's 40-byte TLS block is placed at page offset 16 (filler
# allocations of its size class), then at offset 80 (one filler more). Usage:
#   tests/sanitizer/lsan_dtls_tracer_crash.sh [CC]   (default gcc)
set -uo pipefail
cc=${1:-gcc}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/mod.c" <<'C'
__thread char tls_block[40]; /* general-dynamic TLS: reached through __tls_get_addr */
char* touch_tls(void) { tls_block[0] = 1; return tls_block; }
C
cat >"$work/main.c" <<'C'
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
static void* keep[100000]; /* fillers stay reachable: no leak of ours */
int main(int argc, char** argv) {
  const int extra = atoi(argv[2]);
  void* h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (h == NULL) return 3;
  char* (*touch)(void) = (char* (*)(void))dlsym(h, "touch_tls");
  /* Fill the 40-byte size class until its next chunk starts a page, plus `extra`. */
  int n = 0;
  for (;;) {
    keep[n++] = malloc(40);
    if (n > 1) {
      const uintptr_t stride = (uintptr_t)keep[n - 1] - (uintptr_t)keep[n - 2];
      if (((uintptr_t)keep[n - 1] + stride) % 4096 == 16) break;
    }
  }
  for (int i = 0; i < extra; ++i) keep[n++] = malloc(40);
  const char* block = touch(); /* first touch in this thread: glibc mallocs the block */
  fprintf(stderr, "TLS block at page offset %lu\n", (unsigned long)((uintptr_t)block % 4096));
  return 0;
}
C
"$cc" -g -fsanitize=address -fPIC -shared "$work/mod.c" -o "$work/mod.so" || exit 2
"$cc" -g -fsanitize=address "$work/main.c" -o "$work/main" -ldl || exit 2
run() {  # label, extra fillers, ASAN_OPTIONS
  ASAN_OPTIONS=$3 "$work/main" "$work/mod.so" "$2" >"$work/out" 2>&1
  local code=$?
  local tracer=no
  grep -q "Tracer caught signal" "$work/out" && tracer=yes
  echo "$1: $(grep -o 'page offset [0-9]*' "$work/out"), exit $code, tracer crash: $tracer"
}
run "block at offset 16" 0 detect_leaks=1
run "block at offset 80" 1 detect_leaks=1
run "offset 16, intercept_tls_get_addr=0" 0 detect_leaks=1:intercept_tls_get_addr=0
