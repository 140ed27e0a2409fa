// SPDX-License-Identifier: Apache-2.0
// CRC-32C: ISA-L when available, an SSE4.2 path, and slicing-by-8 tables.
#include "formats/tf_bundle/crc32c.h"

#include <algorithm>
#include <array>
#include <climits>
#include <cstring>

#ifdef RESCOPE_HAVE_ISAL
#include <isa-l/crc.h>
#endif

#if defined(__x86_64__)
#include <cpuid.h>
#endif

namespace rescope::crc32c {
namespace {

constexpr uint32_t kPoly = 0x82F63B78u;  // reflected Castagnoli polynomial

using Tables = std::array<std::array<uint32_t, 256>, 8>;

constexpr Tables MakeTables() {
  Tables t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ kPoly : c >> 1;
    t[0][i] = c;
  }
  for (uint32_t i = 0; i < 256; ++i) {
    for (size_t s = 1; s < 8; ++s) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xff];
  }
  return t;
}

constexpr Tables kTables = MakeTables();

bool DetectHardware() {
#if defined(__x86_64__)
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid(1, &eax, &ebx, &ecx, &edx) == 0) return false;
  return (ecx & bit_SSE4_2) != 0;
#else
  return false;
#endif
}

}  // namespace

uint32_t ExtendPortable(uint32_t crc, const uint8_t* p, size_t n) {
  uint32_t c = ~crc;
  while (n >= 8) {
    uint32_t lo = 0, hi = 0;
    std::memcpy(&lo, p, 4);  // little-endian hosts only; rescope targets x86-64/aarch64 LE
    std::memcpy(&hi, p + 4, 4);
    lo ^= c;
    c = kTables[7][lo & 0xff] ^ kTables[6][(lo >> 8) & 0xff] ^ kTables[5][(lo >> 16) & 0xff] ^
        kTables[4][lo >> 24] ^ kTables[3][hi & 0xff] ^ kTables[2][(hi >> 8) & 0xff] ^
        kTables[1][(hi >> 16) & 0xff] ^ kTables[0][hi >> 24];
    p += 8;
    n -= 8;
  }
  while (n-- > 0) c = (c >> 8) ^ kTables[0][(c ^ *p++) & 0xff];
  return ~c;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) uint32_t ExtendHardware(uint32_t crc, const uint8_t* p,
                                                          size_t n) {
  uint64_t c = ~crc;
  while (n >= 8) {
    uint64_t v = 0;
    std::memcpy(&v, p, 8);
    c = __builtin_ia32_crc32di(c, v);
    p += 8;
    n -= 8;
  }
  uint32_t c32 = static_cast<uint32_t>(c);
  while (n-- > 0) c32 = __builtin_ia32_crc32qi(c32, *p++);
  return ~c32;
}
#else
uint32_t ExtendHardware(uint32_t crc, const uint8_t* p, size_t n) {
  return ExtendPortable(crc, p, n);
}
#endif

bool HasHardware() {
  static const bool has = DetectHardware();
  return has;
}

#ifdef RESCOPE_HAVE_ISAL
// crc32_iscsi works on the raw register (no inversion on entry or exit, unlike Extend) and
// takes an int length, so large ranges go through in pieces below INT_MAX.
uint32_t ExtendLibrary(uint32_t crc, const uint8_t* data, size_t n) {
  constexpr size_t kPiece = size_t{1} << 30;
  uint32_t reg = ~crc;
  while (n > 0) {
    const size_t piece = std::min(n, kPiece);
    reg = crc32_iscsi(const_cast<uint8_t*>(data), static_cast<int>(piece), reg);
    data += piece;
    n -= piece;
  }
  return ~reg;
}
bool HasLibrary() { return true; }
#else
uint32_t ExtendLibrary(uint32_t crc, const uint8_t* data, size_t n) { return Extend(crc, data, n); }
bool HasLibrary() { return false; }
#endif

uint32_t Extend(uint32_t crc, const uint8_t* data, size_t n) {
#ifdef RESCOPE_HAVE_ISAL
  return ExtendLibrary(crc, data, n);
#else
  return HasHardware() ? ExtendHardware(crc, data, n) : ExtendPortable(crc, data, n);
#endif
}

}  // namespace rescope::crc32c
