// SPDX-License-Identifier: Apache-2.0
// Tests of the safetensors reader: the real files of shared/testdata/real (PROVENANCE.md
// Part 2), every header validation rule with its exact message, sniffing, directories and
// sharded index sets.
//
// Expected names, dtypes, shapes and offsets come from PROVENANCE.md and from reading each
// header independently with
//   python3 -c 'import json,struct,sys; b=open(sys.argv[1],"rb").read();
//     n=struct.unpack("<Q",b[:8])[0]; print(n, json.loads(b[8:8+n]))' FILE
// and the values from python struct, e.g. for conv1.bias of multi_layer:
//   struct.unpack_from("<4f", b, 8 + 648 + 8)  -> (0.13191646337509155, ...)
#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "formats/mapped_file.h"
#include "formats/safetensors/safetensors_header.h"
#include "formats/safetensors/safetensors_index.h"
#include "formats/safetensors/safetensors_reader.h"
#include "tests/unit/safetensors_test_util.h"

using namespace rescope;
using namespace rescope::safetensors;
using namespace rescope::safetensors_test;

namespace {

struct Expected {
  const char* name;
  DType dtype;
  std::vector<int64_t> shape;
  uint64_t begin, end;
};

// Opens a real file, or returns nullopt after a visible skip message.
std::optional<Checkpoint> OpenReal(const char* relative) {
  const std::string path = RealPath(relative);
  if (!FileExists(path)) {
    MESSAGE("skipped: " << path << " not found");
    return std::nullopt;
  }
  auto ckpt = OpenSafetensors(path);
  REQUIRE_MESSAGE(ckpt.ok(), ckpt.status().message());
  return std::move(ckpt).value();
}

void CheckEntries(const Checkpoint& ckpt, uint64_t header_length,
                  const std::vector<Expected>& expected) {
  CHECK(ckpt.format == "safetensors");
  REQUIRE(ckpt.store.size() == expected.size());
  for (const Expected& x : expected) {
    CAPTURE(x.name);
    const TensorEntry* e = ckpt.store.Find(x.name);
    REQUIRE(e != nullptr);
    CHECK(e->dtype == x.dtype);
    CHECK(e->shape == x.shape);
    CHECK(e->byte_size == x.end - x.begin);
    CHECK(e->data_offset == 8 + header_length + x.begin);
    CHECK(e->data != nullptr);
  }
  const auto* state = dynamic_cast<const SafetensorsState*>(ckpt.state.get());
  REQUIRE(state != nullptr);
  CHECK(state->files.at(0).header.length == header_length);
}

template <typename T>
T Element(const TensorEntry& e, size_t index) {
  const std::string bytes = TensorBytes(e);
  REQUIRE(bytes.size() >= (index + 1) * sizeof(T));
  T v;
  std::memcpy(&v, bytes.data() + index * sizeof(T), sizeof(T));  // host is little-endian
  return v;
}

// The error message of parsing `bytes` as "t.safetensors".
std::string ParseError(const std::string& bytes) {
  auto h = ParseHeader(*Source(bytes));
  if (h.ok()) return "(parsed fine)";
  return h.status().message();
}

std::string Entry(const char* name, const char* dtype, const char* shape, uint64_t b, uint64_t e) {
  return "\"" + std::string(name) + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape +
         ",\"data_offsets\":[" + std::to_string(b) + "," + std::to_string(e) + "]}";
}

}  // namespace

