// SPDX-License-Identifier: Apache-2.0
// Tests of ordered-code slice keys and TensorSliceProto against FORMATS.md §1.10.
#include "formats/tf_bundle/slice_key.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

using namespace rescope;
using namespace rescope::tfslice;

namespace {

std::string Bytes(std::initializer_list<int> values) {
  std::string out;
  for (int v : values) out.push_back(static_cast<char>(v));
  return out;
}

std::string Signed(int64_t v) {
  std::string out;
  WriteSignedNumIncreasing(out, v);
  return out;
}

std::optional<int64_t> ReadSigned(std::string bytes) {
  std::string_view src(bytes);
  int64_t v = 0;
  if (!ReadSignedNumIncreasing(&src, &v) || !src.empty()) return std::nullopt;
  return v;
}

}  // namespace

TEST_CASE("ordered code: unsigned numbers") {
  for (const auto& [v, bytes] : std::vector<std::pair<uint64_t, std::string>>{
           {0, Bytes({0x00})},
           {2, Bytes({0x01, 0x02})},
           {300, Bytes({0x02, 0x01, 0x2c})},
           {UINT64_MAX, Bytes({0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})}}) {
    std::string out;
    WriteNumIncreasing(out, v);
    CHECK(out == bytes);
    std::string_view src(out);
    uint64_t back = 1;
    REQUIRE(ReadNumIncreasing(&src, &back));
    CHECK(back == v);
    CHECK(src.empty());
  }
  std::string_view nine("\x09\x01\x02\x03\x04\x05\x06\x07\x08\x09", 10);
  uint64_t v = 0;
  CHECK(!ReadNumIncreasing(&nine, &v));
  std::string_view truncated("\x02\x01", 2);
  CHECK(!ReadNumIncreasing(&truncated, &v));
}

TEST_CASE("ordered code: signed numbers from FORMATS.md") {
  const std::vector<std::pair<int64_t, std::string>> examples = {
      {0, Bytes({0x80})},
      {5, Bytes({0x85})},
      {63, Bytes({0xbf})},
      {-1, Bytes({0x7f})},
      {-64, Bytes({0x40})},
      {64, Bytes({0xc0, 0x40})},
      {100, Bytes({0xc0, 0x64})},
      {-100, Bytes({0x3f, 0x9c})},
      {1000, Bytes({0xc3, 0xe8})},
      {-1000, Bytes({0x3c, 0x18})},
      {1048576, Bytes({0xf0, 0x10, 0x00, 0x00})},
      {-65, Bytes({0x3f, 0xbf})},
      {int64_t{1} << 62, Bytes({0xff, 0xc0, 0x40, 0, 0, 0, 0, 0, 0, 0})},
      {-(int64_t{1} << 62), Bytes({0x00, 0x40, 0, 0, 0, 0, 0, 0, 0})},
      {INT64_MAX, Bytes({0xff, 0xc0, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})},
      {INT64_MIN, Bytes({0x00, 0x3f, 0x80, 0, 0, 0, 0, 0, 0, 0})},
  };
  for (const auto& [v, bytes] : examples) {
    CAPTURE(v);
    CHECK(Signed(v) == bytes);
    CHECK(ReadSigned(bytes) == v);
  }
}

TEST_CASE("ordered code: signed round trip and order on random values") {
  std::mt19937_64 rng(20240611);
  std::vector<int64_t> values = {0, -1, 1, 63, 64, -64, -65, INT64_MAX, INT64_MIN};
  for (int i = 0; i < 4000; ++i) {
    // Spread over every bit length: shift a random word right by a random amount.
    const uint64_t word = rng() >> (rng() % 64);
    values.push_back(rng() % 2 ? static_cast<int64_t>(word) : ~static_cast<int64_t>(word));
  }
  std::vector<std::pair<std::string, int64_t>> encoded;
  for (int64_t v : values) {
    CAPTURE(v);
    const std::string bytes = Signed(v);
    REQUIRE(ReadSigned(bytes) == v);
    encoded.emplace_back(bytes, v);
  }
  // Bytewise (unsigned) order of encodings equals numeric order.
  std::sort(encoded.begin(), encoded.end());
  for (size_t i = 1; i < encoded.size(); ++i) CHECK(encoded[i - 1].second <= encoded[i].second);
}

TEST_CASE("ordered code: signed decoding accepts non-minimal forms and rejects bad ones") {
  CHECK(ReadSigned(Bytes({0xc0, 0x05})) == 5);   // two-byte form of 5
  CHECK(ReadSigned(Bytes({0x3f, 0xff})) == -1);  // two-byte form of -1
  CHECK(ReadSigned(Bytes({0xc0})) == std::nullopt);
  CHECK(ReadSigned(Bytes({0xff, 0xe0, 0, 0, 0, 0, 0, 0, 0, 0})) == std::nullopt);  // no len 11
  CHECK(ReadSigned(Bytes({0xff, 0xc0, 0x80, 0, 0, 0, 0, 0, 0, 0})) == std::nullopt);
  CHECK(ReadSigned("") == std::nullopt);
}

