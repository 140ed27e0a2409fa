// SPDX-License-Identifier: Apache-2.0
// Tests of the TF table layer: CRC-32C, blocks, separators, the byte-exact TableBuilder,
// multi-block tables and the FORMATS.md §1.3.8 worked example.
#include <doctest/doctest.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <utility>
#include <vector>

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

namespace {

// FORMATS.md §1.3.8, typed in from the document.
const char* const kExampleHex =
    "00 00 06 08 01 1a 02 08 01"
    "00 01 0b 76"
    "08 01 12 00 28 04 35 10 fd 78 4f"
    "00 00 00 00 01 00 00 00"
    "00 8b a8 62 91"
    "00 00 00 00 01 00 00 00 00 c0 f2 a1 b0"
    "00 01 02 77 00 20"
    "00 00 00 00 01 00 00 00"
    "00 3e 1e a4 62"
    "25 08 32 0e 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
    "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
    "57 fb 80 8b 24 75 47 db";

const std::string kHeaderValue = FromHex("08 01 1a 02 08 01");
const std::string kEntryValue = FromHex("08 01 12 00 28 04 35 10 fd 78 4f");

std::string BuildTable(const KeyValues& entries, BuilderOptions options = {}) {
  TableBuilder builder(options);
  for (const auto& [k, v] : entries) REQUIRE(builder.Add(k, v).ok());
  return builder.Finish();
}

// Keys "key000000"..., values of `value_size` pseudo-random printable bytes (or zeros,
// which compress well).
KeyValues MakeEntries(int n, size_t value_size, bool compressible, uint32_t seed = 1) {
  std::mt19937 rng(seed);
  KeyValues out;
  out.reserve(n);
  char key[32];
  for (int i = 0; i < n; ++i) {
    std::snprintf(key, sizeof(key), "key%06d", i);
    std::string value(value_size, 'x');
    for (auto& c : value) c = compressible ? 'a' + (rng() % 2) : static_cast<char>(rng());
    out.emplace_back(key, std::move(value));
  }
  return out;
}

void CheckRoundTrip(const KeyValues& entries, const BuilderOptions& options, size_t min_blocks) {
  const std::string bytes = BuildTable(entries, options);
  auto reader = OpenBytes(bytes, "multi.index");
  REQUIRE(reader.ok());
  CHECK(reader->num_data_blocks() >= min_blocks);
  CHECK(ReadAll(*reader) == entries);
  // Each Get reads and verifies a whole block: sample the big tables more sparsely.
  const size_t stride = entries.size() > 5000 ? 97 : 7;
  for (size_t i = 0; i < entries.size(); i += stride) {
    auto got = reader->Get(entries[i].first);
    REQUIRE(got.ok());
    REQUIRE(got->has_value());
    CHECK(**got == entries[i].second);
    // A key just after entries[i] (append a byte) lies between two stored keys: absent.
    auto missing = reader->Get(entries[i].first + '\0');
    REQUIRE(missing.ok());
    CHECK(!missing->has_value());
  }
  auto last = reader->Get(entries.back().first);
  REQUIRE(last.ok());
  CHECK(last->value() == entries.back().second);
  for (const char* absent : {"", "a", "key", "zzz", "\xff\xff"}) {
    auto got = reader->Get(absent);
    REQUIRE(got.ok());
    CHECK(!got->has_value());
  }
  // Index separators bracket each block's keys.
  const auto& index = reader->index();
  size_t block = 0;
  std::string previous_separator;
  size_t outside = 0;  // entries not bracketed by their block's separators
  REQUIRE(reader
              ->ForEach([&](const TableEntry& e) {
                while (block < index.size() && index[block].handle.offset != e.block_offset) {
                  previous_separator = index[block].separator;
                  ++block;
                }
                const bool inside = block < index.size() && e.key <= index[block].separator &&
                                    (block == 0 || e.key > previous_separator);
                if (!inside) ++outside;
                return Status::Ok();
              })
              .ok());
  CHECK(outside == 0);
}

}  // namespace

TEST_CASE("sstable: crc32c known vectors and masking (FORMATS.md 1.2)") {
  const std::string check = "123456789";
  const auto* p = reinterpret_cast<const uint8_t*>(check.data());
  CHECK(crc32c::Value(p, check.size()) == 0xE3069283u);
  CHECK(crc32c::ExtendPortable(0, p, check.size()) == 0xE3069283u);
  if (crc32c::HasHardware()) CHECK(crc32c::ExtendHardware(0, p, check.size()) == 0xE3069283u);
  CHECK(crc32c::Extend(crc32c::Value(p, 4), p + 4, 5) == 0xE3069283u);

  const uint8_t two[4] = {0x00, 0x00, 0x00, 0x40};  // float32 2.0
  CHECK(crc32c::Value(two, 4) == 0x091c567bu);
  CHECK(crc32c::Mask(0x091c567bu) == 0x4f78fd10u);
  CHECK(crc32c::Unmask(0x4f78fd10u) == 0x091c567bu);
  CHECK(crc32c::Mask(0) == 0xa282ead8u);
  CHECK(crc32c::Unmask(0xa282ead8u) == 0u);
}

