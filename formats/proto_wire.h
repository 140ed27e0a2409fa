// SPDX-License-Identifier: Apache-2.0
// Minimal protobuf wire-format decoding and encoding, enough for TF's checkpoint
// messages (FORMATS.md §7). There is no protobuf dependency: messages are decoded field by
// field, unknown fields are skipped (or kept verbatim by callers that re-serialize), and
// every length is checked against the enclosing message.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "formats/byte_cursor.h"

namespace rescope::proto {

enum WireType : uint8_t { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5 };

struct Field {
  uint32_t number = 0;
  WireType wire_type = kVarint;
  uint64_t varint = 0;   // kVarint, kFixed64, kFixed32 values
  ByteView bytes;        // kLengthDelimited payload
  size_t start = 0;      // position of the tag within the message
  size_t end = 0;        // position after the field
  uint64_t payload_offset = 0;  // absolute file offset of `bytes` (for nested cursors)
};

// Iterates the fields of one serialized message. Next() returns false at the end and
// throws FormatError on malformed input (truncation, wire types 3/4/6/7, field 0).
class Reader {
 public:
  Reader(ByteView message, std::string_view file, std::string_view context,
         uint64_t base_offset = 0)
      : cursor_(message, file, context, base_offset) {}

  bool Next(Field& field);

  // Throws "<context> @..: field N (name): expected wire type X, found Y" unless matched.
  void Expect(const Field& field, WireType type, std::string_view name) const;

  // A cursor over a length-delimited field's payload, for decoding a nested message.
  Reader Nested(const Field& field, std::string_view context) const;

  [[noreturn]] void FailAt(const Field& field, const std::string& message) const {
    cursor_.FailAt(field.start, message);
  }
  const ByteCursor& cursor() const { return cursor_; }

 private:
  ByteCursor cursor_;
};

// Encoders: append fields in canonical (TF proto3) form.
void PutVarintField(std::string& out, uint32_t number, uint64_t value);
void PutFixed32Field(std::string& out, uint32_t number, uint32_t value);
void PutBytesField(std::string& out, uint32_t number, std::string_view bytes);
void PutTag(std::string& out, uint32_t number, WireType type);

}  // namespace rescope::proto
