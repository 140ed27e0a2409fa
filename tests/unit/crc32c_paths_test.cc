// SPDX-License-Identifier: Apache-2.0
// Tests that every CRC-32C implementation (formats/tf_bundle/crc32c.cc) computes the same
// function: the table path every CPU runs, the SSE4.2 path x86-64 takes at run time, and
// ISA-L's crc32_iscsi when rescope is built with it. A machine takes only one of them in
// normal use, so each is checked here against a bit-at-a-time
// reference written from the definition and against the published iSCSI vectors (RFC 3720,
// appendix B.4), on every length 0..300 from every start offset 0..15.
#include <doctest/doctest.h>
#include <sys/mman.h>

#include <array>
#include <cstdint>
#include <numeric>
#include <random>
#include <vector>

#include "formats/tf_bundle/crc32c.h"

namespace crc32c = rescope::crc32c;

namespace {

// The definition: reflected Castagnoli polynomial 0x82F63B78, initial and final XOR 0xFFFFFFFF.
uint32_t BitwiseCrc32c(const uint8_t* data, size_t n) {
  uint32_t reg = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; ++i) {
    reg ^= data[i];
    for (int k = 0; k < 8; ++k) reg = (reg & 1) ? (reg >> 1) ^ 0x82F63B78u : reg >> 1;
  }
  return ~reg;
}

// Every implementation a machine can run: the dispatcher, the table path, and the SSE4.2 path
// where the CPU has it.
void CheckAllPaths(const uint8_t* data, size_t n, uint32_t want) {
  CHECK(crc32c::Value(data, n) == want);
  CHECK(crc32c::ExtendPortable(0, data, n) == want);
  if (crc32c::HasHardware()) CHECK(crc32c::ExtendHardware(0, data, n) == want);
  if (crc32c::HasLibrary()) CHECK(crc32c::ExtendLibrary(0, data, n) == want);
}

}  // namespace

