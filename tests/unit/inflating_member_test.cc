// SPDX-License-Identifier: Apache-2.0
// InflatingMember: random reads of a raw deflate stream against the bytes that were
// deflated (zlib's own deflate makes the stream), restart points, streaming, threads, and
// the whole-member checks (CRC-32, declared size) with the errors they give.
#include "formats/keras_h5/inflating_member.h"

#include <doctest/doctest.h>
#include <zlib.h>

#include <thread>

#include "keras_h5_test_util.h"

namespace rescope {
namespace {

using keras_test::TempDir;
using keras_test::WriteFile;

constexpr uint64_t kPrefix = 37;  // the member's data does not start at offset 0 of the file

// Mildly compressible bytes (words from a small alphabet with noise), so deflate emits
// many blocks with back-references that cross block boundaries.
std::vector<uint8_t> SampleBytes(size_t n) {
  std::vector<uint8_t> out(n);
  uint64_t state = 0x9e3779b97f4a7c15ull;
  for (size_t i = 0; i < n; ++i) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    const uint8_t noise = static_cast<uint8_t>(state >> 59);
    out[i] = static_cast<uint8_t>("abcdefgh"[(i / 7 + (state >> 62)) % 8] + (noise == 0 ? 1 : 0));
  }
  return out;
}

std::vector<uint8_t> RawDeflate(const std::vector<uint8_t>& data) {
  z_stream s{};
  REQUIRE(deflateInit2(&s, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::vector<uint8_t> out(deflateBound(&s, data.size()));
  s.next_in = const_cast<Bytef*>(data.data());
  s.avail_in = static_cast<uInt>(data.size());
  s.next_out = out.data();
  s.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&s, Z_FINISH) == Z_STREAM_END);
  out.resize(s.total_out);
  deflateEnd(&s);
  return out;
}

uint32_t Crc(const std::vector<uint8_t>& data) {
  return static_cast<uint32_t>(::crc32_z(0, data.data(), data.size()));
}

struct Fixture {
  TempDir dir{"inflate"};
  std::vector<uint8_t> plain;
  std::vector<uint8_t> compressed;
  std::shared_ptr<const MappedFile> zip;