TEST_CASE("sstable: crc32c hardware and portable agree on many lengths and alignments") {
  std::mt19937 rng(42);
  std::vector<uint8_t> buffer(5000);
  for (auto& b : buffer) b = static_cast<uint8_t>(rng());
  const bool hw = crc32c::HasHardware();
  if (!hw) MESSAGE("skipped hardware comparison: no SSE4.2");
  for (size_t align = 0; align < 16; ++align) {
    for (size_t n : {0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 63, 64, 65, 255, 1000, 4096}) {
      const uint8_t* d = buffer.data() + align;
      const uint32_t portable = crc32c::ExtendPortable(0, d, n);
      if (hw) CHECK(crc32c::ExtendHardware(0, d, n) == portable);
      // Extending in two pieces equals one pass.
      const size_t cut = n / 3;
      CHECK(crc32c::ExtendPortable(crc32c::ExtendPortable(0, d, cut), d + cut, n - cut) ==
            portable);
      if (hw) {
        CHECK(
            crc32c::ExtendHardware(crc32c::ExtendHardware(0xdeadbeef, d, cut), d + cut, n - cut) ==
            crc32c::ExtendPortable(crc32c::ExtendPortable(0xdeadbeef, d, cut), d + cut, n - cut));
      }
    }
  }
}

TEST_CASE("sstable: the 117-byte worked example is built byte for byte and read back") {
  const std::string expected = FromHex(kExampleHex);
  REQUIRE(expected.size() == 117);
  const std::string built = BuildTable({{"", kHeaderValue}, {"v", kEntryValue}});
  CHECK(ToHex(built) == ToHex(expected));

  auto reader = OpenBytes(expected, "ex.index");
  REQUIRE(reader.ok());
  CHECK(reader->num_data_blocks() == 1);
  CHECK(reader->data_compression() == Compression::kNone);
  CHECK(reader->footer().metaindex == BlockHandle{37, 8});
  CHECK(reader->footer().index == BlockHandle{50, 14});
  REQUIRE(reader->index().size() == 1);
  CHECK(reader->index()[0].separator == "w");
  CHECK(reader->index()[0].handle == BlockHandle{0, 32});
  CHECK(ReadAll(*reader) == KeyValues{{"", kHeaderValue}, {"v", kEntryValue}});

  std::vector<uint32_t> positions;
  CHECK(reader
            ->ForEach([&](const TableEntry& e) {
              positions.push_back(e.index_in_block);
              CHECK(e.block_offset == 0);
              return Status::Ok();
            })
            .ok());
  CHECK(positions == std::vector<uint32_t>{0, 1});

  CHECK(reader->Get("v")->value() == kEntryValue);
  CHECK(reader->Get("")->value() == kHeaderValue);
  CHECK(!reader->Get("w")->has_value());
  CHECK(!reader->Get("u")->has_value());
  CHECK(!reader->Get("x")->has_value());

  // A callback's error stops the iteration and comes back unchanged.
  int calls = 0;
  const Status stopped = reader->ForEach([&](const TableEntry&) {
    ++calls;
    return Status::NotFound("stop here");
  });
  CHECK(calls == 1);
  CHECK(stopped.code() == StatusCode::kNotFound);
  CHECK(stopped.message() == "stop here");
}

TEST_CASE("sstable: empty table has no data block and an empty index block") {
  TableBuilder builder;
  const std::string bytes = builder.Finish();
  // metaindex (8+5) + index (8+5) + footer 48.
  const std::string expected = FromHex(
      "00 00 00 00 01 00 00 00 00 c0 f2 a1 b0"
      "00 00 00 00 01 00 00 00 00 c0 f2 a1 b0"
      "00 08 0d 08 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
      "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
      "57 fb 80 8b 24 75 47 db");
  CHECK(ToHex(bytes) == ToHex(expected));
  auto reader = OpenBytes(bytes, "empty.index");
  REQUIRE(reader.ok());
  CHECK(reader->num_data_blocks() == 0);
  CHECK(ReadAll(*reader).empty());
  CHECK(!reader->Get("")->has_value());
}

