// SPDX-License-Identifier: Apache-2.0
// Tests of DT_STRING tensor bytes against the worked examples of FORMATS.md §1.9.2.
#include "formats/tf_bundle/string_tensor.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "formats/tf_bundle/crc32c.h"

using namespace rescope;

namespace {

std::string Bytes(std::initializer_list<int> values) {
  std::string out;
  for (int v : values) out.push_back(static_cast<char>(v));
  return out;
}

}  // namespace

TEST_CASE("string tensor: scalar \"hi\" matches FORMATS.md") {
  uint32_t crc = 0;
  const std::string encoded = EncodeStringTensor({"hi"}, &crc);
  CHECK(encoded == Bytes({0x02, 0xd8, 0xd8, 0x10, 0x73, 0x68, 0x69}));
  CHECK(crc == 0x8018b965u);
  CHECK(crc32c::Mask(crc) == 0x154deb09u);

  auto decoded = DecodeStringTensor(ByteView(encoded), 1, crc32c::Unmask(0x154deb09u), "t");
  REQUIRE(decoded.ok());
  CHECK(*decoded == std::vector<std::string>{"hi"});
}

TEST_CASE("string tensor: zero elements is just Mask(0)") {
  uint32_t crc = 0;
  const std::string encoded = EncodeStringTensor({}, &crc);
  CHECK(encoded == Bytes({0xd8, 0xea, 0x82, 0xa2}));
  CHECK(crc == crc32c::Value(reinterpret_cast<const uint8_t*>(encoded.data()), 4));
  auto decoded = DecodeStringTensor(ByteView(encoded), 0, crc, "t");
  REQUIRE(decoded.ok());
  CHECK(decoded->empty());
}

TEST_CASE("string tensor: several strings, empty and binary ones, round trip") {
  const std::vector<std::string> strings = {"", std::string(200, 'x'), std::string("\0\xff", 2),
                                            "abc"};
  uint32_t crc = 0;
  const std::string encoded = EncodeStringTensor(strings, &crc);
  // 200 needs a two-byte varint: c8 01.
  CHECK(encoded.substr(0, 5) == Bytes({0x00, 0xc8, 0x01, 0x02, 0x03}));
  CHECK(encoded.size() == 5 + 4 + 205);
  auto decoded = DecodeStringTensor(ByteView(encoded), strings.size(), crc, "t");
  REQUIRE(decoded.ok());
  CHECK(*decoded == strings);
  // Without an expected CRC only the length checksum is checked.
  CHECK(DecodeStringTensor(ByteView(encoded), strings.size(), std::nullopt, "t").ok());
}

TEST_CASE("string tensor: errors") {
  const std::string hi = Bytes({0x02, 0xd8, 0xd8, 0x10, 0x73, 0x68, 0x69});

  SUBCASE("length checksum") {
    std::string bad = hi;
    bad[1] = static_cast<char>(0xd9);  // stored L becomes 0x7310d8d9
    auto r = DecodeStringTensor(ByteView(bad), 1, std::nullopt, "ckpt.data: tensor \"g\"");
    REQUIRE(!r.ok());
    CHECK(r.status().code() == StatusCode::kCorruption);
    CHECK(r.status().message() ==
          "ckpt.data: tensor \"g\" @0x1: length checksum mismatch (stored 0xf700e846, computed "
          "0xf7006846)");
  }
  SUBCASE("overall checksum") {
    std::string bad = hi;
    bad[6] = 'j';
    auto r = DecodeStringTensor(ByteView(bad), 1, 0x8018b965u, "t");
    REQUIRE(!r.ok());
    CHECK(r.status().message().rfind("t @0x0: checksum mismatch (stored 0x8018b965, computed 0x",
                                     0) == 0);
  }
  SUBCASE("a length past the end") {
    std::string bad = hi;
    bad[0] = 0x05;
    auto r = DecodeStringTensor(ByteView(bad), 1, std::nullopt, "t");
    REQUIRE(!r.ok());
    CHECK(r.status().message() ==
          "t @0x0: string #0 length 5 runs past the end (7 bytes in the tensor)");
  }
  SUBCASE("a huge length does not allocate") {
    const std::string bad =
        Bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0, 0, 0, 0});
    auto r = DecodeStringTensor(ByteView(bad), 1, std::nullopt, "t");
    REQUIRE(!r.ok());
    CHECK(r.status().message().find("string #0 length 18446744073709551615 runs past") !=
          std::string::npos);
  }
  SUBCASE("more elements than bytes") {
    auto r = DecodeStringTensor(ByteView(hi), 1000000000000ull, std::nullopt, "t");
    REQUIRE(!r.ok());
    CHECK(r.status().message() ==
          "t @0x0: string tensor of 1000000000000 elements needs at least 1000000000000 + 4 "
          "bytes (size is 7)");
  }
  SUBCASE("truncated") {
    for (size_t n = 0; n < hi.size(); ++n) {
      CHECK(!DecodeStringTensor(ByteView(hi.substr(0, n)), 1, std::nullopt, "t").ok());
    }
  }
}
