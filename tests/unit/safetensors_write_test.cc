// SPDX-License-Identifier: Apache-2.0
// Tests of the safetensors writer: reference layout and padding (FORMATS.md §6.4), byte-
// identical round trips of the real files, header-only pass-through for renames, sharding
// with an index, unsupported dtypes, and an independent check of written files by the
// stdlib-only tests/tools/safetensors_check.py.
#include <doctest/doctest.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "formats/mapped_file.h"
#include "formats/safetensors/safetensors_reader.h"
#include "formats/safetensors/safetensors_writer.h"
#include "tests/unit/safetensors_test_util.h"

using namespace rescope;
using namespace rescope::safetensors;
using namespace rescope::safetensors_test;

namespace {

// Four tensors of four dtypes with hand-made bytes (little-endian):
//   a/step   I64  []    7
//   b/kernel F32  [2,3] 0,1,2,3,4,5
//   c/mask   BOOL [3]   1,0,1
//   d/half   F16  [2]   1.0, 2.0 (0x3c00, 0x4000)
std::string StepBytes() { return std::string("\x07\0\0\0\0\0\0\0", 8); }
std::string KernelBytes() {
  const float v[6] = {0, 1, 2, 3, 4, 5};
  return std::string(reinterpret_cast<const char*>(v), sizeof(v));
}
std::string MaskBytes() { return std::string("\x01\x00\x01", 3); }
std::string HalfBytes() { return std::string("\x00\x3c\x00\x40", 4); }

Checkpoint SmallCheckpoint() {
  Checkpoint c;
  c.format = "test";
  REQUIRE(c.store.Add(MemoryTensor("b/kernel", DType::kFloat32, {2, 3}, KernelBytes())).ok());
  REQUIRE(c.store.Add(MemoryTensor("a/step", DType::kInt64, {}, StepBytes())).ok());
  REQUIRE(c.store.Add(MemoryTensor("d/half", DType::kFloat16, {2}, HalfBytes())).ok());
  REQUIRE(c.store.Add(MemoryTensor("c/mask", DType::kBool, {3}, MaskBytes())).ok());
  return c;
}

// "<judge python> safetensors_check.py" lines "tensor <name> <dtype> <shape> <sha256>" by name.
std::map<std::string, std::string> PythonTensors(const std::string& output) {
  std::map<std::string, std::string> out;
  std::istringstream in(output);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("tensor ", 0) != 0) continue;
    const size_t name_end = line.find(' ', 7);
    out[line.substr(7, name_end - 7)] = line.substr(name_end + 1);
  }
  return out;
}

std::optional<Checkpoint> OpenRealOrSkip(const char* relative) {
  const std::string path = RealPath(relative);
  if (!FileExists(path)) {
    MESSAGE("skipped: " << path << " not found");
    return std::nullopt;
  }
  auto ckpt = OpenSafetensors(path);
  REQUIRE_MESSAGE(ckpt.ok(), ckpt.status().message());
  return std::move(ckpt).value();
}

// The same tensors with their bytes copied to memory, so the writer cannot pass through.
TensorStore CopyToMemory(const TensorStore& store) {
  TensorStore out;
  for (const auto& [name, e] : store) {
    REQUIRE(out.Add(MemoryTensor(name, e.dtype, e.shape, TensorBytes(e))).ok());
  }
  return out;
}

}  // namespace

