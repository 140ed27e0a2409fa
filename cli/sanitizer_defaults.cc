// SPDX-License-Identifier: Apache-2.0
// Sanitizer runtime defaults of the rescope executable in AddressSanitizer builds
// (RESCOPE_SANITIZE); nothing in other builds.
//
// intercept_tls_get_addr=0 works around a sanitizer-runtime bug (google/sanitizers#1322),
// reproduced by tests/sanitizer/lsan_dtls_tracer_crash.sh: the runtimes of GCC 12 and
// clang 14 take a dynamic TLS block at page offset 16 for a pre-2.25 glibc block with a
// header and record a garbage range for it, so LeakSanitizer's tracer dies with "Tracer
// caught signal 11" at exit. Dynamic TLS comes from libraries loaded with dlopen, here the
// HDF5 module's (librescope_hdf5.so pulls in libcurl's TLS libraries, e.g. GnuTLS's 16-byte
// block), so a run that opened an HDF5 file crashed at exit whenever earlier allocations put
// that block on a page's offset 16. Without the interception the blocks are plain heap
// chunks, still reached through glibc's DTV, so leak checking loses nothing. Only the
// executable loads the module: tests and tools link the HDF5 code, whose TLS is static.
// Remove once the supported compilers ship a runtime without the heuristic.
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RESCOPE_ASAN_BUILD 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define RESCOPE_ASAN_BUILD 1
#endif

#ifdef RESCOPE_ASAN_BUILD
// Read by the runtime before main; ASAN_OPTIONS in the environment still overrides it.
extern "C" const char* __asan_default_options() { return "intercept_tls_get_addr=0"; }
#endif