TEST_CASE("safetensors: burn multi_layer (PyTorch state_dict via safetensors.torch)") {
  auto ckpt = OpenReal(kMultiLayer);
  if (!ckpt) return;
  CheckEntries(*ckpt, 648,
               {{"norm1.num_batches_tracked", DType::kInt64, {}, 0, 8},
                {"conv1.bias", DType::kFloat32, {4}, 8, 24},
                {"conv1.weight", DType::kFloat32, {4, 3, 3, 3}, 24, 456},
                {"fc1.bias", DType::kFloat32, {16}, 456, 520},
                {"fc1.weight", DType::kFloat32, {16, 256}, 520, 16904},
                {"norm1.bias", DType::kFloat32, {4}, 16904, 16920},
                {"norm1.running_mean", DType::kFloat32, {4}, 16920, 16936},
                {"norm1.running_var", DType::kFloat32, {4}, 16936, 16952},
                {"norm1.weight", DType::kFloat32, {4}, 16952, 16968}});
  const TensorStore& s = ckpt->store;
  CHECK(Element<int64_t>(*s.Find("norm1.num_batches_tracked"), 0) == 1);
  CHECK(Element<float>(*s.Find("conv1.bias"), 0) == 0.13191646337509155f);
  CHECK(Element<float>(*s.Find("conv1.bias"), 3) == 0.14375224709510803f);
  CHECK(Element<float>(*s.Find("fc1.weight"), 1) == -0.041473813354969025f);
  CHECK(Element<float>(*s.Find("norm1.running_var"), 0) == 0.9008812308311462f);
  CHECK(ckpt->properties == std::vector<std::pair<std::string, std::string>>{
                                {"shards", "1"}, {"header length", "648"}});
  REQUIRE(ckpt->files.size() == 1);
  CHECK(ckpt->files[0].size == 17624);
}

TEST_CASE("safetensors: candle files and the numpy F64 file") {
  if (auto ckpt = OpenReal(kJfkCodes)) {
    CheckEntries(*ckpt, 72, {{"codes", DType::kInt64, {1, 2, 828}, 0, 13248}});
    const TensorEntry& codes = *ckpt->store.Find("codes");
    CHECK(Element<int64_t>(codes, 0) == 865);
    CHECK(Element<int64_t>(codes, 1) == 62);
    CHECK(Element<int64_t>(codes, 1655) == 889);  // the last element
  }
  if (auto ckpt = OpenReal(kVoices)) {
    CheckEntries(*ckpt, 144,
                 {{"tokens", DType::kInt64, {1, 982, 33}, 0, 259248},
                  {"mask", DType::kUInt8, {1, 982, 33}, 259248, 291654}});
    // python: first non-zero token is element 32, value 128000; the mask's bytes sum to 24294.
    CHECK(Element<int64_t>(*ckpt->store.Find("tokens"), 32) == 128000);
    uint64_t sum = 0;
    for (const char c : TensorBytes(*ckpt->store.Find("mask"))) sum += static_cast<uint8_t>(c);
    CHECK(sum == 24294);
  }
  if (auto ckpt = OpenReal(kNumpyF64)) {
    CheckEntries(*ckpt, 136,
                 {{"weight1", DType::kFloat64, {8, 8}, 0, 512},
                  {"weight2", DType::kFloat64, {16, 16}, 512, 2560}});
    CHECK(Element<double>(*ckpt->store.Find("weight1"), 0) == 0.08001627472781947);
    CHECK(Element<double>(*ckpt->store.Find("weight1"), 1) == 0.7158429049744487);
    CHECK(Element<double>(*ckpt->store.Find("weight2"), 0) == 0.16715496979848254);
  }
}

TEST_CASE("safetensors: the abuse file's header length is a clean error") {
  const std::string path = RealPath(kAbuse);
  if (!FileExists(path)) {
    MESSAGE("skipped: " << path << " not found");
    return;
  }
  auto ckpt = OpenSafetensors(path);
  REQUIRE_FALSE(ckpt.ok());
  CHECK(ckpt.status().code() == StatusCode::kCorruption);
  CHECK(ckpt.status().message() ==
        path + ": header length 1000 runs past end of file (80 bytes after the length field)");
  CHECK_FALSE(SniffSafetensors(path));
}

