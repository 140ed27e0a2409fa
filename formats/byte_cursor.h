// SPDX-License-Identifier: Apache-2.0
// ByteCursor: bounds-checked sequential decoding of a byte range that knows which file
// it came from and where, so every failure can say "<file>: <context> @0x..: <problem>".
//
// Every Read* checks the remaining length first and throws FormatError (kCorruption) on
// failure; readers catch it at their public boundary.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/store/byte_source.h"
#include "core/store/status.h"

namespace rescope {

class ByteCursor {
 public:
  // `file` and `context` name the bytes ("ckpt.index", "data block @0x0");
  // `base_offset` is the absolute file offset of bytes.data[0] (for messages).
  ByteCursor(ByteView bytes, std::string_view file, std::string_view context,
             uint64_t base_offset = 0)
      : bytes_(bytes), file_(file), context_(context), base_(base_offset) {}

  size_t position() const { return pos_; }
  size_t remaining() const { return bytes_.size - pos_; }
  bool done() const { return pos_ >= bytes_.size; }
  uint64_t absolute_offset() const { return base_ + pos_; }

  uint8_t ReadByte(std::string_view what);
  uint32_t ReadFixed32(std::string_view what);
  uint64_t ReadFixed64(std::string_view what);
  // Protobuf/LevelDB base-128 varint; varint32 rejects values above 2^32-1 and more
  // than 5 bytes, varint64 more than 10 bytes.
  uint32_t ReadVarint32(std::string_view what);
  uint64_t ReadVarint64(std::string_view what);
  ByteView ReadBytes(uint64_t n, std::string_view what);
  void Skip(uint64_t n, std::string_view what) { (void)ReadBytes(n, what); }

  // Throws a corruption error at the current position: "<file>: <context> @0x..: <msg>".
  [[noreturn]] void Fail(const std::string& message) const;
  // Same, at an explicit position within this cursor's bytes.
  [[noreturn]] void FailAt(size_t position, const std::string& message) const;

  const std::string& file() const { return file_; }
  const std::string& context() const { return context_; }

 private:
  ByteView bytes_;
  std::string file_;
  std::string context_;
  uint64_t base_;
  size_t pos_ = 0;
};

// Decodes a varint from [p, limit); returns the byte after it or nullptr when truncated
// or over-long. Shared by ByteCursor and hot loops that avoid exceptions.
const uint8_t* DecodeVarint64(const uint8_t* p, const uint8_t* limit, uint64_t* value);

// Appends the varint encoding of v.
void AppendVarint64(std::string& out, uint64_t v);
void AppendFixed32(std::string& out, uint32_t v);
void AppendFixed64(std::string& out, uint64_t v);
size_t VarintLength(uint64_t v);

}  // namespace rescope
