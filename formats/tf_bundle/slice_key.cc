// SPDX-License-Identifier: Apache-2.0
// TF ordered-code slice keys and TensorSliceProto encoding (FORMATS.md §1.10).
#include "formats/tf_bundle/slice_key.h"

#include <array>
#include <bit>
#include <cstdio>
#include <limits>

#include "formats/proto_wire.h"

namespace rescope::tfslice {
namespace {

// Bytes an encoded signed number takes, indexed by the bit length of its magnitude.
constexpr std::array<uint8_t, 65> kBitsToLength = {1,  1, 1, 1, 1, 1, 1,  // 0..6
                                                   2,  2, 2, 2, 2, 2, 2,  // 7..13
                                                   3,  3, 3, 3, 3, 3, 3,  // 14..20
                                                   4,  4, 4, 4, 4, 4, 4,  // 21..27
                                                   5,  5, 5, 5, 5, 5, 5,  // 28..34
                                                   6,  6, 6, 6, 6, 6, 6,  // 35..41
                                                   7,  7, 7, 7, 7, 7, 7,  // 42..48
                                                   8,  8, 8, 8, 8, 8, 8,  // 49..55
                                                   9,  9, 9, 9, 9, 9, 9,  // 56..62
                                                   10, 10};  // 63, 64 (64 never occurs)

// The length prefix is a run of 1-bits spread over the first two bytes: H0/H1 are
// XORed into them (indexed by length).
constexpr std::array<uint8_t, 11> kLengthHeader0 = {0,    0x80, 0xc0, 0xe0, 0xf0, 0xf8,
                                                    0xfc, 0xfe, 0xff, 0xff, 0xff};
constexpr std::array<uint8_t, 11> kLengthHeader1 = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0xc0};

// The same header bits as seen in the last 8 bytes read back as an integer.
constexpr std::array<uint64_t, 11> kLengthToMask = {0,
                                                    0x80,
                                                    0xc000,
                                                    0xe00000,
                                                    0xf0000000,
                                                    0xf800000000,
                                                    0xfc0000000000,
                                                    0xfe000000000000,
                                                    0xff00000000000000,
                                                    0x8000000000000000,
                                                    0};

constexpr char kEscape1 = '\x00';
constexpr char kNullCharacter = '\xff';
constexpr char kSeparator = '\x01';
constexpr char kEscape2 = '\xff';
constexpr char kFFCharacter = '\x00';

uint8_t Byte(std::string_view s, size_t i) { return static_cast<uint8_t>(s[i]); }

// Decodes the slice key and throws FormatError with the key's offset on the first problem.
class KeyDecoder {
 public:
  KeyDecoder(std::string_view key, std::string_view file) : key_(key), rest_(key), file_(file) {}

  std::pair<std::string, TensorSlice> Decode() {
    uint64_t leading = 0;
    if (!ReadNumIncreasing(&rest_, &leading)) Fail(0, "leading number: truncated or invalid");
    if (leading != 0) Fail(0, "leading number is " + std::to_string(leading) + " (expected 0)");
    std::string name;
    const size_t name_at = Offset();
    if (!ReadString(&rest_, &name)) {
      Fail(name_at, "tensor name: bad escape or missing 00 01 terminator");
    }
    const size_t rank_at = Offset();
    uint64_t rank = 0;
    if (!ReadNumIncreasing(&rest_, &rank)) Fail(rank_at, "rank: truncated or invalid");
    // Each dimension takes at least two bytes: check before reserving.
    if (rank > rest_.size() / 2) {
      Fail(rank_at, "rank " + std::to_string(rank) + " does not fit in the " +
                        std::to_string(rest_.size()) + " bytes left (2 or more per dimension)");
    }
    TensorSlice slice;
    slice.reserve(static_cast<size_t>(rank));
    for (uint64_t d = 0; d < rank; ++d) slice.push_back(DecodeExtent(d));
    if (!rest_.empty()) {
      Fail(Offset(), std::to_string(rest_.size()) + " trailing bytes after the last dimension");
    }
    return {std::move(name), std::move(slice)};
  }