TEST_CASE("safetensors: sniffing and directories") {
  for (const char* rel : {kMultiLayer, kJfkCodes, kVoices, kNumpyF64}) {
    const std::string path = RealPath(rel);
    if (!FileExists(path)) {
      MESSAGE("skipped: " << path << " not found");
      continue;
    }
    CHECK(SniffSafetensors(path));
    const std::string dir = fs::path(path).parent_path().string();
    CHECK(SniffSafetensors(dir));  // each folder holds exactly one .safetensors
    auto ckpt = OpenSafetensors(dir);
    REQUIRE_MESSAGE(ckpt.ok(), ckpt.status().message());
    CHECK(ckpt->path == path);
  }
  TempDir tmp;
  WriteFileBytes(tmp / "notes.txt", "hello, not a checkpoint");
  WriteFileBytes(tmp / "ws.safetensors", Pack(" \n{}", ""));
  CHECK_FALSE(SniffSafetensors(tmp / "notes.txt"));
  CHECK(SniffSafetensors(tmp / "ws.safetensors"));
  CHECK(SniffSafetensors(tmp.str()));
  WriteFileBytes(tmp / "b.safetensors", Pack("{}      "));
  CHECK_FALSE(SniffSafetensors(tmp.str()));
  auto two = OpenSafetensors(tmp.str());
  REQUIRE_FALSE(two.ok());
  CHECK(two.status().message() ==
        tmp.str() +
            ": 2 .safetensors files and no index (b.safetensors, ws.safetensors); "
            "name the one to open");
  TempDir empty;
  CHECK(OpenSafetensors(empty.str()).status().message() ==
        empty.str() + ": no .safetensors file or index in directory");
}

TEST_CASE("safetensors: accepted headers (whitespace, metadata, scalars, empty tensors, F4)") {
  // Leading/trailing JSON whitespace is accepted like the reference reader (FORMATS.md §6.3).
  auto ws = ParseHeader(*Source(Pack("\t\n{" + Entry("x", "BOOL", "[1]", 0, 1) + "}\r ", "\x01")));
  REQUIRE_MESSAGE(ws.ok(), ws.status().message());
  CHECK(ws->tensors.size() == 1);

  const std::string header = "{\"__metadata__\":{\"format\":\"pt\",\"note\":\"caf\xc3\xa9\"}," +
                             Entry("e", "F16", "[0,4]", 0, 0) + "," +
                             Entry("s", "BF16", "[]", 0, 2) + "," + Entry("q", "F4", "[4]", 2, 4) +
                             ",\"other\":null}";
  // "other": null is not a tensor entry: rejected below; first check the rest.
  const std::string good = "{\"__metadata__\":{\"format\":\"pt\",\"note\":\"caf\xc3\xa9\"}," +
                           Entry("e", "F16", "[0,4]", 0, 0) + "," + Entry("s", "BF16", "[]", 0, 2) +
                           "," + Entry("q", "F4", "[4]", 2, 4) + "}";
  auto ckpt = OpenSafetensorsSource(Source(Pack(good, "\x80\x3f\x12\x34")));
  REQUIRE_MESSAGE(ckpt.ok(), ckpt.status().message());
  CHECK(ckpt->store.Find("e")->byte_size == 0);
  CHECK(ckpt->store.Find("s")->shape.empty());
  CHECK(ckpt->store.Find("q")->dtype == DType::kFloat4E2M1FNX2);  // two values a byte
  CHECK(ckpt->properties == std::vector<std::pair<std::string, std::string>>{
                                {"shards", "1"},
                                {"header length", std::to_string(good.size())},
                                {"metadata.format", "pt"},
                                {"metadata.note", "caf\xc3\xa9"}});
  CHECK(ParseError(Pack(header, "\x80\x3f\x12\x34")) ==
        "t.safetensors: header: \"other\": tensor entry is not an object (found null)");
  // Unknown fields inside an entry are ignored, as serde does.
  auto extra = ParseHeader(*Source(Pack(
      "{\"x\":{\"dtype\":\"U8\",\"extra\":{\"a\":[1,2]},\"shape\":[1],\"data_offsets\":[0,1]}}",
      "\x07")));
  CHECK(extra.ok());
}