TEST_CASE("sstable: block builder prefix compression matches FORMATS.md 1.3.2") {
  BlockBuilder block(16);
  block.Add("layer/bias", "V1");
  block.Add("layer/kernel", "V2");
  const std::string expected = FromHex("00 0a 02") + "layer/bias" + "V1" + FromHex("06 06 02") +
                               "kernel" + "V2" + FromHex("00 00 00 00 01 00 00 00");
  CHECK(ToHex(std::string(block.Finish())) == ToHex(expected));

  const Block parsed(ByteView(std::string_view(expected)), {"b", "data block", 0, 0, false});
  BlockIterator it(parsed);
  REQUIRE(it.Next());
  CHECK(it.key() == "layer/bias");
  CHECK(it.value().AsStringView() == "V1");
  REQUIRE(it.Next());
  CHECK(it.key() == "layer/kernel");
  CHECK(it.value().AsStringView() == "V2");
  CHECK(it.index() == 1);
  CHECK(!it.Next());

  BlockBuilder empty(16);
  CHECK(ToHex(std::string(empty.Finish())) == ToHex(FromHex("00 00 00 00 01 00 00 00")));
}

TEST_CASE("sstable: restart points every 16 entries") {
  // keyA, keyB, ... (40 keys, last char 'A' + i) -> "v": restart entries take
  // 3 + 4 + 1 = 8 bytes, the others share 3 bytes and take 3 + 1 + 1 = 5, so the restart
  // points are at 0, 8 + 15 * 5 = 83 and 83 + 8 + 15 * 5 = 166.
  BlockBuilder builder(16);
  std::vector<std::string> keys;
  for (int i = 0; i < 40; ++i) {
    keys.push_back("key" + std::string(1, static_cast<char>('A' + i)));
    builder.Add(keys.back(), "v");
  }
  const std::string contents(builder.Finish());
  const size_t entries = 8 * 3 + 5 * 37;
  REQUIRE(contents.size() == entries + 4 * 3 + 4);
  CHECK(ToHex(contents.substr(entries)) ==
        ToHex(FromHex("00 00 00 00 53 00 00 00 a6 00 00 00 03 00 00 00")));
  // Entry 16 is stored with shared = 0 and the whole key, entry 17 shares "key".
  CHECK(contents.substr(83, 8) == FromHex("00 04 01") + "keyQ" + "v");
  CHECK(contents.substr(91, 5) == FromHex("03 01 01") + "R" + "v");

  const Block block(ByteView(std::string_view(contents)), {"b", "data block", 0, 0, false});
  CHECK(block.num_restarts() == 3);
  BlockIterator it(block);
  size_t n = 0;
  while (it.Next()) {
    CHECK(it.key() == keys[n]);
    CHECK(it.index() == n);
    ++n;
  }
  CHECK(n == 40);
  for (size_t i = 0; i < keys.size(); ++i) {
    BlockIterator seek(block);
    REQUIRE(seek.Seek(keys[i]));
    CHECK(seek.key() == keys[i]);
  }
  BlockIterator seek(block);
  REQUIRE(seek.Seek("keyQa"));
  CHECK(seek.key() == "keyR");
  REQUIRE(seek.Seek(""));
  CHECK(seek.key() == "keyA");
  CHECK(!seek.Seek("keyi"));
}

TEST_CASE("sstable: shortest separator and short successor (FORMATS.md 1.3.4)") {
  auto separator = [](std::string start, std::string_view limit) {
    FindShortestSeparator(start, limit);
    return start;
  };
  auto successor = [](std::string key) {
    FindShortSuccessor(key);
    return key;
  };
  CHECK(successor("c2") == "d");
  CHECK(successor("variable/kernel") == "w");
  CHECK(successor("training/transformer/body/x") == "u");
  CHECK(successor("w/.ATTRIBUTES/VARIABLE_VALUE") == "x");
  CHECK(successor(FromHex("00 62 00 01 00")) == FromHex("01"));  // V1 index key
  CHECK(successor("\xff\xff") == "\xff\xff");
  CHECK(successor("\xff\x10zz") == "\xff\x11");
  CHECK(successor("") == "");

  CHECK(separator("abcd", "abzz") == "abd");
  CHECK(separator("abc", "abd") == "abc");    // c+1 == d: cannot shorten
  CHECK(separator("ab", "abc") == "ab");      // prefix: unchanged
  CHECK(separator("a\xff", "b") == "a\xff");  // a+1 == b
  CHECK(separator("\xff\x01x", "\xff\x05") == "\xff\x02");
  CHECK(separator("a", "c") == "b");
  CHECK(separator("dense/bias", "dense/kernel") == "dense/c");
}

