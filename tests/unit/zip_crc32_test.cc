// SPDX-License-Identifier: Apache-2.0
// Tests of the zip CRC-32 (formats/pytorch/zip_crc32.cc): the standard check value, and
// every path (ISA-L when built with it, PCLMULQDQ folding, tables) against a bit-at-a-time
// reference on many lengths, alignments and split points.
#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <string_view>
#include <vector>

#include "formats/pytorch/torch_zip.h"

using rescope::pytorch::Crc32;
using rescope::pytorch::Crc32Folding;
using rescope::pytorch::Crc32Library;
using rescope::pytorch::Crc32Portable;
using rescope::pytorch::HasCrc32Library;

namespace {

// The definition: reflected polynomial 0xEDB88320, initial and final XOR 0xFFFFFFFF.
uint32_t BitwiseCrc32(const uint8_t* data, size_t n) {
  uint32_t reg = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; ++i) {
    reg ^= data[i];
    for (int k = 0; k < 8; ++k) reg = (reg & 1) ? (reg >> 1) ^ 0xEDB88320u : reg >> 1;
  }
  return ~reg;
}

}  // namespace

TEST_CASE("zip crc32: check value and agreement with the bitwise definition") {
  constexpr std::string_view kCheck = "123456789";
  const auto* check = reinterpret_cast<const uint8_t*>(kCheck.data());
  CHECK(Crc32(0, check, kCheck.size()) == 0xCBF43926u);  // the catalogued CRC-32 check value
  CHECK(Crc32Portable(0, check, kCheck.size()) == 0xCBF43926u);
  CHECK(Crc32Folding(0, check, kCheck.size()) == 0xCBF43926u);
  CHECK(Crc32(0, nullptr, 0) == 0);
  if (HasCrc32Library()) {
    CHECK(Crc32Library(0, check, kCheck.size()) == 0xCBF43926u);
  } else {
    MESSAGE("built without ISA-L (libisal-dev): its path is not checked");
  }

  std::mt19937 rng(12345);
  std::vector<uint8_t> data(70000);
  for (uint8_t& b : data) b = static_cast<uint8_t>(rng());
  for (size_t n : {1, 15, 16, 17, 63, 64, 65, 127, 128, 129, 200, 255, 1000, 4096, 65537, 69990}) {
    for (size_t align : {0, 1, 7}) {
      CAPTURE(n);
      CAPTURE(align);
      const uint8_t* p = data.data() + align;
      const uint32_t want = BitwiseCrc32(p, n);
      CHECK(Crc32(0, p, n) == want);
      CHECK(Crc32Portable(0, p, n) == want);
      CHECK(Crc32Folding(0, p, n) == want);
      if (HasCrc32Library()) {
        CHECK(Crc32Library(0, p, n) == want);
        // Started by one path, continued by another.
        CHECK(Crc32Library(Crc32Folding(0, p, n / 2), p + n / 2, n - n / 2) == want);
        CHECK(Crc32Portable(Crc32Library(0, p, n / 2), p + n / 2, n - n / 2) == want);
      }
      // Continued over a split, as the zip writer does window by window.
      const size_t cut = n / 3;
      CHECK(Crc32(Crc32(0, p, cut), p + cut, n - cut) == want);
    }
  }
  // All zeros and all ones (carry-less folding corner cases).
  std::vector<uint8_t> zeros(4096, 0), ones(4096, 0xFF);
  CHECK(Crc32(0, zeros.data(), zeros.size()) == BitwiseCrc32(zeros.data(), zeros.size()));
  CHECK(Crc32(0, ones.data(), ones.size()) == BitwiseCrc32(ones.data(), ones.size()));
  CHECK(Crc32Folding(0, zeros.data(), zeros.size()) == BitwiseCrc32(zeros.data(), zeros.size()));
}