TEST_CASE("safetensors write: reference order, compact header, space padding, metadata") {
  TempDir tmp;
  const Checkpoint src = SmallCheckpoint();
  WriteOptions options;
  options.metadata = {{"format", "pt"}};
  auto written = WriteSafetensors(src, src.store, tmp / "small.safetensors", options);
  REQUIRE_MESSAGE(written.ok(), written.status().message());
  CHECK(*written == std::vector<std::string>{tmp / "small.safetensors"});

  // Widest dtype first (I64, F32, F16, BOOL), then by name; 273 bytes of JSON + 7 spaces.
  const std::string json =
      "{\"__metadata__\":{\"format\":\"pt\"},"
      "\"a/step\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[0,8]},"
      "\"b/kernel\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[8,32]},"
      "\"d/half\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[32,36]},"
      "\"c/mask\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[36,39]}}";
  REQUIRE(json.size() == 273);
  const std::string expected =
      Pack(json + std::string(7, ' '), StepBytes() + KernelBytes() + HalfBytes() + MaskBytes());
  CHECK(ReadFileBytes(tmp / "small.safetensors") == expected);

  auto back = OpenSafetensors(tmp / "small.safetensors");
  REQUIRE_MESSAGE(back.ok(), back.status().message());
  CHECK(back->store.size() == 4);
  CHECK(TensorBytes(*back->store.Find("b/kernel")) == KernelBytes());
  CHECK(back->store.Find("d/half")->dtype == DType::kFloat16);
  CHECK(back->properties.back() == std::pair<std::string, std::string>{"metadata.format", "pt"});

  // Independent reader: sha256 values computed with python hashlib from the bytes above,
  // e.g. hashlib.sha256(struct.pack("<6f", 0, 1, 2, 3, 4, 5)).hexdigest().
  auto py = RunPythonCheck({tmp / "small.safetensors"});
  if (!py) {
    MESSAGE("skipped: judge python " RESCOPE_JUDGE_PYTHON " not available");
    return;
  }
  CHECK(
      *py ==
      "file small.safetensors header_length 280 padded yes\n"
      "metadata {\"format\": \"pt\"}\n"
      "tensor a/step I64 scalar aae89fc0f03e2959ae4d701a80cc3915918c950b159f6abb6c92c1433b1a8534\n"
      "tensor b/kernel F32 2,3 e2c0a71510b5394df7773b63fb5f54372b84c3564e67811bde7d665be227976d\n"
      "tensor d/half F16 2 6b60ada811679b7b8aeee509afcdd89fde521eef8c3686639eb8c923d109c639\n"
      "tensor c/mask BOOL 3 85f90dfea1d8027e1463e5ca971a250110a20df0119d204a74220bc63516d15b\n");
}

TEST_CASE("safetensors write: real files come back byte for byte") {
  // All four valid real files follow the reference layout (PROVENANCE.md Part 2, note 6), so
  // both the header-only pass-through and the streaming writer must reproduce them exactly.
  for (const char* rel : {kMultiLayer, kJfkCodes, kVoices, kNumpyF64}) {
    CAPTURE(rel);
    auto src = OpenRealOrSkip(rel);
    if (!src) continue;
    const std::string original = ReadFileBytes(RealPath(rel));
    TempDir tmp;
    auto pass = WriteSafetensors(*src, src->store, tmp / "pass.safetensors", {});
    REQUIRE_MESSAGE(pass.ok(), pass.status().message());
    CHECK(ReadFileBytes(tmp / "pass.safetensors") == original);
    auto streamed =
        WriteSafetensors(*src, CopyToMemory(src->store), tmp / "stream.safetensors", {});
    REQUIRE_MESSAGE(streamed.ok(), streamed.status().message());
    CHECK(ReadFileBytes(tmp / "stream.safetensors") == original);
  }
}

TEST_CASE("safetensors write: rename rewrites only the header and keeps the data area") {
  auto src = OpenRealOrSkip(kMultiLayer);
  if (!src) return;
  TensorStore renamed;
  for (const auto& [name, e] : src->store) {
    TensorEntry copy = e;
    if (name.rfind("conv1.", 0) == 0) copy.Rename("zconv." + name.substr(6));
    REQUIRE(renamed.Add(copy).ok());
  }
  TempDir tmp;
  auto written = WriteSafetensors(*src, renamed, tmp / "renamed.safetensors", {});
  REQUIRE_MESSAGE(written.ok(), written.status().message());
  const std::string original = ReadFileBytes(RealPath(kMultiLayer));
  const std::string out = ReadFileBytes(tmp / "renamed.safetensors");
  // "conv1." -> "zconv." keeps every name's length: same header length, same data area.
  REQUIRE(out.size() == original.size());
  CHECK(out.substr(8 + 648) == original.substr(8 + 648));
  // The source's buffer order is kept (reference order would put zconv.* after norm1.*).
  const std::string header = out.substr(8, 648);
  CHECK(header.find("\"zconv.bias\"") < header.find("\"fc1.bias\""));
  auto back = OpenSafetensors(tmp / "renamed.safetensors");
  REQUIRE_MESSAGE(back.ok(), back.status().message());
  CHECK(back->store.Find("conv1.bias") == nullptr);
  CHECK(TensorBytes(*back->store.Find("zconv.weight")) ==
        TensorBytes(*src->store.Find("conv1.weight")));

  // Dropping a tensor changes the data area: streamed in reference order instead.
  TensorStore dropped = renamed;
  REQUIRE(dropped.Remove("fc1.weight"));
  auto smaller = WriteSafetensors(*src, dropped, tmp / "dropped.safetensors", {});
  REQUIRE_MESSAGE(smaller.ok(), smaller.status().message());
  auto reread = OpenSafetensors(tmp / "dropped.safetensors");
  REQUIRE_MESSAGE(reread.ok(), reread.status().message());
  CHECK(reread->store.size() == 8);
  CHECK(reread->store.Find("zconv.bias")->data_offset >
        reread->store.Find("norm1.weight")->data_offset);
}

