// SPDX-License-Identifier: Apache-2.0
// CRC-32 of the zip/zlib polynomial (reflected 0xEDB88320) for the torch.save writer, which
// checksums every storage record it streams, and for verify: ISA-L's crc32_gzip_refl when
// rescope was built with it (about three times the speed of the folding below and of zlib's
// crc32 on the development machine: bench/README.md), else carry-less multiplication
// folding (PCLMULQDQ) on x86-64 CPUs that have it, else slicing-by-8 tables.
#include <array>
#include <cstdint>
#include <cstring>

#include "formats/pytorch/torch_zip.h"

#ifdef RESCOPE_HAVE_ISAL
#include <isa-l/crc.h>
#endif

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define RESCOPE_CRC32_CLMUL 1
#endif

namespace rescope::pytorch {
namespace {

using Tables = std::array<std::array<uint32_t, 256>, 8>;

// tables[0] is the classic byte table; tables[k][b] is the CRC of byte b followed by k zero
// bytes, which lets eight input bytes be folded with eight independent lookups.
const Tables& SliceTables() {
  static const Tables tables = [] {
    Tables t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; ++i) {
      for (size_t k = 1; k < 8; ++k) t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xFF];
    }
    return t;
  }();
  return tables;
}

// Updates the raw (uninverted) register.
uint32_t SliceBy8(uint32_t reg, const uint8_t* data, size_t n) {
  const Tables& t = SliceTables();
  while (n >= 8) {
    uint32_t lo, hi;
    std::memcpy(&lo, data, 4);
    std::memcpy(&hi, data + 4, 4);
    lo ^= reg;  // assumes a little-endian host, as the rest of rescope does
    reg = t[7][lo & 0xFF] ^ t[6][(lo >> 8) & 0xFF] ^ t[5][(lo >> 16) & 0xFF] ^ t[4][lo >> 24] ^
          t[3][hi & 0xFF] ^ t[2][(hi >> 8) & 0xFF] ^ t[1][(hi >> 16) & 0xFF] ^ t[0][hi >> 24];
    data += 8;
    n -= 8;
  }
  while (n-- > 0) reg = t[0][(reg ^ *data++) & 0xFF] ^ (reg >> 8);
  return reg;
}

#ifdef RESCOPE_CRC32_CLMUL
// Folding constants for the reflected CRC-32 polynomial (Intel, "Fast CRC Computation for
// Generic Polynomials Using PCLMULQDQ Instruction", 2009): x^(4*128+32) and x^(4*128-32)
// mod P for the 4-way fold, x^(128+32) and x^(128-32) mod P for the 1-way fold, x^64 mod P
// for 64 -> 32 bits, and P(x) and mu = floor(x^64 / P(x)) for the Barrett reduction, all
// bit-reflected and shifted left by one.
constexpr int64_t kFold4Lo = 0x154442bd4, kFold4Hi = 0x1c6e41596;
constexpr int64_t kFold1Lo = 0x1751997d0, kFold1Hi = 0x0ccaa009e;
constexpr int64_t kFold64 = 0x163cd6124;
constexpr int64_t kPoly = 0x1db710641, kMu = 0x1f7011641;

__attribute__((target("pclmul,sse4.1"))) inline __m128i Fold(__m128i acc, __m128i next,
                                                             __m128i keys) {
  const __m128i lo = _mm_clmulepi64_si128(acc, keys, 0x00);
  const __m128i hi = _mm_clmulepi64_si128(acc, keys, 0x11);
  return _mm_xor_si128(_mm_xor_si128(next, lo), hi);
}

__attribute__((target("pclmul,sse4.1"))) inline __m128i Load(const uint8_t* p) {
  return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
}

// REQUIRES: n >= 64. Returns the raw register after the 16-byte blocks of `data`; `*used`
// says how many bytes that was (a multiple of 16).
__attribute__((target("pclmul,sse4.1"))) uint32_t Clmul(uint32_t reg, const uint8_t* data, size_t n,
                                                        size_t* used) {
  __m128i x0 = _mm_xor_si128(Load(data), _mm_cvtsi32_si128(static_cast<int>(reg)));
  __m128i x1 = Load(data + 16), x2 = Load(data + 32), x3 = Load(data + 48);
  size_t pos = 64;
  const __m128i fold4 = _mm_set_epi64x(kFold4Hi, kFold4Lo);
  for (; n - pos >= 64; pos += 64) {
    x0 = Fold(x0, Load(data + pos), fold4);
    x1 = Fold(x1, Load(data + pos + 16), fold4);
    x2 = Fold(x2, Load(data + pos + 32), fold4);
    x3 = Fold(x3, Load(data + pos + 48), fold4);
  }
  const __m128i fold1 = _mm_set_epi64x(kFold1Hi, kFold1Lo);
  __m128i x = Fold(Fold(Fold(x0, x1, fold1), x2, fold1), x3, fold1);
  for (; n - pos >= 16; pos += 16) x = Fold(x, Load(data + pos), fold1);
  *used = pos;
  // 128 -> 64 bits, then Barrett reduction to 32 (the reflected variant keeps the result in
  // the second 32-bit lane).
  const __m128i low32 = _mm_set_epi32(0, 0, 0, -1);
  x = _mm_xor_si128(_mm_clmulepi64_si128(x, fold1, 0x10), _mm_srli_si128(x, 8));
  x = _mm_xor_si128(_mm_clmulepi64_si128(_mm_and_si128(x, low32), _mm_set_epi64x(0, kFold64), 0),
                    _mm_srli_si128(x, 4));
  const __m128i poly_mu = _mm_set_epi64x(kMu, kPoly);
  const __m128i t1 = _mm_clmulepi64_si128(_mm_and_si128(x, low32), poly_mu, 0x10);
  const __m128i t2 = _mm_clmulepi64_si128(_mm_and_si128(t1, low32), poly_mu, 0x00);
  return static_cast<uint32_t>(_mm_extract_epi32(_mm_xor_si128(x, t2), 1));
}

bool HaveClmul() {
  static const bool have = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1");
  return have;
}
#endif

}  // namespace

uint32_t Crc32Folding(uint32_t crc, const uint8_t* data, size_t n) {
  uint32_t reg = ~crc;
#ifdef RESCOPE_CRC32_CLMUL
  if (n >= 64 && HaveClmul()) {
    size_t used = 0;
    reg = Clmul(reg, data, n, &used);
    data += used;
    n -= used;
  }
#endif
  return ~SliceBy8(reg, data, n);
}

#ifdef RESCOPE_HAVE_ISAL
// crc32_gzip_refl follows zlib's convention (0 to start, the previous result to continue),
// the same as Crc32.
uint32_t Crc32Library(uint32_t crc, const uint8_t* data, size_t n) {
  return crc32_gzip_refl(crc, data, n);
}
bool HasCrc32Library() { return true; }
#else
uint32_t Crc32Library(uint32_t crc, const uint8_t* data, size_t n) {
  return Crc32Folding(crc, data, n);
}
bool HasCrc32Library() { return false; }
#endif

uint32_t Crc32(uint32_t crc, const uint8_t* data, size_t n) {
#ifdef RESCOPE_HAVE_ISAL
  return Crc32Library(crc, data, n);
#else
  return Crc32Folding(crc, data, n);
#endif
}

// Exposed for tests: the portable path alone.
uint32_t Crc32Portable(uint32_t crc, const uint8_t* data, size_t n) {
  return ~SliceBy8(~crc, data, n);
}

}  // namespace rescope::pytorch