 private:
  SliceExtent DecodeExtent(uint64_t d) {
    const std::string dim = "dimension " + std::to_string(d);
    int64_t start = 0;
    int64_t length = 0;
    const size_t start_at = Offset();
    if (!ReadSignedNumIncreasing(&rest_, &start))
      Fail(start_at, dim + " start: truncated or invalid");
    const size_t length_at = Offset();
    if (!ReadSignedNumIncreasing(&rest_, &length)) {
      Fail(length_at, dim + " length: truncated or invalid");
    }
    if (length < 0) return SliceExtent{0, -1};  // TF: any negative length is a full extent
    if (start < 0) Fail(start_at, dim + ": negative start " + std::to_string(start));
    if (start > std::numeric_limits<int64_t>::max() - length) {
      Fail(start_at, dim + ": start " + std::to_string(start) + " + length " +
                         std::to_string(length) + " overflows int64");
    }
    return SliceExtent{start, length};
  }

  size_t Offset() const { return key_.size() - rest_.size(); }

  [[noreturn]] void Fail(size_t at, const std::string& what) const {
    ThrowCorruption(std::string(file_) + ": slice key \"" + EscapeKeyForDisplay(key_) + "\" @" +
                    Hex(at) + ": " + what);
  }

  std::string_view key_;
  std::string_view rest_;
  std::string_view file_;
};

void CheckExtent(const proto::Reader& reader, const proto::Field& field, int64_t start,
                 int64_t length) {
  if (start < 0) reader.FailAt(field, "extent: negative start " + std::to_string(start));
  if (length < -1) reader.FailAt(field, "extent: negative length " + std::to_string(length));
  if (length > 0 && start > std::numeric_limits<int64_t>::max() - length) {
    reader.FailAt(field, "extent: start " + std::to_string(start) + " + length " +
                             std::to_string(length) + " overflows int64");
  }
}

SliceExtent DecodeExtentProto(const proto::Reader& outer, const proto::Field& extent_field) {
  proto::Reader reader = outer.Nested(extent_field, "extent");
  int64_t start = 0;
  int64_t length = -1;
  proto::Field field;
  while (reader.Next(field)) {
    if (field.number == 1) {
      reader.Expect(field, proto::kVarint, "start");
      start = static_cast<int64_t>(field.varint);
    } else if (field.number == 2) {
      reader.Expect(field, proto::kVarint, "length");
      length = static_cast<int64_t>(field.varint);
    }
  }
  CheckExtent(outer, extent_field, start, length);
  return SliceExtent{start, length};
}

}  // namespace

void WriteNumIncreasing(std::string& out, uint64_t v) {
  const int n = (64 - std::countl_zero(v) + 7) / 8;
  out.push_back(static_cast<char>(n));
  for (int i = n - 1; i >= 0; --i) out.push_back(static_cast<char>(v >> (8 * i)));
}

bool ReadNumIncreasing(std::string_view* src, uint64_t* v) {
  if (src->empty()) return false;
  const size_t n = Byte(*src, 0);
  if (n > 8 || src->size() < 1 + n) return false;
  uint64_t x = 0;
  for (size_t i = 1; i <= n; ++i) x = (x << 8) | Byte(*src, i);
  *v = x;
  src->remove_prefix(1 + n);
  return true;
}

void WriteSignedNumIncreasing(std::string& out, int64_t v) {
  const auto bits = static_cast<uint64_t>(v);
  const uint64_t magnitude = v < 0 ? ~bits : bits;
  const size_t len = kBitsToLength[static_cast<size_t>(64 - std::countl_zero(magnitude))];
  // Two sign bytes, then the 8-byte big-endian two's complement; keep the last `len`.
  std::array<uint8_t, 10> buf{};
  buf[0] = buf[1] = v < 0 ? 0xff : 0x00;
  for (int i = 0; i < 8; ++i) buf[2 + i] = static_cast<uint8_t>(bits >> (8 * (7 - i)));
  const size_t first = buf.size() - len;
  buf[first] ^= kLengthHeader0[len];
  if (len > 1) buf[first + 1] ^= kLengthHeader1[len];
  out.append(reinterpret_cast<const char*>(buf.data() + first), len);
}

