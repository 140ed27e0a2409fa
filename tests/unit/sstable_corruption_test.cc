// SPDX-License-Identifier: Apache-2.0
// Tests of the TF table layer against real TF-written files (byte-identical re-encoding)
// and against damaged tables (exact messages, sweeps of truncations and byte flips).
#include <doctest/doctest.h>
#include <snappy.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "formats/mapped_file.h"
#include "formats/tf_bundle/crc32c.h"
#include "formats/tf_bundle/sstable_block.h"
#include "formats/tf_bundle/sstable_builder.h"
#include "formats/tf_bundle/sstable_format.h"
#include "formats/tf_bundle/sstable_reader.h"
#include "tests/unit/sstable_test_util.h"

using namespace rescope;
using namespace rescope::sstable;
using rescope::sstable_test::FromHex;
using rescope::sstable_test::KeyValues;
using rescope::sstable_test::OpenBytes;
using rescope::sstable_test::ReadAll;
using rescope::sstable_test::ToHex;
namespace fs = std::filesystem;

namespace {

const fs::path kRealDir = RESCOPE_TESTDATA_DIR;

// FORMATS.md §1.3.8 (117 bytes): data block (0, 32), metaindex (37, 8), index (50, 14),
// footer at 0x45.
const std::string kExample = FromHex(
    "00 00 06 08 01 1a 02 08 01 00 01 0b 76 08 01 12 00 28 04 35 10 fd 78 4f"
    "00 00 00 00 01 00 00 00 00 8b a8 62 91"
    "00 00 00 00 01 00 00 00 00 c0 f2 a1 b0"
    "00 01 02 77 00 20 00 00 00 00 01 00 00 00 00 3e 1e a4 62"
    "25 08 32 0e 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
    "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
    "57 fb 80 8b 24 75 47 db");

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Recomputes the masked CRC of the block [offset, offset + size) after an edit.
void FixTrailer(std::string& file, size_t offset, size_t size) {
  const auto* p = reinterpret_cast<const uint8_t*>(file.data());
  const uint32_t crc = crc32c::Extend(crc32c::Value(p + offset, size), p + offset + size, 1);
  std::string stored;
  AppendFixed32(stored, crc32c::Mask(crc));
  file.replace(offset + size + 1, 4, stored);
}

// A table whose single data block has exactly `contents` and trailer type `type`, indexed
// under `index_key`; `handle_suffix` is appended to the encoded block handle.
std::string TableWithRawBlock(const std::string& contents, uint8_t type,
                              std::string_view index_key = "z",
                              std::string_view handle_suffix = "") {
  std::string file = contents;
  file.push_back(static_cast<char>(type));
  file += "0000";
  FixTrailer(file, 0, contents.size());
  Footer footer;
  footer.metaindex = {file.size(), 8};
  file += FromHex("00 00 00 00 01 00 00 00 00 c0 f2 a1 b0");
  BlockBuilder index(1);
  std::string handle;
  BlockHandle{0, contents.size()}.EncodeTo(handle);
  handle += handle_suffix;
  index.Add(index_key, handle);
  const std::string index_contents(index.Finish());
  footer.index = {file.size(), index_contents.size()};
  file += index_contents + std::string(5, '\0');
  FixTrailer(file, footer.index.offset, index_contents.size());
  footer.EncodeTo(file);
  return file;
}

// The first error Open or ForEach reports, "" if both succeed.
std::string FirstError(const std::string& bytes, const std::string& name) {
  auto reader = OpenBytes(bytes, name);
  if (!reader.ok()) return reader.status().message();
  return reader->ForEach([](const TableEntry&) { return Status::Ok(); }).message();
}

bool IsRealTable(const fs::path& p) {
  const std::string name = p.filename().string();
  return name.size() >= 6 && name.compare(name.size() - 6, 6, ".index") == 0;
}

std::vector<fs::path> RealTables() {
  std::vector<fs::path> out;
  for (const auto& e : fs::recursive_directory_iterator(kRealDir)) {
    if (e.is_regular_file() && IsRealTable(e.path())) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  out.push_back(kRealDir / "tfserving-session-bundle-v1-sharded/export-00000-of-00001");
  out.push_back(kRealDir / "tfserving-bad-half-plus-two-v1-single/export");
  return out;
}

std::string Relative(const fs::path& p) { return fs::relative(p, kRealDir).string(); }

}  // namespace

TEST_CASE("sstable: exact messages for a damaged worked example") {
  REQUIRE(kExample.size() == 117);
  REQUIRE(FirstError(kExample, "ex.index").empty());

  SUBCASE("bad magic") {
    std::string bad = kExample;
    bad[116] = '\x24';
    CHECK(FirstError(bad, "ex.index") ==
          "ex.index: footer @0x45: bad magic number (expected 0xdb4775248b80fb57, found "
          "0x244775248b80fb57)");
  }
  SUBCASE("too short") {
    CHECK(FirstError(kExample.substr(0, 20), "ex.index") ==
          "ex.index: footer @0x0: file too short for a table (20 B, need at least 48)");
  }
  SUBCASE("data block checksum") {
    std::string bad = kExample;
    bad.replace(0x21, 4, std::string(4, '\0'));
    CHECK(FirstError(bad, "ex.index") ==
          "ex.index: data block @0x0 (32 B): checksum mismatch (stored " + Hex(crc32c::Unmask(0)) +
              ", computed " + Hex(crc32c::Unmask(0x9162a88bu)) + ")");
    auto reader = OpenBytes(bad, "ex.index");
    REQUIRE(reader.ok());  // data blocks are verified when read
    CHECK(reader->Get("v").status().message() == FirstError(bad, "ex.index"));
  }
  SUBCASE("index block checksum") {
    std::string bad = kExample;
    bad[0x3a] = '\x07';  // restart array of the index block
    const uint32_t computed =
        crc32c::Extend(crc32c::Value(reinterpret_cast<const uint8_t*>(bad.data()) + 0x32, 14),
                       reinterpret_cast<const uint8_t*>(bad.data()) + 0x40, 1);
    CHECK(FirstError(bad, "ex.index") ==
          "ex.index: index block @0x32 (14 B): checksum mismatch (stored " +
              Hex(crc32c::Unmask(0x62a41e3eu)) + ", computed " + Hex(computed) + ")");
  }
  SUBCASE("unknown compression type") {
    std::string bad = kExample;
    bad[0x20] = '\x02';
    FixTrailer(bad, 0, 32);
    CHECK(FirstError(bad, "ex.index") ==
          "ex.index: data block @0x0 (32 B): unknown compression type 2 (expected 0 or 1)");
  }
  SUBCASE("restart count") {
    std::string bad = kExample;
    bad[0x1c] = '\xff';
    FixTrailer(bad, 0, 32);
    CHECK(FirstError(bad, "ex.index") ==
          "ex.index: data block @0x0 (32 B): restart count 255 too large for block (at most 7)");
  }
  SUBCASE("varint inside an entry") {
    std::string bad = kExample;
    bad[0x09] = '\x80';  // shared length of entry #1 becomes 80 01 = 128
    FixTrailer(bad, 0, 32);
    CHECK(FirstError(bad, "ex.index") ==
          "ex.index: data block @0x0, entry #1 @0x9: shared length 128 exceeds previous key "
          "length (0)");
  }
  SUBCASE("value length past the entries") {
    std::string bad = kExample;
    bad[0x0b] = '\x0c';
    FixTrailer(bad, 0, 32);
    CHECK(FirstError(bad, "ex.index") ==
          "ex.index: data block @0x0, entry #1 @0x9: key delta (1 B) + value (12 B) run past end "
          "of entries (12 B left)");
  }
  SUBCASE("index handle past the footer") {
    std::string bad = kExample;
    bad[0x37] = '\x7f';
    FixTrailer(bad, 0x32, 14);
    CHECK(FirstError(bad, "ex.index") ==
          "ex.index: index block @0x32, entry #0 @0x32: data block [0x0, 0x7f) + 5-byte trailer "
          "runs past the footer @0x45");
  }
  SUBCASE("footer index handle") {
    std::string bad = kExample;
    bad[0x47] = '\x70';
    CHECK(FirstError(bad, "ex.index") ==
          "ex.index: footer @0x45: index block [0x70, 0x7e) + 5-byte trailer runs past the "
          "footer");
  }
}

TEST_CASE("sstable: exact messages for hand-made blocks") {
  const std::string restarts0 = FromHex("00 00 00 00 01 00 00 00");
  auto error = [](const std::string& contents, uint8_t type, std::string_view index_key = "z") {
    return FirstError(TableWithRawBlock(contents, type, index_key), "raw.index");
  };
  const std::string good = FromHex("00 01 01") + "a1" + restarts0;
  CHECK(error(good, 0).empty());
  CHECK(error(good, 2) ==
        "raw.index: data block @0x0 (13 B): unknown compression type 2 (expected 0 or 1)");
  CHECK(error(FromHex("80 80 80 80 08 00 61"), 1) ==
        "raw.index: data block @0x0 (7 B): snappy uncompressed length 2147483648 impossible for "
        "7 compressed bytes");
  CHECK(error(FromHex("05 00 61"), 1) == "raw.index: data block @0x0 (3 B): invalid snappy data");
  CHECK(error(FromHex("01 00"), 0) ==
        "raw.index: data block @0x0 (2 B): block too small for a restart count (2 B, need 4)");
  CHECK(error(FromHex("00 01 01") + "a1" + FromHex("00 00 00 00"), 0) ==
        "raw.index: data block @0x0 (9 B): no restart points but 5 bytes of entries");
  CHECK(error(FromHex("00 01 01") + "a1" + FromHex("02 00 00 00 01 00 00 00"), 0) ==
        "raw.index: data block @0x0 (13 B): first restart point is at 0x2 (expected 0)");
  const std::string two = FromHex("00 01 01") + "a1" + FromHex("00 01 01") + "b2";
  CHECK(error(two + FromHex("00 00 00 00 03 00 00 00 02 00 00 00"), 0) ==
        "raw.index: data block @0x0, entry #1 @0x5: restart point #1 (0x3) is not at an entry "
        "boundary");
  CHECK(error(two + FromHex("00 00 00 00 0a 00 00 00 02 00 00 00"), 0) ==
        "raw.index: data block @0x0 (22 B): restart point #1 (0xa) lies past the last entry");
  CHECK(error(FromHex("00 01 01") + "b2" + FromHex("00 01 01") + "a1" + restarts0, 0) ==
        "raw.index: data block @0x0, entry #1 @0x5: key \"a\" not greater than previous key "
        "\"b\"");
  CHECK(error(FromHex("00 05 01") + "a1" + restarts0, 0) ==
        "raw.index: data block @0x0, entry #0 @0x0: key delta (5 B) + value (1 B) run past end "
        "of entries (2 B left)");
  CHECK(error(FromHex("00 01 81") + restarts0, 0) ==
        "raw.index: data block @0x0, entry #0 @0x0: value length: truncated or bad varint32");
  CHECK(error(good, 0, "A") ==
        "raw.index: data block @0x0, entry #0 @0x0: key is greater than the block's index key");

  // Valid snappy whose uncompressed block is broken: offsets are within the uncompressed bytes.
  const std::string raw = FromHex("05 01 01") + "a1" + restarts0;
  std::string compressed;
  snappy::Compress(raw.data(), raw.size(), &compressed);
  CHECK(error(compressed, 1) ==
        "raw.index: data block @0x0, entry #0 @+0x0 (uncompressed): restart entry has shared "
        "length 5 (expected 0)");
  std::string good_compressed;
  snappy::Compress(good.data(), good.size(), &good_compressed);
  auto reader = OpenBytes(TableWithRawBlock(good_compressed, 1), "raw.index");
  REQUIRE(reader.ok());
  CHECK(reader->data_compression() == Compression::kSnappy);
  CHECK(ReadAll(*reader) == KeyValues{{"a", "1"}});
  CHECK(reader->Get("a")->value() == "1");

  // Index block problems surface at Open; the index block sits at 0x1f here.
  CHECK(FirstError(TableWithRawBlock(good, 0, "z", "x"), "raw.index") ==
        "raw.index: index block @0x1f, entry #0 @0x1f: block handle followed by 1 extra bytes");
  std::string truncated = TableWithRawBlock(good, 0);
  truncated[0x1f + 5] = '\x8d';  // handle size 0d -> 8d: varint runs off the value
  FixTrailer(truncated, 0x1f, 14);
  CHECK(FirstError(truncated, "raw.index") ==
        "raw.index: index block @0x1f, entry #0 @0x1f: block handle: truncated or over-long "
        "varint");
}

TEST_CASE("sstable: every real TF table re-encodes byte for byte") {
  if (!fs::is_directory(kRealDir)) {
    MESSAGE("skipped: " << kRealDir.string() << " not found");
    return;
  }
  const std::set<std::string> snappy_folders = {
      "tfserving-half-plus-two-tf1-savedmodel", "tfserving-half-plus-two-tf2-savedmodel",
      "tfdf-adult-rf-savedmodel-bool",          "tfranking-bert-lite-tf2-checkpoint-save-counter",
      "t5x-mtf-tiny-bf16-missing-shard1",       "swift-models-minigo-index-only"};  // PROVENANCE.md
  const std::string differs_in_snappy =
      "tfranking-bert-lite-tf2-checkpoint-save-counter/bert_lite_tf2.ckpt.index";
  int identical = 0, total = 0;
  std::string report;
  for (const fs::path& path : RealTables()) {
    const std::string rel = Relative(path);
    CAPTURE(rel);
    auto file = MappedFile::Open(path.string());
    REQUIRE(file.ok());
    auto reader = TableReader::Open(*file);
    REQUIRE_MESSAGE(reader.ok(), reader.status().message());
    Status st;
    const KeyValues entries = ReadAll(*reader, &st);
    REQUIRE_MESSAGE(st.ok(), st.message());
    CHECK(reader->num_data_blocks() == 1);  // PROVENANCE.md: every real index has one block
    const std::string folder = rel.substr(0, rel.find('/'));
    CHECK((reader->data_compression() == Compression::kSnappy) ==
          (snappy_folders.count(folder) == 1));
    for (const auto& [key, value] : entries) {
      auto got = reader->Get(key);
      REQUIRE(got.ok());
      CHECK(got->value() == value);
    }

    BuilderOptions options;
    options.compression = reader->data_compression();
    TableBuilder builder(options);
    for (const auto& [key, value] : entries) REQUIRE(builder.Add(key, value).ok());
    const std::string rebuilt = builder.Finish();
    const std::string original = ReadFile(path);
    ++total;
    if (rebuilt == original) {
      ++identical;
      report += "  identical: " + rel + "\n";
      continue;
    }
    report += "  differs:   " + rel + "\n";
    CHECK_MESSAGE(rel == differs_in_snappy, "re-encoding differs: " << rel);
    auto reread = OpenBytes(rebuilt, "rebuilt");
    REQUIRE(reread.ok());
    CHECK(ReadAll(*reread) == entries);
    CHECK(reread->data_compression() == Compression::kSnappy);
  }
  MESSAGE(identical << " of " << total << " real tables re-encode byte for byte:\n" << report);
  CHECK(total >= 23);
  CHECK(identical >= total - 1);
}

TEST_CASE("sstable: real tables with known content") {
  if (!fs::is_directory(kRealDir)) {
    MESSAGE("skipped: " << kRealDir.string() << " not found");
    return;
  }
  SUBCASE("V1 sharded export (FORMATS.md section 4)") {
    auto file = MappedFile::Open((kRealDir / "tfserving-session-bundle-v1-sharded/"
                                             "export-00000-of-00001")
                                     .string());
    REQUIRE(file.ok());
    auto reader = TableReader::Open(*file);
    REQUIRE(reader.ok());
    CHECK(reader->footer().metaindex == BlockHandle{89, 8});
    CHECK(reader->footer().index == BlockHandle{102, 14});
    REQUIRE(reader->index().size() == 1);
    CHECK(reader->index()[0].separator == FromHex("01"));
    CHECK(reader->index()[0].handle == BlockHandle{0, 84});
    const KeyValues entries = ReadAll(*reader);
    REQUIRE(entries.size() == 3);
    CHECK(entries[0].first.empty());
    CHECK(entries[1].first == FromHex("00 61 00 01 00"));
    CHECK(entries[2].first == FromHex("00 62 00 01 00"));
    CHECK(ToHex(entries[2].second) == "12 0d 0a 01 62 12 00 1a 06 2a 04 00 00 00 40");
  }
  SUBCASE("V1 single export") {
    auto file =
        MappedFile::Open((kRealDir / "tfserving-bad-half-plus-two-v1-single/export").string());
    REQUIRE(file.ok());
    auto reader = TableReader::Open(*file);
    REQUIRE(reader.ok());
    CHECK(reader->index()[0].handle == BlockHandle{0, 124});
    const KeyValues entries = ReadAll(*reader);
    REQUIRE(entries.size() == 3);
    CHECK(entries[1].first == FromHex("00") + "Variable" + FromHex("00 01 00"));
    CHECK(entries[2].first == FromHex("00") + "Variable_1" + FromHex("00 01 00"));
  }
  SUBCASE("t2t: 251 entries in one block with 16 restart points") {
    const std::string path = (kRealDir / "t2t-transformer-2shard-adam/model.ckpt-1.index").string();
    auto file = MappedFile::Open(path);
    REQUIRE(file.ok());
    auto reader = TableReader::Open(*file);
    REQUIRE(reader.ok());
    CHECK(ReadAll(*reader).size() == 251);
    std::vector<uint8_t> scratch;
    std::string decompressed;
    const BlockHandle h = reader->index()[0].handle;
    const BlockContents contents =
        ReadBlock(**file, h, (*file)->size() - kFooterSize, "data block", scratch, decompressed);
    const Block block(contents.view, {path, "data block", h.offset, h.size, false});
    CHECK(block.num_restarts() == 16);
    CHECK(reader->index()[0].separator == "u");  // after "training/..."
  }
}

namespace {

// Checks the shape every corruption message must have: file name first, then a location.
void CheckLocated(const std::string& message, const std::string& name) {
  CAPTURE(message);
  CHECK(message.rfind(name + ": ", 0) == 0);
  CHECK(message.find(" @") != std::string::npos);
}

struct Regions {
  BlockHandle data, metaindex, index;
  uint64_t footer = 0;
  bool InBlock(const BlockHandle& h, uint64_t off) const {
    return off >= h.offset && off < h.offset + h.size + kBlockTrailerSize;
  }
};

void SweepRealTable(const std::string& rel) {
  const fs::path path = kRealDir / rel;
  const std::string original = ReadFile(path);
  REQUIRE(original.size() > kFooterSize);
  auto reader = OpenBytes(original, rel);
  REQUIRE(reader.ok());
  const KeyValues expected = ReadAll(*reader);
  REQUIRE(!expected.empty());
  const Regions regions{reader->index()[0].handle, reader->footer().metaindex,
                        reader->footer().index, original.size() - kFooterSize};
  const size_t size = original.size();
  const size_t step = std::max<size_t>(1, size / 250);  // every byte of small files
  auto wanted = [&](size_t i) { return i % step == 0 || i + 64 > size; };

  for (size_t length = 0; length < size; ++length) {
    if (!wanted(length)) continue;
    CAPTURE(length);
    const std::string error = FirstError(original.substr(0, length), rel);
    REQUIRE(!error.empty());
    CheckLocated(error, rel);
  }
  for (size_t off = 0; off < size; ++off) {
    if (!wanted(off)) continue;
    for (const uint8_t mask : {0xff, 0x01, 0x80}) {
      CAPTURE(off);
      CAPTURE(int{mask});
      std::string bad = original;
      bad[off] = static_cast<char>(bad[off] ^ mask);
      auto damaged = OpenBytes(bad, rel);
      Status st = damaged.status();
      KeyValues got;
      if (damaged.ok()) got = ReadAll(*damaged, &st);
      if (!st.ok()) {
        CheckLocated(st.message(), rel);
        // The metaindex is never read (as in TF) and the footer padding is not checked.
        CHECK(!regions.InBlock(regions.metaindex, off));
        continue;
      }
      CHECK(got == expected);  // an undetected change must not alter the content
      const bool protected_byte = regions.InBlock(regions.data, off) ||
                                  regions.InBlock(regions.index, off) || off + 8 >= size;
      CHECK_MESSAGE(!protected_byte, "undetected change at " << Hex(off));
    }
  }
  // Past the checksum: edit data block bytes and recompute the CRC, so the block decoder
  // (and snappy validation) sees the damage.
  const BlockHandle& h = regions.data;
  for (size_t off = h.offset; off < h.offset + h.size; ++off) {
    if (!wanted(off)) continue;
    for (const uint8_t mask : {0xff, 0x01, 0x80, 0x7f}) {
      std::string bad = original;
      bad[off] = static_cast<char>(bad[off] ^ mask);
      FixTrailer(bad, h.offset, h.size);
      const std::string error = FirstError(bad, rel);
      if (!error.empty()) CheckLocated(error, rel);
    }
  }
}

}  // namespace

TEST_CASE("sstable: truncated and damaged real tables fail cleanly") {
  if (!fs::is_directory(kRealDir)) {
    MESSAGE("skipped: " << kRealDir.string() << " not found");
    return;
  }
  SUBCASE("snappy TF2 index") {
    SweepRealTable("tfserving-half-plus-two-tf2-savedmodel/variables.index");
  }
  SUBCASE("snappy TF1 index") { SweepRealTable("swift-models-minigo-index-only/minigo.index"); }
  SUBCASE("251-entry index") { SweepRealTable("t2t-transformer-2shard-adam/model.ckpt-1.index"); }
  SUBCASE("V1 table") {
    SweepRealTable("tfserving-session-bundle-v1-sharded/export-00000-of-00001");
  }
}