TEST_CASE("ordered code: strings escape 00 and ff") {
  std::string out;
  WriteString(out, std::string("a\0b\xff", 4));
  CHECK(out == Bytes({'a', 0x00, 0xff, 'b', 0xff, 0x00, 0x00, 0x01}));
  std::string_view src(out);
  std::string back;
  REQUIRE(ReadString(&src, &back));
  CHECK(back == std::string("a\0b\xff", 4));
  CHECK(src.empty());
  for (const std::string& bad :
       {Bytes({'a', 0x00, 0x02}), Bytes({0xff, 0x01}), Bytes({'a'}), Bytes({'a', 0x00})}) {
    std::string_view s(bad);
    CHECK(!ReadString(&s, &back));
  }
}

TEST_CASE("slice keys: the worked examples of FORMATS.md") {
  const std::string w0 = Bytes({0x00, 'w', 0x00, 0x01, 0x01, 0x02, 0x80, 0x85, 0x80, 0x7f});
  const std::string w1 = Bytes({0x00, 'w', 0x00, 0x01, 0x01, 0x02, 0x85, 0x85, 0x80, 0x7f});
  CHECK(EncodeTensorNameSlice("w", {{0, 5}, {0, -1}}) == w0);
  CHECK(EncodeTensorNameSlice("w", {{5, 5}, {0, -1}}) == w1);
  CHECK(w0 < w1);
  // The full-tensor entry's slices protos.
  CHECK(EncodeTensorSliceProto({{0, 5}, {0, -1}}) == Bytes({0x0a, 0x02, 0x10, 0x05, 0x0a, 0x00}));
  CHECK(EncodeTensorSliceProto({{5, 5}, {0, -1}}) ==
        Bytes({0x0a, 0x04, 0x08, 0x05, 0x10, 0x05, 0x0a, 0x00}));

  const std::string layer = std::string("\x00layer/kernel", 13) +
                            Bytes({0x00, 0x01, 0x01, 0x02, 0x80, 0x7f, 0xc0, 0x80, 0xc0, 0x80});
  CHECK(EncodeTensorNameSlice("layer/kernel", {{0, -1}, {128, 128}}) == layer);

  auto decoded = DecodeTensorNameSlice(ByteView(layer), "f");
  REQUIRE(decoded.ok());
  CHECK(decoded->first == "layer/kernel");
  CHECK(decoded->second == TensorSlice{{0, -1}, {128, 128}});
  CHECK(SliceToString(decoded->second) == "-:128,128");

  auto d1 = DecodeTensorNameSlice(ByteView(w1), "f");
  REQUIRE(d1.ok());
  CHECK(d1->second == TensorSlice{{5, 5}, {0, -1}});
}

TEST_CASE("slice keys: V1 rank-0 scalar key") {
  const std::string key = Bytes({0x00, 'a', 0x00, 0x01, 0x00});
  auto decoded = DecodeTensorNameSlice(ByteView(key), "f");
  REQUIRE(decoded.ok());
  CHECK(decoded->first == "a");
  CHECK(decoded->second.empty());
  CHECK(EncodeTensorNameSlice("a", {}) == key);
}

TEST_CASE("slice keys: negative lengths decode as full dimensions") {
  // start 5, length -3: TF treats the extent as full and ignores the start.
  const std::string key = Bytes({0x00, 'x', 0x00, 0x01, 0x01, 0x01, 0x85, 0x7d});
  auto decoded = DecodeTensorNameSlice(ByteView(key), "f");
  REQUIRE(decoded.ok());
  CHECK(decoded->second == TensorSlice{{0, -1}});
  CHECK(EncodeTensorNameSlice("x", {{7, -1}}) == EncodeTensorNameSlice("x", {{0, -1}}));
}

TEST_CASE("slice keys: random round trips keep order by name then extents") {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 500; ++i) {
    std::string name;
    for (size_t n = rng() % 6; n > 0; --n)
      name.push_back(static_cast<char>(rng() % 4 == 0 ? 0xff : rng()));
    TensorSlice slice;
    for (size_t d = rng() % 4; d > 0; --d) {
      if (rng() % 3 == 0) {
        slice.push_back({0, -1});
      } else {
        slice.push_back({static_cast<int64_t>(rng() % 100000), static_cast<int64_t>(rng() % 5000)});
      }
    }
    const std::string key = EncodeTensorNameSlice(name, slice);
    auto back = DecodeTensorNameSlice(ByteView(key), "f");
    REQUIRE(back.ok());
    CHECK(back->first == name);
    CHECK(back->second == slice);
    auto proto = DecodeTensorSliceProto(ByteView(EncodeTensorSliceProto(slice)), "f", "slices");
    REQUIRE(proto.ok());
    CHECK(*proto == slice);
  }
  // Same name and rank: keys sort by the first start.
  CHECK(EncodeTensorNameSlice("v", {{9, 1}}) < EncodeTensorNameSlice("v", {{10, 1}}));
  CHECK(EncodeTensorNameSlice("v", {{63, 1}}) < EncodeTensorNameSlice("v", {{64, 1}}));
}

