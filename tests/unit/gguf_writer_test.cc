// SPDX-License-Identifier: Apache-2.0
// Tests of the GGUF header serializer (bytes written out by hand from the GGUF v3 layout:
// little-endian, uint64 lengths and counts, uint32 type tags) and of the typed metadata
// edits (--set / --delete-key): IEEE bits and two's complement worked out by hand.
#include "formats/gguf/gguf_writer.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "formats/gguf/gguf_metadata_edit.h"

using namespace rescope;
using namespace rescope::gguf;

namespace {

std::string Bytes(std::initializer_list<int> b) {
  std::string s;
  for (int x : b) s.push_back(static_cast<char>(x));
  return s;
}

KeyValue Scalar(std::string key, ValueType type, uint64_t bits) {
  KeyValue kv;
  kv.key = std::move(key);
  kv.value.type = type;
  kv.value.bits = bits;
  return kv;
}

std::vector<KeyValue> Sample() {
  KeyValue name;
  name.key = "general.name";
  name.value.type = ValueType::kString;
  name.value.text = "m";
  return {name, Scalar("ctx", ValueType::kUInt32, 2048), Scalar("flag", ValueType::kBool, 1)};
}

const KeyValue* Find(const std::vector<KeyValue>& md, const std::string& key) {
  for (const KeyValue& kv : md) {
    if (kv.key == key) return &kv;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("SerializeHeader writes the GGUF v3 layout byte for byte") {
  TensorInfo t;
  t.name = "t";
  t.dims = {4, 2};
  t.ggml_type = 8;  // Q8_0
  t.offset = 64;
  const std::string expected =
      "GGUF" + Bytes({3, 0, 0, 0}) + Bytes({1, 0, 0, 0, 0, 0, 0, 0}) +  // version, 1 tensor
      Bytes({1, 0, 0, 0, 0, 0, 0, 0}) +                                 // 1 key
      Bytes({1, 0, 0, 0, 0, 0, 0, 0}) + "a" + Bytes({4, 0, 0, 0}) +     // "a": uint32
      Bytes({7, 0, 0, 0}) +                                             // 7
      Bytes({1, 0, 0, 0, 0, 0, 0, 0}) + "t" + Bytes({2, 0, 0, 0}) +     // "t", 2 dims
      Bytes({4, 0, 0, 0, 0, 0, 0, 0}) + Bytes({2, 0, 0, 0, 0, 0, 0, 0}) + Bytes({8, 0, 0, 0}) +
      Bytes({64, 0, 0, 0, 0, 0, 0, 0});  // Q8_0 at 64
  CHECK(SerializeHeader({Scalar("a", ValueType::kUInt32, 7)}, {t}) == expected);
}

TEST_CASE("SerializeHeader writes string arrays and packed arrays") {
  KeyValue strs;
  strs.key = "s";
  strs.value.type = ValueType::kArray;
  strs.value.element_type = ValueType::kString;
  strs.value.count = 2;
  strs.value.strings = {"x", ""};
  const std::string expected = "GGUF" + Bytes({3, 0, 0, 0}) + Bytes({0, 0, 0, 0, 0, 0, 0, 0}) +
                               Bytes({1, 0, 0, 0, 0, 0, 0, 0}) + Bytes({1, 0, 0, 0, 0, 0, 0, 0}) +
                               "s" + Bytes({9, 0, 0, 0}) + Bytes({8, 0, 0, 0}) +
                               Bytes({2, 0, 0, 0, 0, 0, 0, 0}) + Bytes({1, 0, 0, 0, 0, 0, 0, 0}) +
                               "x" + Bytes({0, 0, 0, 0, 0, 0, 0, 0});
  CHECK(SerializeHeader({strs}, {}) == expected);
}

TEST_CASE("--set keeps the existing type and parses the value as it") {
  auto md = Sample();
  MetadataEdits edits;
  edits.sets = {"ctx=4096", "general.name=new", "flag=false"};
  REQUIRE(ApplyMetadataEdits(md, edits).ok());
  REQUIRE(md.size() == 3);
  CHECK(md[0].key == "general.name");  // order kept
  CHECK(md[0].value.text == "new");
  CHECK(md[1].value.type == ValueType::kUInt32);
  CHECK(md[1].value.bits == 4096);
  CHECK(md[2].value.bits == 0);
}

TEST_CASE("--set KEY:TYPE=VALUE adds a typed key; bits are the value's encoding") {
  auto md = Sample();
  MetadataEdits edits;
  edits.sets = {"a:float32=0.1",
                "b:int8=-5",
                "c:int32=-70000",
                "d:uint64=18446744073709551615",
                "e:float64=1.5",
                "f:int16[]=[1, -1]",
                "g:string[]=[\"p\",\"q r\"]"};
  REQUIRE(ApplyMetadataEdits(md, edits).ok());
  CHECK(Find(md, "a")->value.bits == 0x3DCCCCCDu);  // 0.1f
  CHECK(Find(md, "b")->value.bits == 0xFBu);
  CHECK(Find(md, "c")->value.bits == 0xFFFEEE90u);
  CHECK(Find(md, "d")->value.bits == ~uint64_t{0});
  CHECK(Find(md, "e")->value.bits == 0x3FF8000000000000u);
  const Value& f = Find(md, "f")->value;
  CHECK(f.type == ValueType::kArray);
  CHECK(f.element_type == ValueType::kInt16);
  CHECK(f.count == 2);
  CHECK(f.packed == Bytes({1, 0, 0xFF, 0xFF}));
  const Value& g = Find(md, "g")->value;
  CHECK(g.count == 2);
  CHECK(g.strings == std::vector<std::string>{"p", "q r"});
  CHECK(md.back().key == "g");  // new keys appended in order
}

TEST_CASE("metadata edits refuse what they cannot do exactly") {
  for (const char* set : {"ctx=-1", "ctx=4294967296", "ctx=12abc", "ctx=", "flag=1", "new=1",
                          "x:uint8=256", "x:int9=1", "x:float32=abc", "x:int32[]=[1,,2]",
                          "x:int32[]=1,2", "x:string[]=[1]", "split.count:uint16=2",
                          "general.alignment:uint32=48", "general.alignment:uint64=64", "=1"}) {
    CAPTURE(set);
    auto md = Sample();
    const auto before = md.size();
    MetadataEdits edits;
    edits.sets = {set};
    CHECK_FALSE(ApplyMetadataEdits(md, edits).ok());
    (void)before;
  }
  auto md = Sample();
  MetadataEdits del;
  del.deletes = {"missing"};
  CHECK_FALSE(ApplyMetadataEdits(md, del).ok());
  del.deletes = {"split.no"};
  CHECK_FALSE(ApplyMetadataEdits(md, del).ok());
  del.deletes = {"flag"};
  REQUIRE(ApplyMetadataEdits(md, del).ok());
  CHECK(Find(md, "flag") == nullptr);
  CHECK(md.size() == 2);
}

TEST_CASE("AlignmentOf: general.alignment when valid, else 32") {
  CHECK(*AlignmentOf({}) == 32);
  CHECK(*AlignmentOf({Scalar("general.alignment", ValueType::kUInt32, 64)}) == 64);
  CHECK_FALSE(AlignmentOf({Scalar("general.alignment", ValueType::kUInt32, 0)}).ok());
}

TEST_CASE("WhyNotWritable: GGUF's tensor types, ranks and name lengths") {
  TensorEntry e;
  e.name = "w";
  e.dtype = DType::kFloat32;
  e.shape = {2, 3};
  e.byte_size = 24;
  CHECK_FALSE(WhyNotWritable(e).has_value());
  e.dtype = DType::kBool;
  e.byte_size = 6;
  CHECK(WhyNotWritable(e).has_value());
  e.dtype = DType::kFloat32;
  e.byte_size = 24;
  e.name = std::string(64, 'n');
  CHECK(WhyNotWritable(e).has_value());
  e.name = "w";
  e.shape = {1, 1, 1, 2, 3};
  CHECK(WhyNotWritable(e).has_value());
  e.shape = {2, 64};  // Q8_0: 34 bytes per 32 values
  e.dtype = DType::kGgmlQ8_0;
  e.byte_size = 136;
  CHECK_FALSE(WhyNotWritable(e).has_value());
  e.shape = {64, 2};  // rows of 2 values are not whole blocks
  CHECK(WhyNotWritable(e).has_value());
  CHECK(*GgmlTypeFor(DType::kBFloat16) == 30);
  CHECK(*GgmlTypeFor(DType::kGgmlQ4_0) == 2);
}