TEST_CASE("safetensors write: sharded output with an index, read back across shards") {
  TempDir tmp;
  const Checkpoint src = SmallCheckpoint();
  WriteOptions options;
  options.max_shard_size = 24;
  // Name order with the Hugging Face greedy split at 24 bytes:
  //   a/step (8) | b/kernel (24) | c/mask (3) + d/half (4)
  auto written = WriteSafetensors(src, src.store, tmp / "out/model.safetensors", options);
  REQUIRE_MESSAGE(written.ok(), written.status().message());
  CHECK(*written == std::vector<std::string>{tmp / "out/model-00001-of-00003.safetensors",
                                             tmp / "out/model-00002-of-00003.safetensors",
                                             tmp / "out/model-00003-of-00003.safetensors",
                                             tmp / "out/model.safetensors.index.json"});
  // Python: json.dumps({...}, indent=2, sort_keys=True) + "\n".
  CHECK(ReadFileBytes(tmp / "out/model.safetensors.index.json") ==
        "{\n"
        "  \"metadata\": {\n"
        "    \"total_size\": 39\n"
        "  },\n"
        "  \"weight_map\": {\n"
        "    \"a/step\": \"model-00001-of-00003.safetensors\",\n"
        "    \"b/kernel\": \"model-00002-of-00003.safetensors\",\n"
        "    \"c/mask\": \"model-00003-of-00003.safetensors\",\n"
        "    \"d/half\": \"model-00003-of-00003.safetensors\"\n"
        "  }\n"
        "}\n");
  const std::string third_json =
      "{\"d/half\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]},"
      "\"c/mask\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[4,7]}}";
  REQUIRE(third_json.size() == 118);
  CHECK(ReadFileBytes(tmp / "out/model-00003-of-00003.safetensors") ==
        Pack(third_json + std::string(2, ' '), HalfBytes() + MaskBytes()));

  for (const std::string& path : {tmp / "out/model.safetensors.index.json", tmp / "out"}) {
    auto back = OpenSafetensors(path);
    REQUIRE_MESSAGE(back.ok(), back.status().message());
    CHECK(back->store.size() == 4);
    CHECK(back->store.Find("a/step")->shard == 0);
    CHECK(back->store.Find("c/mask")->shard == 2);
    CHECK(TensorBytes(*back->store.Find("a/step")) == StepBytes());
    CHECK(TensorBytes(*back->store.Find("d/half")) == HalfBytes());
  }

  // Everything fits in one shard: a single file and no index, like Hugging Face.
  options.max_shard_size = 1000;
  auto single = WriteSafetensors(src, src.store, tmp / "one.safetensors", options);
  REQUIRE(single.ok());
  CHECK(*single == std::vector<std::string>{tmp / "one.safetensors"});
  CHECK_FALSE(fs::exists(tmp / "one.safetensors.index.json"));
}