  explicit Fixture(size_t n) : plain(SampleBytes(n)), compressed(RawDeflate(plain)) {
    std::vector<uint8_t> file(kPrefix, 0xAA);
    file.insert(file.end(), compressed.begin(), compressed.end());
    file.insert(file.end(), 11, 0xBB);  // bytes after the member (the next zip record)
    WriteFile(dir.File("m.zip"), file);
    auto mapped = MappedFile::Open(dir.File("m.zip"));
    REQUIRE(mapped.ok());
    zip = *mapped;
  }
  std::shared_ptr<InflatingMember> Open(InflateTuning tuning, uint64_t size, uint32_t crc,
                                        uint64_t compressed_size) const {
    auto m = InflatingMember::Open("m.zip:w.h5", zip, kPrefix, compressed_size, size, crc, tuning);
    REQUIRE(m.ok());
    return *m;
  }
  std::shared_ptr<InflatingMember> Open(InflateTuning tuning) const {
    return Open(tuning, plain.size(), Crc(plain), compressed.size());
  }
};

InflateTuning Small() {
  InflateTuning t;
  t.point_spacing = 64 << 10;
  t.chunk_size = 4 << 10;
  t.cache_chunks = 4;
  t.cursors = 2;
  return t;
}

void CheckRead(const InflatingMember& m, const std::vector<uint8_t>& plain, uint64_t off,
               uint64_t n) {
  std::vector<uint8_t> scratch;
  auto got = m.Read(off, n, scratch);
  REQUIRE_MESSAGE(got.ok(), got.status().message());
  REQUIRE(got->size == n);
  CHECK(std::memcmp(got->data, plain.data() + off, static_cast<size_t>(n)) == 0);
}

TEST_CASE("inflating member: random reads equal the deflated bytes, using restart points") {
  Fixture f(3 << 20);
  auto m = f.Open(Small());
  // Far first read: inflates forward to it and saves points on the way.
  CheckRead(*m, f.plain, f.plain.size() - 100, 100);
  const InflateStats after_end = m->stats();
  CHECK(after_end.highest_inflated == f.plain.size());
  CHECK(after_end.points > 10);
  CHECK(after_end.restarts == 1);
  // Reads behind the frontier restart from a point instead of from the start: each costs
  // at most a spacing plus a chunk of inflation.
  uint64_t state = 12345;
  for (int i = 0; i < 200; ++i) {
    state = state * 6364136223846793005ull + 1;
    const uint64_t off = (state >> 20) % f.plain.size();
    const uint64_t n = std::min<uint64_t>(1 + (state >> 50) % 20000, f.plain.size() - off);
    const uint64_t before = m->stats().bytes_inflated;
    CheckRead(*m, f.plain, off, n);
    CHECK(m->stats().bytes_inflated - before <= (64 << 10) + n + 2 * (4 << 10) + (256 << 10));
  }
  CHECK(m->stats().restarts > 1);
  CheckRead(*m, f.plain, 0, f.plain.size());  // all of it, across every point
}

TEST_CASE("inflating member: a forward stream in windows is one inflate, not restarts") {
  Fixture f(2 << 20);
  auto m = f.Open(Small());
  for (uint64_t off = 0; off < f.plain.size(); off += 10000) {
    CheckRead(*m, f.plain, off, std::min<uint64_t>(10000, f.plain.size() - off));
  }
  CHECK(m->stats().restarts == 1);
  CHECK(m->stats().bytes_inflated == f.plain.size());
}

TEST_CASE("inflating member: reads from several threads") {
  Fixture f(2 << 20);
  auto m = f.Open(Small());
  std::vector<std::thread> threads;
  std::vector<int> bad(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      std::vector<uint8_t> scratch;
      uint64_t state = 77 + t;
      for (int i = 0; i < 100; ++i) {
        state = state * 6364136223846793005ull + 1;
        const uint64_t off = (state >> 20) % f.plain.size();
        const uint64_t n = std::min<uint64_t>(1 + (state >> 48) % 50000, f.plain.size() - off);
        auto got = m->Read(off, n, scratch);
        if (!got.ok() || std::memcmp(got->data, f.plain.data() + off, n) != 0) ++bad[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(bad == std::vector<int>(4, 0));
}

TEST_CASE("inflating member: the whole member must match its CRC-32 and declared size") {
  Fixture f(300 << 10);
  std::vector<uint8_t> scratch;
  SUBCASE("CRC-32 mismatch: the read reaching the end fails, and every read after it") {
    auto m = f.Open(Small(), f.plain.size(), Crc(f.plain) ^ 1, f.compressed.size());
    CheckRead(*m, f.plain, 0, 1000);  // not the whole member yet: served
    auto end = m->Read(f.plain.size() - 10, 10, scratch);
    REQUIRE_FALSE(end.ok());
    CHECK(end.status().code() == StatusCode::kCorruption);
    CHECK(end.status().message().starts_with(
        "m.zip:w.h5: zip CRC-32 mismatch over the inflated member (stored 0x"));
    CHECK_FALSE(m->Read(0, 10, scratch).ok());
  }
  SUBCASE("declared size larger than the stream") {
    auto m = f.Open(Small(), f.plain.size() + 5, Crc(f.plain), f.compressed.size());
    auto end = m->Read(f.plain.size(), 5, scratch);
    REQUIRE_FALSE(end.ok());
    CHECK(end.status().message() ==
          "m.zip:w.h5: deflate stream ends after " + std::to_string(f.plain.size()) +
              " bytes (central directory says " + std::to_string(f.plain.size() + 5) + ")");
  }
  SUBCASE("stream longer than the declared size") {
    auto m = f.Open(Small(), f.plain.size() - 5, Crc(f.plain), f.compressed.size());
    auto end = m->Read(0, f.plain.size() - 5, scratch);
    REQUIRE_FALSE(end.ok());
    CHECK(end.status().message() ==
          "m.zip:w.h5: inflates to more than " + std::to_string(f.plain.size() - 5) +
              " bytes (central directory says " + std::to_string(f.plain.size() - 5) + ")");
  }
  SUBCASE("compressed data cut short") {
    auto m = f.Open(Small(), f.plain.size(), Crc(f.plain), f.compressed.size() / 2);
    auto end = m->Read(f.plain.size() - 1, 1, scratch);
    REQUIRE_FALSE(end.ok());
    CHECK(end.status().message().find("compressed data ends before the stream does") !=
          std::string::npos);
  }
  SUBCASE("the exact member passes, and reads outside it are refused") {
    auto m = f.Open(Small());
    CheckRead(*m, f.plain, 0, f.plain.size());
    CheckRead(*m, f.plain, 5, 10);
    auto past = m->Read(f.plain.size() - 1, 2, scratch);
    REQUIRE_FALSE(past.ok());
    CHECK(past.status().message().find("run past end of the inflated member") != std::string::npos);
  }
}

TEST_CASE("inflating member: compressed range outside the file is refused at open") {
  Fixture f(1000);
  auto m = InflatingMember::Open("m.zip:w.h5", f.zip, kPrefix, f.zip->size(), 1000, 0, {});
  REQUIRE_FALSE(m.ok());
  CHECK(m.status().code() == StatusCode::kCorruption);
}

}  // namespace
}  // namespace rescope
