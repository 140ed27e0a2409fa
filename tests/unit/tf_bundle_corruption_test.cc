// SPDX-License-Identifier: Apache-2.0
// Corruption sweep over the TF read path: every real `.index` and V1 file is copied to a
// temp dir (data shards symlinked beside it), then truncated and byte-flipped at many
// offsets, also with the block checksum recomputed so that the damage reaches the entry
// decoders. OpenCheckpoint must fail with a message naming the file, or succeed and then
// VerifyCheckpoint must run to the end; the largest single allocation is bounded by the
// input size. Also damage to data shards: a flipped tensor byte and a truncated shard.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <new>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "formats/byte_cursor.h"
#include "formats/registry.h"
#include "formats/tf_bundle/crc32c.h"
#include "formats/tf_bundle/sstable_format.h"
#include "formats/tf_bundle/sstable_reader.h"
#include "formats/verify.h"
#include "tests/unit/sstable_test_util.h"

using namespace rescope;
namespace fs = std::filesystem;

// Allocation tracking replaces the global operator new, which would hide new/delete
// mismatches from AddressSanitizer; sanitizer builds bound allocations themselves.
#if defined(__SANITIZE_ADDRESS__)
#define RESCOPE_TRACK_ALLOCATIONS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define RESCOPE_TRACK_ALLOCATIONS 0
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)  // GCC's spelling
#define RESCOPE_TRACK_ALLOCATIONS 0
#endif
#ifndef RESCOPE_TRACK_ALLOCATIONS
#define RESCOPE_TRACK_ALLOCATIONS 1
#endif
#if defined(__GNUC__) && !defined(__clang__)
// GCC 12 at -O2 pairs inlined std::allocator frees with the malloc inside the replaced
// operator new below and warns; the pairing is correct (new->malloc, delete->free).
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace {
std::atomic<bool> g_tracking{false};
std::atomic<size_t> g_largest{0};
}  // namespace

#if RESCOPE_TRACK_ALLOCATIONS
void* operator new(std::size_t size) {
  if (g_tracking.load(std::memory_order_relaxed)) {
    size_t seen = g_largest.load(std::memory_order_relaxed);
    while (size > seen && !g_largest.compare_exchange_weak(seen, size)) {
    }
  }
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#endif

namespace {

const fs::path kRealDir = RESCOPE_TESTDATA_DIR;

// Every input up to this size is damaged at every offset; larger ones at a spread.
#if defined(__SANITIZE_ADDRESS__)
// Sanitized builds run the same sweep on fewer offsets to stay within CI time.
constexpr size_t kEveryOffsetLimit = 512;
constexpr size_t kSpreadOffsets = 96;
#else
constexpr size_t kEveryOffsetLimit = 2048;
constexpr size_t kSpreadOffsets = 256;
#endif

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Rewrites a file in place. Not O_TRUNC: ext4 flushes a file truncated to zero on close
// (auto_da_alloc), which made the sweep wait on the disk thousands of times.
void WriteFile(const fs::path& path, const std::string& bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  REQUIRE(fd >= 0);
  const bool ok =
      ::pwrite(fd, bytes.data(), bytes.size(), 0) == static_cast<ssize_t>(bytes.size()) &&
      ::ftruncate(fd, static_cast<off_t>(bytes.size())) == 0;
  ::close(fd);
  REQUIRE(ok);
}

struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& tag)
      : path(fs::temp_directory_path() / ("rescope_" + tag + "_" + std::to_string(::getpid()))) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

// A file to damage: a bundle index (opened by its prefix) or a V1 table (opened as is).
struct Target {
  fs::path source;        // the real file
  std::string open_name;  // what to open inside the temp dir
  bool bundle = false;    // data shards "<prefix>.data-*" are staged beside it
  std::string prefix;     // may be empty (files `.index`, `.data-*`)
};

std::vector<Target> Targets() {
  static const std::regex v1_re(R"(export(-\d{5}-of-\d{5})?)");
  std::vector<Target> out;
  for (const auto& e : fs::recursive_directory_iterator(kRealDir)) {
    if (!e.is_regular_file()) continue;
    const std::string name = e.path().filename().string();
    if (name.size() >= 6 && name.compare(name.size() - 6, 6, ".index") == 0) {
      const std::string prefix = name.substr(0, name.size() - 6);
      out.push_back({e.path(), prefix, true, prefix});
    } else if (std::regex_match(name, v1_re)) {
      out.push_back({e.path(), name, false, ""});
    }
  }
  std::sort(out.begin(), out.end(),
            [](const Target& a, const Target& b) { return a.source < b.source; });
  return out;
}

// The target's file in `dir`, plus symlinks to its data shards.
fs::path Stage(const Target& t, const fs::path& dir) {
  if (t.bundle) {
    for (const auto& e : fs::directory_iterator(t.source.parent_path())) {
      const std::string name = e.path().filename().string();
      if (name.rfind(t.prefix + ".data-", 0) == 0) fs::create_symlink(e.path(), dir / name);
    }
  }
  return dir / t.source.filename();
}

std::vector<size_t> Offsets(size_t size) {
  std::set<size_t> out;
  if (size <= kEveryOffsetLimit) {
    for (size_t i = 0; i < size; ++i) out.insert(i);
  } else {
    for (size_t i = 0; i < kSpreadOffsets; ++i) out.insert(i * size / kSpreadOffsets);
    for (size_t i = 0; i < 64; ++i) {  // header entry and footer
      out.insert(i);
      out.insert(size - 1 - i);
    }
  }
  return {out.begin(), out.end()};
}

// Recomputes the stored CRC of the block at [offset, offset + size) after an edit.
void FixTrailer(std::string& file, uint64_t offset, uint64_t size) {
  const auto* p = reinterpret_cast<const uint8_t*>(file.data()) + offset;
  const uint32_t crc = crc32c::Extend(crc32c::Value(p, size), p + size, 1);
  std::string stored;
  AppendFixed32(stored, crc32c::Mask(crc));
  file.replace(offset + size + 1, 4, stored);
}

struct Tally {
  size_t runs = 0, open_errors = 0, verify_failures = 0, clean = 0;
};

// Opens the damaged copy; every outcome but a crash or a nameless error is fine.
void OpenAndVerify(const Target& t, const fs::path& dir, const std::string& what, Tally& tally) {
  ++tally.runs;
  auto c = OpenCheckpoint((dir / t.open_name).string());
  if (!c.ok()) {
    ++tally.open_errors;
    const std::string& m = c.status().message();
    if (m.find(t.source.filename().string()) == std::string::npos) {
      FAIL_CHECK(what, ": error does not name ", t.source.filename(), ": ", m);
    }
    return;
  }
  const VerifyReport r = VerifyCheckpoint(*c);
  uint64_t bytes = 0;
  for (const auto& [name, e] : c->store) {
    bytes += e.byte_size;
    (void)e.NumElements();
    (void)e.Where();
  }
  (void)bytes;
  if (r.failures.empty()) {
    ++tally.clean;
  } else {
    ++tally.verify_failures;
  }
}

size_t PeakRssKiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<size_t>(usage.ru_maxrss);
}

}  // namespace