TEST_CASE("safetensors write: a real file split into shards, checked by the Python reader") {
  auto src = OpenRealOrSkip(kMultiLayer);
  if (!src) return;
  TempDir tmp;
  WriteOptions options;
  options.max_shard_size = 1000;
  // Name order; fc1.weight (16384 bytes) is over the limit and gets a shard of its own,
  // pushed when it is met, so it comes first: [fc1.weight], [everything else: 584 bytes].
  auto written = WriteSafetensors(*src, src->store, tmp / "ml.safetensors", options);
  REQUIRE_MESSAGE(written.ok(), written.status().message());
  REQUIRE(written->size() == 3);
  auto back = OpenSafetensors(tmp / "ml.safetensors.index.json");
  REQUIRE_MESSAGE(back.ok(), back.status().message());
  CHECK(back->store.size() == 9);
  CHECK(back->store.Find("fc1.weight")->shard == 0);
  CHECK(back->store.Find("norm1.num_batches_tracked")->shard == 1);
  for (const auto& [name, e] : src->store) {
    CAPTURE(name);
    const TensorEntry* b = back->store.Find(name);
    REQUIRE(b != nullptr);
    CHECK(b->dtype == e.dtype);
    CHECK(b->shape == e.shape);
    CHECK(TensorBytes(*b) == TensorBytes(e));
  }

  // Renaming a sharded set keeps its shards and passes each data area through.
  TensorStore renamed;
  for (const auto& [name, e] : back->store) {
    TensorEntry copy = e;
    copy.Rename("model." + name);
    REQUIRE(renamed.Add(copy).ok());
  }
  auto again = WriteSafetensors(*back, renamed, tmp / "re/ml.safetensors", {});
  REQUIRE_MESSAGE(again.ok(), again.status().message());
  REQUIRE(again->size() == 3);
  for (int i = 0; i < 2; ++i) {
    auto a = OpenSafetensors((*written)[static_cast<size_t>(i)]);
    auto b = OpenSafetensors((*again)[static_cast<size_t>(i)]);
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    const auto* sa = dynamic_cast<const SafetensorsState*>(a->state.get());
    const auto* sb = dynamic_cast<const SafetensorsState*>(b->state.get());
    const std::string fa = ReadFileBytes((*written)[static_cast<size_t>(i)]);
    const std::string fb = ReadFileBytes((*again)[static_cast<size_t>(i)]);
    CHECK(fa.substr(sa->files[0].header.DataStart()) == fb.substr(sb->files[0].header.DataStart()));
  }

  // The stdlib-only Python reader sees the same tensors (sha256 of each tensor's bytes) in
  // the original file and in the shards rescope wrote.
  auto original = RunPythonCheck({RealPath(kMultiLayer)});
  auto shards = RunPythonCheck({(*written)[0], (*written)[1]});
  if (!original || !shards) {
    MESSAGE("skipped: judge python " RESCOPE_JUDGE_PYTHON " not available");
    return;
  }
  const auto expected = PythonTensors(*original);
  CHECK(expected.size() == 9);
  CHECK(PythonTensors(*shards) == expected);
  CHECK(expected.at("norm1.num_batches_tracked") ==
        "I64 scalar 7c9fa136d4413fa6173637e883b6998d32e1d675f88cddff9dcbcf331820f4b8");
}

TEST_CASE("safetensors write: tensors safetensors cannot carry are listed, nothing is written") {
  Checkpoint src;
  src.format = "test";
  REQUIRE(src.store.Add(MemoryTensor("ok", DType::kFloat32, {1}, std::string(4, '\0'))).ok());
  REQUIRE(src.store.Add(MemoryTensor("s", DType::kString, {}, "xx")).ok());
  REQUIRE(src.store.Add(MemoryTensor("q", DType::kQInt8, {2}, "ab")).ok());
  REQUIRE(src.store.Add(MemoryTensor("r", DType::kResource, {}, "")).ok());
  REQUIRE(src.store.Add(MemoryTensor("f", DType::kFloat32, {3}, "abcd")).ok());
  TempDir tmp;
  const std::string path = tmp / "x.safetensors";
  auto written = WriteSafetensors(src, src.store, path, {});
  REQUIRE_FALSE(written.ok());
  CHECK(written.status().code() == StatusCode::kNotSupported);
  CHECK(written.status().message() ==
        path +
            ": 4 tensors cannot be written as safetensors:\n"
            "  \"f\": float32 [3] is stored in 4 bytes; safetensors F32 needs 12\n"
            "  \"q\": dtype qint8 has no safetensors equivalent\n"
            "  \"r\": dtype resource has no safetensors equivalent\n"
            "  \"s\": dtype string has no safetensors equivalent");
  CHECK(fs::is_empty(tmp.str()));
  CHECK(WhyNotWritable(*src.store.Find("ok")) == std::nullopt);

  auto bad_path = WriteSafetensors(src, {}, tmp / "x.bin", {});
  CHECK(bad_path.status().message() ==
        tmp / "x.bin" + ": a safetensors output path must end in \".safetensors\"");
}