bool ReadSignedNumIncreasing(std::string_view* src, int64_t* v) {
  if (src->empty()) return false;
  const uint8_t b0 = Byte(*src, 0);
  const bool negative = (b0 & 0x80) == 0;
  const uint8_t m = negative ? 0xff : 0x00;
  const auto f = static_cast<uint8_t>(b0 ^ m);
  size_t len = 0;
  uint64_t x = 0;
  if (f != 0xff) {
    len = static_cast<size_t>(std::countl_one(f));
    if (src->size() < len) return false;
    x = negative ? ~uint64_t{0} : 0;
    for (size_t i = 0; i < len; ++i) x = (x << 8) | Byte(*src, i);
  } else {
    len = 8;
    if (src->size() < 2) return false;
    const auto g = static_cast<uint8_t>(Byte(*src, 1) ^ m);
    if (g >= 0x80) {
      if (g < 0xc0) {
        len = 9;
      } else if (g == 0xc0 && src->size() >= 3 && static_cast<uint8_t>(Byte(*src, 2) ^ m) < 0x80) {
        len = 10;
      } else {
        return false;
      }
    }
    if (src->size() < len) return false;
    for (size_t i = len - 8; i < len; ++i) x = (x << 8) | Byte(*src, i);
  }
  x ^= kLengthToMask[len];
  *v = static_cast<int64_t>(x);
  src->remove_prefix(len);
  return true;
}

void WriteString(std::string& out, std::string_view s) {
  for (const char c : s) {
    out.push_back(c);
    if (c == kEscape1) {
      out.push_back(kNullCharacter);
    } else if (c == kEscape2) {
      out.push_back(kFFCharacter);
    }
  }
  out.push_back(kEscape1);
  out.push_back(kSeparator);
}

bool ReadString(std::string_view* src, std::string* s) {
  s->clear();
  for (size_t i = 0; i < src->size(); ++i) {
    const char c = (*src)[i];
    if (c != kEscape1 && c != kEscape2) {
      s->push_back(c);
      continue;
    }
    if (i + 1 >= src->size()) return false;
    const char next = (*src)[++i];
    if (c == kEscape1 && next == kSeparator) {
      src->remove_prefix(i + 1);
      return true;
    }
    if (c == kEscape1 && next == kNullCharacter) {
      s->push_back('\0');
    } else if (c == kEscape2 && next == kFFCharacter) {
      s->push_back('\xff');
    } else {
      return false;
    }
  }
  return false;  // no terminator
}

std::string EncodeTensorNameSlice(std::string_view name, const TensorSlice& slice) {
  std::string out;
  WriteNumIncreasing(out, 0);
  WriteString(out, name);
  WriteNumIncreasing(out, slice.size());
  for (const SliceExtent& e : slice) {
    const bool full = e.length < 0;
    WriteSignedNumIncreasing(out, full ? 0 : e.start);
    WriteSignedNumIncreasing(out, full ? -1 : e.length);
  }
  return out;
}

Result<std::pair<std::string, TensorSlice>> DecodeTensorNameSlice(ByteView key,
                                                                  std::string_view file) {
  try {
    return KeyDecoder(key.AsStringView(), file).Decode();
  } catch (const FormatError& e) {
    return e.status();
  }
}

std::string EscapeKeyForDisplay(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (const char c : raw) {
    const auto b = static_cast<uint8_t>(c);
    if (c == '\\') {
      out += "\\\\";
    } else if (b >= 0x20 && b <= 0x7e) {
      out.push_back(c);
    } else {
      char buf[5];
      std::snprintf(buf, sizeof(buf), "\\x%02x", b);
      out += buf;
    }
  }
  return out;
}

std::string EncodeTensorSliceProto(const TensorSlice& slice) {
  std::string out;
  for (const SliceExtent& e : slice) {
    std::string extent;
    if (e.start != 0) proto::PutVarintField(extent, 1, static_cast<uint64_t>(e.start));
    if (e.length != -1) proto::PutVarintField(extent, 2, static_cast<uint64_t>(e.length));
    proto::PutBytesField(out, 1, extent);
  }
  return out;
}

Result<TensorSlice> DecodeTensorSliceProto(ByteView bytes, std::string_view file,
                                           std::string_view context, uint64_t base_offset) {
  try {
    proto::Reader reader(bytes, file, context, base_offset);
    TensorSlice slice;
    proto::Field field;
    while (reader.Next(field)) {
      if (field.number != 1) continue;
      reader.Expect(field, proto::kLengthDelimited, "extent");
      slice.push_back(DecodeExtentProto(reader, field));
    }
    return slice;
  } catch (const FormatError& e) {
    return e.status();
  }
}

}  // namespace rescope::tfslice