TEST_CASE("sstable: builder rejects keys out of order and Add after Finish") {
  TableBuilder builder;
  CHECK(builder.Add("b", "1").ok());
  const Status same = builder.Add("b", "2");
  CHECK(same.code() == StatusCode::kInvalidArgument);
  CHECK(same.message() ==
        "table builder: keys must be strictly increasing (entry #1 is not greater than the "
        "previous key)");
  CHECK(builder.Add("a", "2").code() == StatusCode::kInvalidArgument);
  CHECK(builder.Add("\x80", "signed-char order would reject this").ok());
  const std::string bytes = builder.Finish();
  CHECK(builder.Add("z", "").code() == StatusCode::kInvalidArgument);
  auto reader = OpenBytes(bytes, "order.index");
  REQUIRE(reader.ok());
  CHECK(ReadAll(*reader) == KeyValues{{"b", "1"}, {"\x80", "signed-char order would reject this"}});
}

TEST_CASE("sstable: a huge entry gets a block of its own") {
  // block_size 1024: "a" (100 B) stays open; "b" (3000 B >= 2 * 1024) flushes "a" first,
  // then fills its own block; "c" starts a third block.
  BuilderOptions options;
  options.block_size = 1024;
  const KeyValues entries{{"a", std::string(100, 'x')}, {"b", std::string(3000, 'y')}, {"c", "z"}};
  auto reader = OpenBytes(BuildTable(entries, options), "huge.index");
  REQUIRE(reader.ok());
  REQUIRE(reader->num_data_blocks() == 3);
  CHECK(reader->index()[0].separator == "a");  // "a"+1 == "b": cannot shorten
  CHECK(reader->index()[1].separator == "b");
  CHECK(reader->index()[2].separator == "d");
  // Block sizes: entry header + key + value + restart array (4) + count (4); the
  // varint 3000 takes 2 bytes.
  CHECK(reader->index()[0].handle == BlockHandle{0, 3 + 1 + 100 + 8});
  CHECK(reader->index()[1].handle == BlockHandle{117, 4 + 1 + 3000 + 8});
  CHECK(reader->index()[2].handle == BlockHandle{117 + 3013 + 5, 3 + 1 + 1 + 8});
  CHECK(ReadAll(*reader) == entries);
}

TEST_CASE("sstable: multi-block tables read back completely and by Get") {
  SUBCASE("small blocks") {
    BuilderOptions options;
    options.block_size = 512;
    CheckRoundTrip(MakeEntries(2000, 20, false), options, 50);
  }
  SUBCASE("restart interval 1 and 3") {
    BuilderOptions options;
    options.block_size = 300;
    options.restart_interval = 1;
    CheckRoundTrip(MakeEntries(500, 5, false), options, 10);
    options.restart_interval = 3;
    CheckRoundTrip(MakeEntries(500, 5, false), options, 10);
  }
  SUBCASE("default 256 KiB blocks, 20000 entries of 100 bytes") {
    CheckRoundTrip(MakeEntries(20000, 100, false), BuilderOptions{}, 8);
  }
  SUBCASE("snappy") {
    BuilderOptions options;
    options.compression = Compression::kSnappy;
    const KeyValues entries = MakeEntries(6000, 100, true);  // ~660 KB raw: 3 blocks
    CheckRoundTrip(entries, options, 3);
    auto reader = OpenBytes(BuildTable(entries, options), "snappy.index");
    REQUIRE(reader.ok());
    CHECK(reader->data_compression() == Compression::kSnappy);
    options.block_size = 4096;
    CheckRoundTrip(entries, options, 100);
  }
  SUBCASE("snappy that does not pay off is stored raw") {
    BuilderOptions options;
    options.compression = Compression::kSnappy;
    const KeyValues entries = MakeEntries(3000, 100, false);  // random bytes
    auto reader = OpenBytes(BuildTable(entries, options), "raw.index");
    REQUIRE(reader.ok());
    CHECK(reader->data_compression() == Compression::kNone);
    CHECK(ReadAll(*reader) == entries);
  }
}

TEST_CASE("sstable: listing 100000 entries is fast") {
  KeyValues entries;
  char key[96];
  for (int i = 0; i < 100000; ++i) {
    std::snprintf(key, sizeof(key),
                  "model/layer_with_weights-%05d/kernel/.ATTRIBUTES/VARIABLE_VALUE", i);
    entries.emplace_back(key,
                         FromHex("08 01 12 08 12 02 08 04 12 02 08 08 28 80 01 35 10 fd 78 4f"));
  }
  auto reader = OpenBytes(BuildTable(entries), "big.index");
  REQUIRE(reader.ok());
  size_t count = 0, bytes = 0;
  const auto start = std::chrono::steady_clock::now();
  REQUIRE(reader
              ->ForEach([&](const TableEntry& e) {
                ++count;
                bytes += e.key.size() + e.value.size;
                return Status::Ok();
              })
              .ok());
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  MESSAGE("listed " << count << " entries (" << reader->num_data_blocks() << " blocks) in " << ms
                    << " ms");
  CHECK(count == entries.size());
  CHECK(ms < 1000.0);  // generous for Debug/sanitizer builds; Release is far below 100 ms
}