TEST_CASE("safetensors write: source metadata is kept, options add to it") {
  TempDir tmp;
  const std::string in = tmp / "in.safetensors";
  // Written by hand in reference form: metadata first, "b" before "a" is not reference
  // order for equal dtypes, so this file also checks that pass-through keeps source order.
  const std::string json =
      "{\"__metadata__\":{\"z\":\"1\",\"a\":\"2\"},"
      "\"b\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]},"
      "\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[1,2]}}";
  const std::string padded = json + std::string((8 - json.size() % 8) % 8, ' ');
  WriteFileBytes(in, Pack(padded, "BA"));
  auto src = OpenSafetensors(in);
  REQUIRE_MESSAGE(src.ok(), src.status().message());
  auto same = WriteSafetensors(*src, src->store, tmp / "same.safetensors", {});
  REQUIRE(same.ok());
  CHECK(ReadFileBytes(tmp / "same.safetensors") == ReadFileBytes(in));

  WriteOptions options;
  options.metadata = {{"a", "changed"}, {"new", "x"}};
  auto more = WriteSafetensors(*src, src->store, tmp / "more.safetensors", options);
  REQUIRE(more.ok());
  auto back = OpenSafetensors(tmp / "more.safetensors");
  REQUIRE(back.ok());
  CHECK(std::vector(back->properties.begin() + 2, back->properties.end()) ==
        std::vector<std::pair<std::string, std::string>>{
            {"metadata.z", "1"}, {"metadata.a", "changed"}, {"metadata.new", "x"}});

  options.keep_source_metadata = false;
  options.metadata.clear();
  auto none = WriteSafetensors(*src, src->store, tmp / "none.safetensors", options);
  REQUIRE(none.ok());
  CHECK(ReadFileBytes(tmp / "none.safetensors").find("__metadata__") == std::string::npos);
}

TEST_CASE("safetensors write: missing data and partitioned variables") {
  TempDir tmp;
  WriteFileBytes(tmp / "m-00001-of-00002.safetensors",
                 Pack("{\"a\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}", "z"));
  WriteFileBytes(tmp / "m.safetensors.index.json",
                 R"({"weight_map": {"a": "m-00001-of-00002.safetensors",
                                    "b": "m-00002-of-00002.safetensors"}})");
  auto src = OpenSafetensors(tmp.str());
  REQUIRE_MESSAGE(src.ok(), src.status().message());
  auto written = WriteSafetensors(*src, src->store, tmp / "out.safetensors", {});
  REQUIRE_FALSE(written.ok());
  CHECK(written.status().code() == StatusCode::kNotFound);
  CHECK(written.status().message() == tmp / "out.safetensors" + ": tensor \"b\" has no data " +
                                          "(data shard missing: " +
                                          (tmp / "m-00002-of-00002.safetensors") + ")");

  TensorEntry partitioned;
  partitioned.name = "w";
  partitioned.dtype = DType::kFloat32;
  partitioned.shape = {4};
  partitioned.kind = EntryKind::kPartitioned;
  CHECK(WhyNotWritable(partitioned) == "partitioned variable (its slices are stored separately)");
  TensorEntry reserved = MemoryTensor("__metadata__", DType::kUInt8, {1}, "x");
  CHECK(WhyNotWritable(reserved) == "the name \"__metadata__\" is reserved by safetensors");
  TensorEntry not_utf8 = MemoryTensor("bad\xff", DType::kUInt8, {1}, "x");
  CHECK(WhyNotWritable(not_utf8) == "the name is not valid UTF-8");
}
