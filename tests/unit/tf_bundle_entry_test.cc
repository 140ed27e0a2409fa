// SPDX-License-Identifier: Apache-2.0
// Tests of the bundle protos against the byte examples of FORMATS.md §1.6/§1.7/§1.10, of the
// `checkpoint` state-file parser (FORMATS.md §2), and of OpenTfBundle on generated bundles
// that real data does not cover: indexes spanning several 256 KiB blocks (plain and
// snappy) and a partitioned variable.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "formats/registry.h"
#include "formats/tf_bundle/bundle_entry.h"
#include "formats/tf_bundle/checkpoint_path.h"
#include "formats/tf_bundle/crc32c.h"
#include "formats/tf_bundle/slice_key.h"
#include "formats/tf_bundle/sstable_builder.h"
#include "formats/tf_bundle/tf_bundle_reader.h"
#include "formats/verify.h"
#include "tests/unit/sstable_test_util.h"

using namespace rescope;
using rescope::sstable_test::FromHex;
using rescope::sstable_test::ToHex;
namespace fs = std::filesystem;

namespace {

tfbundle::BundleEntry Decode(const std::string& bytes) {
  return tfbundle::DecodeBundleEntry(ByteView(std::string_view(bytes)), "t.index", "entry");
}

// Decodes `hex`, checks the fields, and re-encodes it byte for byte.
void CheckEntryRoundTrip(const std::string& hex, const tfbundle::BundleEntry& want) {
  const std::string bytes = FromHex(hex);
  const tfbundle::BundleEntry got = Decode(bytes);
  CHECK(got.dtype == want.dtype);
  CHECK(got.shape == want.shape);
  CHECK(got.shard_id == want.shard_id);
  CHECK(got.offset == want.offset);
  CHECK(got.size == want.size);
  CHECK(got.masked_crc32c == want.masked_crc32c);
  CHECK(got.slices == want.slices);
  CHECK(ToHex(tfbundle::EncodeBundleEntry(want)) == ToHex(bytes));
}

uint32_t Crc(const std::string& bytes) {
  return crc32c::Value(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

void WriteFile(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  REQUIRE(out.good());
}

// A fresh directory under the system temp dir, removed by the destructor.
struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& tag)
      : path(fs::temp_directory_path() / ("rescope_" + tag + "_" + std::to_string(::getpid()))) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

std::string HeaderBytes(int32_t shards) {
  tfbundle::BundleHeader h;
  h.num_shards = shards;
  h.version = tfbundle::VersionDef{1, 0, {}};
  return tfbundle::EncodeBundleHeader(h);
}

std::string FloatBytes(const std::vector<float>& values) {
  std::string out(values.size() * 4, '\0');
  std::memcpy(out.data(), values.data(), out.size());
  return out;
}

}  // namespace

TEST_CASE("tf bundle entry: header bytes of FORMATS.md §1.6") {
  CHECK(ToHex(HeaderBytes(1)) == "08 01 1a 02 08 01");
  CHECK(ToHex(HeaderBytes(2)) == "08 02 1a 02 08 01");
  const std::string two = FromHex("08 02 1a 02 08 01");
  const tfbundle::BundleHeader h =
      tfbundle::DecodeBundleHeader(ByteView(std::string_view(two)), "t.index", "header");
  CHECK(h.num_shards == 2);
  CHECK(h.endianness == 0);
  REQUIRE(h.version.has_value());
  CHECK(h.version->producer == 1);
  CHECK(h.version->min_consumer == 0);
}

TEST_CASE("tf bundle entry: the examples of FORMATS.md §1.7 decode and re-encode exactly") {
  SUBCASE("float32 scalar, offset 0, size 4") {
    CheckEntryRoundTrip("08 01 12 00 28 04 35 10 fd 78 4f",
                        {1, {}, false, 0, 0, 4, 0x4f78fd10u, {}});
  }
  SUBCASE("float32 [1], offset 4") {
    CheckEntryRoundTrip("08 01 12 04 12 02 08 01 20 04 28 04 35 a6 7b 11 3a",
                        {1, {1}, false, 0, 4, 4, 0x3a117ba6u, {}});
  }
  SUBCASE("int64 scalar, offset 8") {
    CheckEntryRoundTrip("08 09 12 00 20 08 28 08 35 29 03 98 07",
                        {9, {}, false, 0, 8, 8, 0x07980329u, {}});
  }
  SUBCASE("string scalar (object graph), offset 4, size 123") {
    CheckEntryRoundTrip("08 07 12 00 20 04 28 7b 35 f0 5d 2c fb",
                        {7, {}, false, 0, 4, 123, 0xfb2c5df0u, {}});
  }
  SUBCASE("string scalar \"hi\" (§1.9.2)") {
    CheckEntryRoundTrip("08 07 12 00 28 07 35 09 eb 4d 15",
                        {7, {}, false, 0, 0, 7, 0x154deb09u, {}});
  }
  SUBCASE("float32 [2,2] = {1,2,3,4} at offset 8, checksum by hand") {
    const std::string data = FromHex("00 00 80 3f 00 00 00 40 00 00 40 40 00 00 80 40");
    CHECK(data == FloatBytes({1, 2, 3, 4}));
    CHECK(Crc(data) == 0x9eba690au);
    CHECK(crc32c::Mask(0x9eba690au) == 0x7498284cu);
    CheckEntryRoundTrip("08 01 12 08 12 02 08 02 12 02 08 02 20 08 28 10 35 4c 28 98 74",
                        {1, {2, 2}, false, 0, 8, 16, 0x7498284cu, {}});
  }
  SUBCASE("partitioned w [10,20] with slices 0,5:- and 5,5:- (§1.10)") {
    CheckEntryRoundTrip(
        "08 01 12 08 12 02 08 0a 12 02 08 14"
        "3a 06 0a 02 10 05 0a 00"
        "3a 08 0a 04 08 05 10 05 0a 00",
        {1, {10, 20}, false, 0, 0, 0, std::nullopt, {{{0, 5}, {0, -1}}, {{5, 5}, {0, -1}}}});
  }
  SUBCASE("a zero dimension is an empty Dim") {
    CHECK(ToHex(tfbundle::EncodeTensorShape({2, 0, 3})) == "12 02 08 02 12 00 12 02 08 03");
  }
  SUBCASE("shard_id is field 3") {
    const tfbundle::BundleEntry e = Decode(FromHex("08 01 12 00 18 01 28 04 35 10 fd 78 4f"));
    CHECK(e.shard_id == 1);
  }
}

TEST_CASE("tf bundle entry: malformed entries fail with located messages") {
  // Field 6 (crc32c) must be fixed32; here it is a varint.
  const std::string bad_type = FromHex("08 01 12 00 30 04");
  CHECK_THROWS_AS(Decode(bad_type), FormatError);
  // A truncated shape message.
  const std::string truncated = FromHex("08 01 12 04 12 02 08");
  try {
    (void)Decode(truncated);
    FAIL("no error");
  } catch (const FormatError& e) {
    CHECK(e.status().code() == StatusCode::kCorruption);
    CHECK(e.status().message().rfind("t.index: entry", 0) == 0);
  }
  // A negative dimension.
  const std::string negative = FromHex("08 01 12 0d 12 0b 08 ff ff ff ff ff ff ff ff ff 01");
  CHECK_THROWS_AS(Decode(negative), FormatError);
}

TEST_CASE("tf bundle entry: slice keys of FORMATS.md §1.10") {
  const TensorSlice first = {{0, 5}, {0, -1}};
  const TensorSlice second = {{5, 5}, {0, -1}};
  CHECK(ToHex(tfslice::EncodeTensorNameSlice("w", first)) == "00 77 00 01 01 02 80 85 80 7f");
  CHECK(ToHex(tfslice::EncodeTensorNameSlice("w", second)) == "00 77 00 01 01 02 85 85 80 7f");
}

TEST_CASE("tf state file: ParseCheckpointState") {
  using tfbundle::ParseCheckpointState;
  SUBCASE("the two-line layout of real files") {
    auto s = ParseCheckpointState(
        "model_checkpoint_path: \"ckpt\"\nall_model_checkpoint_paths: \"ckpt\"\n", "d/checkpoint");
    REQUIRE(s.ok());
    CHECK(s->model_checkpoint_path == "ckpt");
    CHECK(s->all_model_checkpoint_paths == std::vector<std::string>{"ckpt"});
  }
  SUBCASE("CheckpointManager layout with timestamps (FORMATS.md §2)") {
    auto s = ParseCheckpointState(
        "model_checkpoint_path: \"ckpt-4\"\n"
        "all_model_checkpoint_paths: \"ckpt-2\"\n"
        "all_model_checkpoint_paths: \"ckpt-3\"\n"
        "all_model_checkpoint_paths: \"ckpt-4\"\n"
        "all_model_checkpoint_timestamps: 1718000000.123456\n"
        "all_model_checkpoint_timestamps: 1718000100.5\n"
        "all_model_checkpoint_timestamps: 1718000200.25\n"
        "last_preserved_timestamp: 1717999999.0\n",
        "checkpoint");
    REQUIRE(s.ok());
    CHECK(s->model_checkpoint_path == "ckpt-4");
    CHECK(s->all_model_checkpoint_paths == std::vector<std::string>{"ckpt-2", "ckpt-3", "ckpt-4"});
  }
  SUBCASE("escapes, single quotes, CRLF") {
    auto s = ParseCheckpointState(
        "model_checkpoint_path: \"a\\\"b\\\\c\\101\\tz\"\r\n"
        "all_model_checkpoint_paths: '/abs/x y'\r\n",
        "checkpoint");
    REQUIRE(s.ok());
    CHECK(s->model_checkpoint_path == "a\"b\\cA\tz");
    CHECK(s->all_model_checkpoint_paths == std::vector<std::string>{"/abs/x y"});
  }
  SUBCASE("\".\" is kept as written") {
    auto s = ParseCheckpointState("model_checkpoint_path: \".\"\n", "checkpoint");
    REQUIRE(s.ok());
    CHECK(s->model_checkpoint_path == ".");
  }
  SUBCASE("missing model_checkpoint_path") {
    auto s = ParseCheckpointState("all_model_checkpoint_paths: \"ckpt\"\n", "d/checkpoint");
    REQUIRE(!s.ok());
    CHECK(s.status().message() ==
          "d/checkpoint: no model_checkpoint_path in checkpoint state file");
  }
  SUBCASE("empty model_checkpoint_path") {
    CHECK(!ParseCheckpointState("model_checkpoint_path: \"\"\n", "checkpoint").ok());
  }
  SUBCASE("unquoted or unterminated value") {
    auto s = ParseCheckpointState("model_checkpoint_path: ckpt\n", "d/checkpoint");
    REQUIRE(!s.ok());
    CHECK(s.status().message() ==
          "d/checkpoint: line 1: model_checkpoint_path: expected a quoted string, found ckpt");
    CHECK(!ParseCheckpointState("model_checkpoint_path: \"ckpt\\\"\n", "checkpoint").ok());
  }
}

namespace {

// Writes PREFIX.index + PREFIX.data-00000-of-00001: `count` float32 tensors
// "model/block_<i/100>/layer_<i%100>/kernel" of shape [i%3+1], element j = i + j/8.
void WriteManyTensorBundle(const std::string& prefix, int count, sstable::Compression compression) {
  sstable::BuilderOptions options;
  options.compression = compression;
  sstable::TableBuilder table(options);
  REQUIRE(table.Add("", HeaderBytes(1)).ok());
  std::string data;
  char name[64];
  for (int i = 0; i < count; ++i) {
    std::snprintf(name, sizeof(name), "model/block_%03d/layer_%02d/kernel", i / 100, i % 100);
    std::vector<float> values(static_cast<size_t>(i % 3 + 1));
    for (size_t j = 0; j < values.size(); ++j) values[j] = static_cast<float>(i) + j / 8.0f;
    const std::string bytes = FloatBytes(values);
    tfbundle::BundleEntry e;
    e.dtype = 1;
    e.shape = {static_cast<int64_t>(values.size())};
    e.offset = static_cast<int64_t>(data.size());
    e.size = static_cast<int64_t>(bytes.size());
    e.masked_crc32c = crc32c::Mask(Crc(bytes));
    REQUIRE(table.Add(name, tfbundle::EncodeBundleEntry(e)).ok());
    data += bytes;
  }
  WriteFile(prefix + ".data-00000-of-00001", data);
  WriteFile(prefix + ".index", table.Finish());
}

void CheckManyTensorBundle(const std::string& prefix, int count, bool snappy) {
  auto opened = tfbundle::OpenTfBundle(prefix);
  REQUIRE_MESSAGE(opened.ok(), opened.status().message());
  const Checkpoint& c = *opened;
  const auto* state = dynamic_cast<const tfbundle::TfBundleState*>(c.state.get());
  REQUIRE(state != nullptr);
  CHECK(state->index_data_blocks >= 3);  // ~30 bytes per entry, 256 KiB blocks
  CHECK(state->index_snappy == snappy);
  REQUIRE(c.store.size() == static_cast<size_t>(count));
  uint64_t offset = 0;
  char name[64];
  std::vector<uint8_t> scratch;
  for (int i = 0; i < count; ++i) {
    std::snprintf(name, sizeof(name), "model/block_%03d/layer_%02d/kernel", i / 100, i % 100);
    const TensorEntry* e = c.store.Find(name);
    REQUIRE_MESSAGE(e != nullptr, name);
    const uint64_t n = static_cast<uint64_t>(i % 3 + 1);
    const bool ok = e->dtype == DType::kFloat32 && e->shape == std::vector<int64_t>{int64_t(n)} &&
                    e->byte_size == 4 * n && e->data_offset == offset && e->shard == 0;
    REQUIRE_MESSAGE(ok, name);
    auto bytes = e->data->Read(e->data_offset, 4, scratch);
    REQUIRE(bytes.ok());
    float first = 0;
    std::memcpy(&first, bytes->data, 4);
    REQUIRE(first == static_cast<float>(i));
    offset += 4 * n;
  }
  const VerifyReport r = VerifyCheckpoint(c);
  CHECK(r.failures.empty());
  CHECK(r.checksummed == static_cast<uint64_t>(count));
}

}  // namespace

TEST_CASE("tf bundle synthetic: an index spanning several blocks") {
  TempDir dir("multiblock");
  constexpr int kCount = 30000;
  SUBCASE("uncompressed") {
    const std::string prefix = (dir.path / "plain").string();
    WriteManyTensorBundle(prefix, kCount, sstable::Compression::kNone);
    CheckManyTensorBundle(prefix, kCount, false);
  }
  SUBCASE("snappy") {
    const std::string prefix = (dir.path / "snappy").string();
    WriteManyTensorBundle(prefix, kCount, sstable::Compression::kSnappy);
    CheckManyTensorBundle(prefix, kCount, true);
  }
}

TEST_CASE("tf bundle synthetic: a partitioned variable (FORMATS.md §1.10 example)") {
  TempDir dir("partitioned");
  const std::string prefix = (dir.path / "part").string();
  const TensorSlice first = {{0, 5}, {0, -1}};
  const TensorSlice second = {{5, 5}, {0, -1}};
  std::vector<float> values(200);
  for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<float>(i);
  const std::string data = FloatBytes(values);
  sstable::TableBuilder table;
  REQUIRE(table.Add("", HeaderBytes(1)).ok());
  for (int s = 0; s < 2; ++s) {
    const std::string bytes = data.substr(static_cast<size_t>(s) * 400, 400);
    tfbundle::BundleEntry e;
    e.dtype = 1;
    e.shape = {5, 20};
    e.offset = s * 400;
    e.size = 400;
    e.masked_crc32c = crc32c::Mask(Crc(bytes));
    const std::string key = tfslice::EncodeTensorNameSlice("w", s == 0 ? first : second);
    REQUIRE(table.Add(key, tfbundle::EncodeBundleEntry(e)).ok());
  }
  tfbundle::BundleEntry full;
  full.dtype = 1;
  full.shape = {10, 20};
  full.slices = {first, second};
  REQUIRE(table.Add("w", tfbundle::EncodeBundleEntry(full)).ok());
  WriteFile(prefix + ".data-00000-of-00001", data);
  WriteFile(prefix + ".index", table.Finish());

  auto opened = OpenCheckpoint(prefix);
  REQUIRE_MESSAGE(opened.ok(), opened.status().message());
  const Checkpoint& c = *opened;
  REQUIRE(c.store.size() == 3);
  const TensorEntry* w = c.store.Find("w");
  REQUIRE(w != nullptr);
  CHECK(w->kind == EntryKind::kPartitioned);
  CHECK(w->dtype == DType::kFloat32);
  CHECK(w->shape == std::vector<int64_t>{10, 20});
  CHECK(w->slices() == std::vector<TensorSlice>{first, second});
  CHECK(SliceToString(w->slices()[0]) == "0,5:-");
  CHECK(SliceToString(w->slices()[1]) == "5,5:-");
  int slices = 0;
  for (const auto& [name, e] : c.store) {
    if (e.kind != EntryKind::kSlice) continue;
    ++slices;
    CHECK(e.partitioned_name() == "w");
    CHECK(e.shape == std::vector<int64_t>{5, 20});
    CHECK(e.byte_size == 400);
    CHECK(e.data_offset == (name == tfslice::EncodeTensorNameSlice("w", first) ? 0u : 400u));
  }
  CHECK(slices == 2);
  const VerifyReport r = VerifyCheckpoint(c);
  CHECK(r.failures.empty());
  CHECK(r.checked == 2);  // the slices; the full entry holds no bytes
}

TEST_CASE("tf bundle synthetic: num_shards beyond what the index can justify") {
  TempDir dir("shards");
  const std::string prefix = (dir.path / "many").string();
  auto build = [&](int32_t shards) {
    tfbundle::BundleHeader h;
    h.num_shards = shards;
    h.version = tfbundle::VersionDef{1, 0, {}};
    sstable::TableBuilder table;
    REQUIRE(table.Add("", tfbundle::EncodeBundleHeader(h)).ok());
    REQUIRE(table.Add("v", FromHex("08 01 12 00 28 04 35 10 fd 78 4f")).ok());
    const std::string bytes = table.Finish();
    WriteFile(prefix + ".index", bytes);
    return bytes.size();
  };
  const size_t size = build(1 << 20);
  auto r = tfbundle::OpenTfBundle(prefix);
  REQUIRE(!r.ok());
  CHECK(r.status().message() == prefix + ".index: bundle header: num_shards 1048576 out of " +
                                    "range (expected 1..1024 for a " + std::to_string(size) +
                                    "-byte index)");
  build(1024);  // the floor: still opened, every shard listed as missing
  auto ok = tfbundle::OpenTfBundle(prefix);
  REQUIRE_MESSAGE(ok.ok(), ok.status().message());
  CHECK(ok->files.size() == 1025);
}

TEST_CASE("tf state file: a step beyond int64 is not a crash") {
  TempDir dir("bigstep");
  WriteFile(dir.path / "checkpoint", "model_checkpoint_path: \"ckpt-99999999999999999999\"\n");
  auto r = OpenCheckpoint(dir.path.string(), {3});
  REQUIRE(!r.ok());
  CHECK(r.status().code() == StatusCode::kInvalidArgument);
  CHECK(r.status().message() == (dir.path / "checkpoint").string() +
                                    ": no checkpoint for step 3; listed:\n"
                                    "  ckpt-99999999999999999999");
}

TEST_CASE("tf bundle synthetic: OpenTfBundleIndex on the 117-byte index of FORMATS.md §1.3.8") {
  const std::string index = FromHex(
      "00 00 06 08 01 1a 02 08 01 00 01 0b 76 08 01 12 00 28 04 35 10 fd 78 4f"
      "00 00 00 00 01 00 00 00 00 8b a8 62 91"
      "00 00 00 00 01 00 00 00 00 c0 f2 a1 b0"
      "00 01 02 77 00 20 00 00 00 00 01 00 00 00 00 3e 1e a4 62"
      "25 08 32 0e 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
      "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"
      "57 fb 80 8b 24 75 47 db");
  REQUIRE(index.size() == 117);
  TempDir dir("example");
  const std::string prefix = (dir.path / "v").string();
  auto source = std::make_shared<MemoryByteSource>(
      "v.index", std::vector<uint8_t>(index.begin(), index.end()));
  SUBCASE("without its data file") {
    auto c = tfbundle::OpenTfBundleIndex(source, prefix);
    REQUIRE_MESSAGE(c.ok(), c.status().message());
    REQUIRE(c->store.size() == 1);
    const TensorEntry* v = c->store.Find("v");
    REQUIRE(v != nullptr);
    CHECK(v->dtype == DType::kFloat32);
    CHECK(v->shape.empty());
    CHECK(v->byte_size == 4);
    CHECK(v->stored_crc32c == 0x091c567bu);  // Unmask(0x4f78fd10), FORMATS.md §1.2
    CHECK(v->data == nullptr);
    CHECK(v->data_error() == "data shard missing: " + prefix + ".data-00000-of-00001");
  }
  SUBCASE("with the data file 00 00 00 40 (2.0)") {
    WriteFile(prefix + ".data-00000-of-00001", FromHex("00 00 00 40"));
    auto c = tfbundle::OpenTfBundleIndex(source, prefix);
    REQUIRE(c.ok());
    const VerifyReport r = VerifyCheckpoint(*c);
    CHECK(r.failures.empty());
    CHECK(r.checksummed == 1);
  }
}