TEST_CASE("tf corruption: truncated and flipped indexes and V1 files never crash") {
  if (!fs::is_directory(kRealDir)) {
    MESSAGE("skipped: real test data " << kRealDir.string() << " not found");
    return;
  }
  const std::vector<Target> targets = Targets();
  CHECK(targets.size() == 29);  // 27 `.index` files (3 in one folder) + 2 V1 files
  const size_t rss_before = PeakRssKiB();
  for (const Target& t : targets) {
    const std::string rel = fs::relative(t.source, kRealDir).string();
    CAPTURE(rel);
    TempDir dir("corrupt");
    const fs::path file = Stage(t, dir.path);
    const std::string original = ReadFile(t.source);
    // Locations of the data block and the index block (every real index has one data
    // block, PROVENANCE item 2).
    auto table = sstable_test::OpenBytes(original, rel);
    REQUIRE(table.ok());
    const sstable::BlockHandle data_block = table->index().at(0).handle;
    const sstable::BlockHandle index_block = table->footer().index;
    const size_t bound = std::max<size_t>(1 << 20, 64 * original.size());
    Tally truncated, flipped, refixed;
    g_largest = 0;
    g_tracking = true;
    for (size_t offset : Offsets(original.size())) {
      WriteFile(file, original.substr(0, offset));
      OpenAndVerify(t, dir.path, "truncated to " + std::to_string(offset), truncated);
    }
    for (size_t offset : Offsets(original.size())) {
      static constexpr uint8_t kPatterns[] = {0x01, 0x80, 0xff};
      std::string bad = original;
      bad[offset] = static_cast<char>(bad[offset] ^ kPatterns[offset % 3]);
      WriteFile(file, bad);
      OpenAndVerify(t, dir.path, "flipped @" + std::to_string(offset), flipped);
    }
    // Flip inside a block and fix its checksum, so the decoders behind the CRC see it.
    for (const sstable::BlockHandle& block : {data_block, index_block}) {
      for (size_t i : Offsets(block.size)) {
        std::string bad = original;
        bad[block.offset + i] = static_cast<char>(bad[block.offset + i] ^ (1 << (i % 8)));
        FixTrailer(bad, block.offset, block.size);
        WriteFile(file, bad);
        OpenAndVerify(t, dir.path,
                      "block @" + std::to_string(block.offset) + " +" + std::to_string(i) +
                          " flipped, CRC fixed",
                      refixed);
      }
    }
    g_tracking = false;
    if (RESCOPE_TRACK_ALLOCATIONS) {
      CHECK_MESSAGE(g_largest.load() <= bound, "largest allocation ", g_largest.load());
    }
    CHECK(truncated.open_errors == truncated.runs);  // a table needs its footer
    CHECK(flipped.runs > 0);
    CHECK(refixed.runs > 0);
    MESSAGE(rel, ": ", truncated.runs, " truncations; ", flipped.runs, " flips (",
            flipped.open_errors, " open errors, ", flipped.verify_failures, " verify failures, ",
            flipped.clean, " clean); ", refixed.runs, " flips with fixed CRC (",
            refixed.open_errors, " open errors, ", refixed.verify_failures, " verify failures, ",
            refixed.clean, " clean); largest allocation ", g_largest.load(), " B");
  }
  MESSAGE("peak RSS grew by ", PeakRssKiB() - rss_before, " KiB during the sweep");
}