TEST_CASE("safetensors: header validation errors name the file and the tensor") {
  const std::string x4 = std::string(4, '\0');
  struct Case {
    std::string bytes;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"abc", "t.safetensors: file is 3 bytes, too short for the 8-byte header length"},
      {Pack("{}", "", 1000),
       "t.safetensors: header length 1000 runs past end of file (2 bytes after the length field)"},
      {Pack("{}", "", 100000001),
       "t.safetensors: header length 100000001 exceeds the limit of 100000000 bytes"},
      {Pack("{\"\xff\":1}"), "t.safetensors: header @0xa: not valid UTF-8"},
      {Pack("[1,2]"), "t.safetensors: header: not a JSON object (found array)"},
      {Pack("\"x\""), "t.safetensors: header: not a JSON object (found string)"},
      {Pack("{" + Entry("w", "F31", "[1]", 0, 4) + "}", x4),
       "t.safetensors: header: \"w\": unknown dtype \"F31\""},
      {Pack("{\"w\":{\"dtype\":5,\"shape\":[1],\"data_offsets\":[0,4]}}", x4),
       "t.safetensors: header: \"w\": dtype is not a string (found 5)"},
      {Pack("{" + Entry("w", "F32", "[3]", 0, 8) + "}", x4 + x4),
       "t.safetensors: header: \"w\": data_offsets [0, 8] hold 8 bytes but F32 [3] needs 12"},
      {Pack("{" + Entry("w", "F32", "[1]", 4, 0) + "}", x4),
       "t.safetensors: header: \"w\": data_offsets [4, 0] are reversed"},
      {Pack("{" + Entry("x", "F32", "[2]", 0, 8) + "," + Entry("y", "F32", "[1]", 4, 8) + "}",
            x4 + x4),
       "t.safetensors: header: \"y\": data_offsets [4, 8] overlap \"x\" (data_offsets [0, 8])"},
      {Pack("{" + Entry("x", "F32", "[1]", 4, 8) + "}", x4 + x4),
       "t.safetensors: header: \"x\": data_offsets [4, 8] leave a hole: data bytes [0, 4) "
       "belong to no tensor"},
      {Pack("{" + Entry("x", "U8", "[1]", 0, 1) + "}", "abc"),
       "t.safetensors: 2 trailing bytes after the last tensor (tensors end at data offset 1, "
       "the data area holds 3 bytes)"},
      {Pack("{" + Entry("x", "U8", "[4]", 0, 4) + "}", "ab"),
       "t.safetensors: header: \"x\": data_offsets [0, 4] run past end of file (data area "
       "holds 2 bytes)"},
      {Pack("{" + Entry("x", "U8", "[1]", 0, 1) + "," + Entry("x", "U8", "[1]", 1, 2) + "}", "ab"),
       "t.safetensors: header: duplicate tensor name \"x\""},
      {Pack("{\"__metadata__\":{\"n\":1}}"),
       "t.safetensors: header: __metadata__: \"n\": value is not a string (found 1)"},
      {Pack("{\"__metadata__\":[]}"),
       "t.safetensors: header: __metadata__: not an object of strings (found array)"},
      {Pack("{\"x\":{\"dtype\":\"U8\",\"shape\":[1]}}", "a"),
       "t.safetensors: header: \"x\": missing \"data_offsets\""},
      {Pack("{\"x\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0]}}", "a"),
       "t.safetensors: header: \"x\": data_offsets must hold 2 integers (found 1)"},
      {Pack("{\"x\":{\"dtype\":\"U8\",\"shape\":[-1],\"data_offsets\":[0,1]}}", "a"),
       "t.safetensors: header: \"x\": shape element 0 is not a non-negative integer (found -1)"},
      {Pack("{\"x\":{\"dtype\":\"U8\",\"shape\":[1.0],\"data_offsets\":[0,1]}}", "a"),
       "t.safetensors: header: \"x\": shape element 0 is not a non-negative integer (found 1.0)"},
      {Pack("{\"x\":{\"dtype\":\"U8\",\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}",
            "a"),
       "t.safetensors: header: \"x\": duplicate field \"dtype\""},
      {Pack("{" + Entry("x", "F32", "[4294967296,4294967296,2]", 0, 0) + "}"),
       "t.safetensors: header: \"x\": element count of F32 [4294967296, 4294967296, 2] "
       "overflows"},
      {Pack("{" + Entry("x", "F32", "[4611686018427387904]", 0, 0) + "}"),
       "t.safetensors: header: \"x\": byte size of F32 [4611686018427387904] overflows"},
      {Pack("{" + Entry("x", "F4", "[3]", 0, 1) + "}", "a"),
       "t.safetensors: header: \"x\": F4 [3] is 12 bits, not a whole number of bytes"},
      {Pack("{\"x\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1],\"deep\":" +
                std::string(70, '[') + std::string(70, ']') + "}}",
            "a"),
       "t.safetensors: header: JSON nested deeper than 64 levels"},
      {Pack("\xEF\xBB\xBF{}"),
       "t.safetensors: header @0x8: not valid JSON (starts with a byte order mark)"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.message);
    CHECK(ParseError(c.bytes) == c.message);
  }
  // Syntax errors: the offset of the offending byte plus nlohmann's description.
  const std::string truncated = ParseError(Pack("{\"a\":"));
  CHECK(truncated.rfind("t.safetensors: header @0xd: not valid JSON (", 0) == 0);
  const std::string bad_literal = ParseError(Pack("{\"a\":nope}"));
  CHECK(bad_literal.rfind("t.safetensors: header @0xe: not valid JSON (", 0) == 0);
}