TEST_CASE("crc32c: RFC 3720 B.4 iSCSI vectors on every path") {
  if (!crc32c::HasHardware()) MESSAGE("this CPU has no SSE4.2: the SSE4.2 path is not checked");
  if (!crc32c::HasLibrary()) MESSAGE("built without ISA-L (libisal-dev): its path is not checked");
  std::array<uint8_t, 32> bytes{};
  CheckAllPaths(bytes.data(), bytes.size(), 0x8A9136AAu);  // 32 bytes of zeros
  bytes.fill(0xFF);
  CheckAllPaths(bytes.data(), bytes.size(), 0x62A8AB43u);  // 32 bytes of 0xFF
  std::iota(bytes.begin(), bytes.end(), uint8_t{0});
  CheckAllPaths(bytes.data(), bytes.size(), 0x46DD794Eu);  // 0x00, 0x01, ... 0x1F
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<uint8_t>(31 - i);
  CheckAllPaths(bytes.data(), bytes.size(), 0x113FDB5Cu);  // 0x1F, 0x1E, ... 0x00
  // The 48-byte iSCSI SCSI Read (10) command PDU of the same appendix.
  const std::array<uint8_t, 48> read_pdu = {
      0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00,
      0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18, 0x28, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
  CheckAllPaths(read_pdu.data(), read_pdu.size(), 0xD9963A56u);
  // The reference itself reproduces the vectors, so the sweep below rests on it.
  bytes.fill(0);
  CHECK(BitwiseCrc32c(bytes.data(), bytes.size()) == 0x8A9136AAu);
  CHECK(BitwiseCrc32c(read_pdu.data(), read_pdu.size()) == 0xD9963A56u);
}

TEST_CASE("crc32c: table and SSE4.2 paths agree on lengths 0..300 from unaligned starts") {
  std::mt19937 rng(3720);
  std::vector<uint8_t> buffer(16 + 300);
  for (uint8_t& b : buffer) b = static_cast<uint8_t>(rng());
  const bool hardware = crc32c::HasHardware();
  if (!hardware) MESSAGE("this CPU has no SSE4.2: only the table path is checked");
  for (size_t start = 0; start < 16; ++start) {
    for (size_t n = 0; n <= 300; ++n) {
      CAPTURE(start);
      CAPTURE(n);
      const uint8_t* p = buffer.data() + start;
      const uint32_t want = BitwiseCrc32c(p, n);
      const uint32_t portable = crc32c::ExtendPortable(0, p, n);
      CHECK(portable == want);
      CHECK(crc32c::Value(p, n) == want);
      // Continuing a CRC over a split (how windows of a tensor are checksummed), with the
      // split falling inside and across the 8-byte steps of both paths.
      const size_t cut = (n * 5) / 11;
      CHECK(crc32c::ExtendPortable(crc32c::ExtendPortable(0, p, cut), p + cut, n - cut) == want);
      if (hardware) {
        CHECK(crc32c::ExtendHardware(0, p, n) == want);
        CHECK(crc32c::ExtendHardware(crc32c::ExtendHardware(0, p, cut), p + cut, n - cut) == want);
        // Mixed: a CRC started by one path and finished by the other.
        CHECK(crc32c::ExtendPortable(crc32c::ExtendHardware(0, p, cut), p + cut, n - cut) == want);
      }
      if (crc32c::HasLibrary()) {
        CHECK(crc32c::ExtendLibrary(0, p, n) == want);
        // ISA-L's register convention differs from Extend's: a CRC it continues from
        // another path (and the reverse) must still come out right.
        CHECK(crc32c::ExtendLibrary(crc32c::ExtendPortable(0, p, cut), p + cut, n - cut) == want);
        CHECK(crc32c::ExtendPortable(crc32c::ExtendLibrary(0, p, cut), p + cut, n - cut) == want);
      }
    }
  }
}

TEST_CASE("crc32c: TF's masked CRC32C vectors on every path") {
  // TensorFlow's crc32c_test.cc / LevelDB's: Value("a") and Value("foo") as TF stores them.
  const uint8_t a[] = {'a'};
  CHECK(BitwiseCrc32c(a, 1) == 0xC1D04330u);
  CheckAllPaths(a, 1, 0xC1D04330u);
  const uint8_t foo[] = {'f', 'o', 'o'};
  CHECK(BitwiseCrc32c(foo, 3) == 0xCFC4AE1Du);
  CheckAllPaths(foo, 3, 0xCFC4AE1Du);
  // Masking is a rotation plus a constant, and Unmask undoes it.
  CHECK(crc32c::Mask(0xCFC4AE1Du) != 0xCFC4AE1Du);
  CHECK(crc32c::Unmask(crc32c::Mask(0xCFC4AE1Du)) == 0xCFC4AE1Du);
  CHECK(crc32c::Unmask(crc32c::Mask(crc32c::Mask(0xCFC4AE1Du))) == crc32c::Mask(0xCFC4AE1Du));
}

TEST_CASE("crc32c: every path agrees on a range larger than ISA-L's int length") {
  // ExtendLibrary feeds crc32_iscsi pieces below INT_MAX; a 2 GiB + 5 range crosses two
  // piece boundaries. An anonymous mapping reads as zeros without taking memory; only the
  // pages written below become resident.
  const size_t size = (size_t{2} << 30) + 5;
  void* map = ::mmap(nullptr, size, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  REQUIRE(map != MAP_FAILED);
  auto* big = static_cast<uint8_t*>(map);
  big[(size_t{1} << 30) - 1] = 0x5A;  // bytes on both sides of the first piece boundary
  big[size_t{1} << 30] = 0xA5;
  big[size - 1] = 0x01;
  // The reference: the SSE4.2 path where the CPU has it (4x faster), else the tables.
  const uint32_t want = crc32c::HasHardware() ? crc32c::ExtendHardware(0, big, size)
                                              : crc32c::ExtendPortable(0, big, size);
  CHECK(crc32c::Value(big, size) == want);
  if (crc32c::HasLibrary()) CHECK(crc32c::ExtendLibrary(0, big, size) == want);
  ::munmap(map, size);
}