namespace {

// A copy of half_plus_two (TF1) in a temp dir: data a=0.5 a2=0.5 b=2 c=3 c2=3.
struct HalfPlusTwoCopy {
  TempDir dir{"hp2"};
  std::string prefix = (dir.path / "variables").string();
  std::string data_path = prefix + ".data-00000-of-00001";
  HalfPlusTwoCopy() {
    const fs::path src = kRealDir / "tfserving-half-plus-two-tf1-savedmodel";
    fs::copy_file(src / "variables.index", prefix + ".index");
    fs::copy_file(src / "variables.data-00000-of-00001", data_path);
  }
};

}  // namespace

TEST_CASE("tf corruption: damaged data shards are reported by VerifyCheckpoint") {
  if (!fs::is_directory(kRealDir)) {
    MESSAGE("skipped: real test data " << kRealDir.string() << " not found");
    return;
  }
  HalfPlusTwoCopy copy;
  SUBCASE("a flipped byte inside tensor b") {
    std::string data = ReadFile(copy.data_path);
    REQUIRE(data.size() == 20);
    auto before = OpenCheckpoint(copy.prefix);
    REQUIRE(before.ok());
    const TensorEntry* b = before->store.Find("b");
    REQUIRE(b != nullptr);
    data[b->data_offset + 3] = 0x41;  // 2.0f = 00 00 00 40 -> 00 00 00 41 (8.0f)
    WriteFile(copy.data_path, data);
    auto after = OpenCheckpoint(copy.prefix);
    REQUIRE(after.ok());
    const VerifyReport r = VerifyCheckpoint(*after);
    REQUIRE(r.failures.size() == 1);
    CHECK(r.failed_entries == 1);
    CHECK(r.failures[0].name == "b");
    // Stored: crc32c(00 00 00 40) = 0x091c567b (FORMATS.md §1.2).
    const uint8_t damaged[4] = {0, 0, 0, 0x41};
    char expected[96];
    std::snprintf(expected, sizeof(expected),
                  "checksum mismatch (stored 0x091c567b, computed 0x%08x)",
                  crc32c::Value(damaged, 4));
    CHECK(r.failures[0].problem == copy.data_path + " @" + Hex(b->data_offset) + ": " + expected);
  }
  SUBCASE("a truncated shard") {
    fs::resize_file(copy.data_path, 10);
    auto c = OpenCheckpoint(copy.prefix);
    REQUIRE(c.ok());
    const VerifyReport r = VerifyCheckpoint(*c);
    // a, a2 at [0, 8) survive; b [8, 12), c, c2 run past the end.
    CHECK(r.failed_entries == 3);
    REQUIRE(r.failures.size() == 3);
    for (const VerifyFailure& f : r.failures) {
      CHECK(f.problem.find("run past end of file (0xa)") != std::string::npos);
      CHECK(f.problem.rfind(copy.data_path + ": bytes [", 0) == 0);
    }
    CHECK(r.failures[0].name == "b");
  }
  SUBCASE("an empty shard") {
    fs::resize_file(copy.data_path, 0);
    auto c = OpenCheckpoint(copy.prefix);
    REQUIRE(c.ok());
    CHECK(VerifyCheckpoint(*c).failed_entries == 5);
  }
}

TEST_CASE("tf corruption: a V1 record whose values do not decode") {
  if (!fs::is_directory(kRealDir)) {
    MESSAGE("skipped: real test data " << kRealDir.string() << " not found");
    return;
  }
  // FORMATS.md §4: Variable's record ends in TensorProto{float_val packed [0.5]}
  // = 2a 04 00 00 00 3f. Tag 2a -> 32 makes it double_val: 4 bytes cannot hold a double.
  std::string file = ReadFile(kRealDir / "tfserving-bad-half-plus-two-v1-single" / "export");
  const size_t at = file.find(sstable_test::FromHex("2a 04 00 00 00 3f"));
  REQUIRE(at != std::string::npos);
  file[at] = 0x32;
  FixTrailer(file, 0, 124);  // the data block (0, 124)
  TempDir dir("v1values");
  WriteFile(dir.path / "export", file);
  auto c = OpenCheckpoint((dir.path / "export").string());
  REQUIRE_MESSAGE(c.ok(), c.status().message());
  const VerifyReport r = VerifyCheckpoint(*c);
  REQUIRE(r.failures.size() == 1);
  CHECK(r.failures[0].name == "Variable");
  // The decoder's error, not a range error against the 0 bytes that failed to decode.
  CHECK(r.failures[0].problem == (dir.path / "export").string() +
                                     ": tensor \"Variable\": packed values @0x0: value: "
                                     "truncated (need 8 bytes, 4 left)");
}