TEST_CASE("safetensors: a header over the 100 MB cap is refused before it is read") {
  // A sparse file of 8 + 100,000,001 bytes whose length field says 100,000,001.
  TempDir tmp;
  const std::string path = tmp / "huge.safetensors";
  WriteFileBytes(path, Pack("{", "", 100000001));
  fs::resize_file(path, 8 + 100000001);
  auto ckpt = OpenSafetensors(path);
  REQUIRE_FALSE(ckpt.ok());
  CHECK(ckpt.status().message() ==
        path + ": header length 100000001 exceeds the limit of 100000000 bytes");
  CHECK_FALSE(SniffSafetensors(path));
}

TEST_CASE("safetensors: the dtype table") {
  // FORMATS.md §6.2 names and §6.4 order.
  const char* order[] = {"BOOL",    "F4",      "F6_E2M3", "F6_E3M2",     "U8",          "I8",
                         "F8_E5M2", "F8_E4M3", "F8_E8M0", "F8_E4M3FNUZ", "F8_E5M2FNUZ", "I16",
                         "U16",     "F16",     "BF16",    "I32",         "U32",         "F32",
                         "C64",     "F64",     "I64",     "U64"};
  for (int i = 0; i < 22; ++i) {
    const DtypeInfo* info = FindDtypeByName(order[i]);
    REQUIRE(info != nullptr);
    CHECK(info->rank == i);
  }
  CHECK(FindDtypeByName("f32") == nullptr);
  CHECK(FindDtypeFor(DType::kBFloat16)->name == "BF16");
  CHECK(FindDtypeFor(DType::kFloat8E4M3FN)->name == "F8_E4M3");
  CHECK(FindDtypeFor(DType::kComplex64)->bits == 64);
  for (DType d : {DType::kString, DType::kVariant, DType::kResource, DType::kQInt8,
                  DType::kComplex128, DType::kInt4, DType::kFloat8E4M3B11FNUZ}) {
    CHECK(FindDtypeFor(d) == nullptr);
  }
}

