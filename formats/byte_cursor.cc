// SPDX-License-Identifier: Apache-2.0
// Bounds-checked decoding with located error messages.
#include "formats/byte_cursor.h"

namespace rescope {

const uint8_t* DecodeVarint64(const uint8_t* p, const uint8_t* limit, uint64_t* value) {
  uint64_t result = 0;
  for (int shift = 0; shift <= 63 && p < limit; shift += 7) {
    const uint64_t byte = *p++;
    if (shift == 63 && byte > 1) return nullptr;  // more than 64 bits
    result |= (byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *value = result;
      return p;
    }
  }
  return nullptr;
}

void ByteCursor::FailAt(size_t position, const std::string& message) const {
  std::string text = file_;
  if (!context_.empty()) text += ": " + context_;
  text += " @" + Hex(base_ + position) + ": " + message;
  ThrowCorruption(std::move(text));
}

void ByteCursor::Fail(const std::string& message) const { FailAt(pos_, message); }

uint8_t ByteCursor::ReadByte(std::string_view what) {
  if (remaining() < 1) Fail(std::string(what) + ": truncated (need 1 byte, 0 left)");
  return bytes_.data[pos_++];
}

uint32_t ByteCursor::ReadFixed32(std::string_view what) {
  if (remaining() < 4) {
    Fail(std::string(what) + ": truncated (need 4 bytes, " + std::to_string(remaining()) +
         " left)");
  }
  const uint32_t v = LoadLE32(bytes_.data + pos_);
  pos_ += 4;
  return v;
}

uint64_t ByteCursor::ReadFixed64(std::string_view what) {
  if (remaining() < 8) {
    Fail(std::string(what) + ": truncated (need 8 bytes, " + std::to_string(remaining()) +
         " left)");
  }
  const uint64_t v = LoadLE64(bytes_.data + pos_);
  pos_ += 8;
  return v;
}

uint64_t ByteCursor::ReadVarint64(std::string_view what) {
  uint64_t v = 0;
  const uint8_t* start = bytes_.data + pos_;
  const uint8_t* next = DecodeVarint64(start, bytes_.data + bytes_.size, &v);
  if (next == nullptr) Fail(std::string(what) + ": truncated or over-long varint");
  pos_ += static_cast<size_t>(next - start);
  return v;
}

uint32_t ByteCursor::ReadVarint32(std::string_view what) {
  const size_t at = pos_;
  const uint64_t v = ReadVarint64(what);
  if (v > UINT32_MAX || pos_ - at > 5) {
    FailAt(at, std::string(what) + ": varint32 out of range (" + std::to_string(v) + ")");
  }
  return static_cast<uint32_t>(v);
}

ByteView ByteCursor::ReadBytes(uint64_t n, std::string_view what) {
  if (n > remaining()) {
    Fail(std::string(what) + ": length " + std::to_string(n) + " runs past end (" +
         std::to_string(remaining()) + " bytes left)");
  }
  ByteView v(bytes_.data + pos_, static_cast<size_t>(n));
  pos_ += static_cast<size_t>(n);
  return v;
}

void AppendVarint64(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

void AppendFixed32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}

void AppendFixed64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}

size_t VarintLength(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

}  // namespace rescope