TEST_CASE("slice keys: decoding errors") {
  auto error = [](const std::string& key) {
    auto r = DecodeTensorNameSlice(ByteView(key), "ckpt.index");
    REQUIRE(!r.ok());
    CHECK(r.status().code() == StatusCode::kCorruption);
    return r.status().message();
  };
  CHECK(error(Bytes({0x01, 0x01})) ==
        "ckpt.index: slice key \"\\x01\\x01\" @0x0: leading number is 1 (expected 0)");
  CHECK(error(Bytes({0x00, 'a', 0x00, 0x02})) ==
        "ckpt.index: slice key \"\\x00a\\x00\\x02\" @0x1: tensor name: bad escape or missing "
        "00 01 terminator");
  CHECK(error(Bytes({0x00, 'a', 0x00, 0x01, 0x01, 0x09, 0x80, 0x7f})) ==
        "ckpt.index: slice key \"\\x00a\\x00\\x01\\x01\\x09\\x80\\x7f\" @0x4: rank 9 does not fit "
        "in the 2 bytes left (2 or more per dimension)");
  CHECK(error(Bytes({0x00, 'a', 0x00, 0x01, 0x00, 0x80})) ==
        "ckpt.index: slice key \"\\x00a\\x00\\x01\\x00\\x80\" @0x5: 1 trailing bytes after the "
        "last dimension");
  CHECK(error(Bytes({0x00, 'a', 0x00, 0x01, 0x01, 0x01, 0x7f, 0x85})) ==
        "ckpt.index: slice key \"\\x00a\\x00\\x01\\x01\\x01\\x7f\\x85\" @0x6: dimension 0: "
        "negative start -1");
  CHECK(error(Bytes({0x00, 'a', 0x00, 0x01, 0x01, 0x01, 0x85, 0xc0})) ==
        "ckpt.index: slice key \"\\x00a\\x00\\x01\\x01\\x01\\x85\\xc0\" @0x7: dimension 0 length: "
        "truncated or invalid");
  CHECK(error("") == "ckpt.index: slice key \"\" @0x0: leading number: truncated or invalid");
}

TEST_CASE("slice keys: display escaping") {
  CHECK(EscapeKeyForDisplay(Bytes({0x00, 'w', 0x00, 0x01, 0x01, 0x02, 0x80, 0x85, 0x80, 0x7f})) ==
        "\\x00w\\x00\\x01\\x01\\x02\\x80\\x85\\x80\\x7f");
  CHECK(EscapeKeyForDisplay("a\\b c~") == "a\\\\b c~");
  CHECK(EscapeKeyForDisplay("\n\x1f") == "\\x0a\\x1f");
  CHECK(LooksLikeSliceKey(std::string("\0w", 2)));
  CHECK(!LooksLikeSliceKey("w"));
  CHECK(!LooksLikeSliceKey(""));
}

TEST_CASE("TensorSliceProto: decoding") {
  // Unknown field 3 inside an extent and field 2 at top level are skipped.
  const std::string bytes =
      Bytes({0x0a, 0x06, 0x08, 0x05, 0x10, 0x05, 0x18, 0x01, 0x12, 0x00, 0x0a, 0x00});
  auto slice = DecodeTensorSliceProto(ByteView(bytes), "f", "entry \"w\"");
  REQUIRE(slice.ok());
  CHECK(*slice == TensorSlice{{5, 5}, {0, -1}});

  // start -1 (ten-byte varint).
  const std::string negative =
      Bytes({0x0a, 0x0b, 0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01});
  auto bad = DecodeTensorSliceProto(ByteView(negative), "ckpt.index", "entry \"w\"", 0x40);
  REQUIRE(!bad.ok());
  CHECK(bad.status().message() == "ckpt.index: entry \"w\" @0x40: extent: negative start -1");

  const std::string wrong_type = Bytes({0x08, 0x01});
  auto bad_type = DecodeTensorSliceProto(ByteView(wrong_type), "f", "slices");
  REQUIRE(!bad_type.ok());
  CHECK(bad_type.status().message() ==
        "f: slices @0x0: field 1 (extent): expected wire type 2, found 0");

  CHECK(EncodeTensorSliceProto({}).empty());
}