TEST_CASE("safetensors: sharded index sets") {
  TempDir tmp;
  // Two shards written by hand; the index lists both tensors.
  WriteFileBytes(
      tmp / "m-00001-of-00002.safetensors",
      Pack("{" + Entry("a", "F32", "[1]", 0, 4) + "}", std::string("\x00\x00\x80\x3f", 4)));
  WriteFileBytes(
      tmp / "m-00002-of-00002.safetensors",
      Pack("{\"__metadata__\":{\"format\":\"pt\"}," + Entry("b", "U8", "[2]", 0, 2) + "}",
           "\x05\x06"));
  const std::string index = tmp / "m.safetensors.index.json";
  WriteFileBytes(index, R"({"metadata": {"total_size": 6}, "weight_map": {
      "b": "m-00002-of-00002.safetensors", "a": "m-00001-of-00002.safetensors"}})");
  CHECK(SniffSafetensors(index));
  CHECK(SniffSafetensors(tmp.str()));
  for (const std::string& path : {index, tmp.str()}) {
    auto ckpt = OpenSafetensors(path);
    REQUIRE_MESSAGE(ckpt.ok(), ckpt.status().message());
    CHECK(ckpt->path == index);
    REQUIRE(ckpt->store.size() == 2);
    CHECK(ckpt->store.Find("a")->shard == 0);
    CHECK(ckpt->store.Find("b")->shard == 1);
    CHECK(TensorBytes(*ckpt->store.Find("b")) == "\x05\x06");
    CHECK(ckpt->properties ==
          std::vector<std::pair<std::string, std::string>>{
              {"shards", "2"}, {"index metadata.total_size", "6"}, {"metadata.format", "pt"}});
    REQUIRE(ckpt->files.size() == 3);
    CHECK(ckpt->files[0].role == "index");
    CHECK(ckpt->files[2].role == "shard 1 of 2");
  }

  // A shard that is missing: its tensors are listed without data.
  fs::remove(tmp / "m-00002-of-00002.safetensors");
  auto partial = OpenSafetensors(index);
  REQUIRE_MESSAGE(partial.ok(), partial.status().message());
  const TensorEntry* b = partial->store.Find("b");
  REQUIRE(b != nullptr);
  CHECK(b->data == nullptr);
  CHECK(b->data_error() == "data shard missing: " + (tmp / "m-00002-of-00002.safetensors"));
  CHECK_FALSE(partial->files[2].present);
}

TEST_CASE("safetensors: index errors") {
  TempDir tmp;
  WriteFileBytes(tmp / "s.safetensors", Pack("{" + Entry("a", "U8", "[1]", 0, 1) + "}", "z"));
  const std::string index = tmp / "x.safetensors.index.json";
  auto error = [&](const std::string& json) {
    WriteFileBytes(index, json);
    auto ckpt = OpenSafetensors(index);
    return ckpt.ok() ? std::string("(opened fine)") : ckpt.status().message();
  };
  CHECK(error("{\"metadata\":{}}") == index + ": no \"weight_map\"");
  CHECK(error("[]") == index + ": not a JSON object (found array)");
  CHECK(error("{\"weight_map\":{\"a\":1}}") ==
        index + ": weight_map: \"a\": file name is not a string (found number)");
  CHECK(error("{\"weight_map\":{\"a\":\"../s.safetensors\"}}") ==
        index +
            ": weight_map: \"a\": shard file name \"../s.safetensors\" is not a relative "
            "path inside the index's directory");
  CHECK(error("{\"weight_map\":{\"a\":\"s.safetensors\",\"b\":\"s.safetensors\"}}") ==
        index + ": weight_map: \"b\" is mapped to \"s.safetensors\", which has no such tensor");
  CHECK(error("{\"weight_map\":{\"b\":\"s.safetensors\"}}") ==
        tmp / "s.safetensors" + ": tensor \"a\" is not in " + index + " weight_map");
  CHECK(error("{\"weight_map\":{\"a\":\"s.safetensors\"}}") == "(opened fine)");
}
