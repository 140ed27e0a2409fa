// SPDX-License-Identifier: Apache-2.0
// CRC-32C (Castagnoli) and the masking TF/LevelDB apply to every stored CRC.
//
// Extend() uses ISA-L's crc32_iscsi when rescope was built with it (libisal-dev: three
// interleaved crc32 streams on x86-64, PMULL folding on aarch64, about twice the speed of
// one stream), else the SSE4.2 crc32 instruction when the CPU has it (checked once at run
// time), else a portable slicing-by-8 table. All give identical results.
#pragma once

#include <cstddef>
#include <cstdint>

namespace rescope::crc32c {

// CRC of (bytes already covered by `crc`) followed by data[0..n).
uint32_t Extend(uint32_t crc, const uint8_t* data, size_t n);
inline uint32_t Value(const uint8_t* data, size_t n) { return Extend(0, data, n); }

// The two implementations, exposed for tests and benchmarks.
uint32_t ExtendPortable(uint32_t crc, const uint8_t* data, size_t n);
uint32_t ExtendHardware(uint32_t crc, const uint8_t* data, size_t n);  // REQUIRES HasHardware()
bool HasHardware();
uint32_t ExtendLibrary(uint32_t crc, const uint8_t* data, size_t n);  // REQUIRES HasLibrary()
bool HasLibrary();                                                    // built with ISA-L

constexpr uint32_t kMaskDelta = 0xa282ead8u;

// Stored CRCs are masked so that a CRC of data containing CRCs stays well distributed.
inline uint32_t Mask(uint32_t crc) { return ((crc >> 15) | (crc << 17)) + kMaskDelta; }
inline uint32_t Unmask(uint32_t masked) {
  const uint32_t rot = masked - kMaskDelta;
  return (rot >> 17) | (rot << 15);
}

}  // namespace rescope::crc32c
