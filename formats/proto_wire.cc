// SPDX-License-Identifier: Apache-2.0
// Protobuf wire-format field iteration.
#include "formats/proto_wire.h"

namespace rescope::proto {

bool Reader::Next(Field& field) {
  if (cursor_.done()) return false;
  field = Field{};
  field.start = cursor_.position();
  const uint64_t tag = cursor_.ReadVarint64("field tag");
  field.number = static_cast<uint32_t>(tag >> 3);
  const auto wt = static_cast<uint8_t>(tag & 7);
  if (field.number == 0 || (tag >> 3) > 0x1fffffff) {
    cursor_.FailAt(field.start, "invalid field number " + std::to_string(tag >> 3));
  }
  switch (wt) {
    case kVarint:
      field.varint = cursor_.ReadVarint64("field " + std::to_string(field.number));
      break;
    case kFixed64:
      field.varint = cursor_.ReadFixed64("field " + std::to_string(field.number));
      break;
    case kFixed32:
      field.varint = cursor_.ReadFixed32("field " + std::to_string(field.number));
      break;
    case kLengthDelimited: {
      const std::string what = "field " + std::to_string(field.number);
      const uint64_t len = cursor_.ReadVarint64(what + " length");
      field.payload_offset = cursor_.absolute_offset();
      field.bytes = cursor_.ReadBytes(len, what);
      break;
    }
    default:
      cursor_.FailAt(field.start, "field " + std::to_string(field.number) +
                                      ": unsupported wire type " + std::to_string(wt));
  }
  field.wire_type = static_cast<WireType>(wt);
  field.end = cursor_.position();
  return true;
}

void Reader::Expect(const Field& field, WireType type, std::string_view name) const {
  if (field.wire_type != type) {
    cursor_.FailAt(field.start, "field " + std::to_string(field.number) + " (" +
                                    std::string(name) + "): expected wire type " +
                                    std::to_string(type) + ", found " +
                                    std::to_string(field.wire_type));
  }
}

Reader Reader::Nested(const Field& field, std::string_view context) const {
  std::string ctx = cursor_.context();
  if (!context.empty()) ctx += ctx.empty() ? std::string(context) : ", " + std::string(context);
  return Reader(field.bytes, cursor_.file(), ctx, field.payload_offset);
}

void PutTag(std::string& out, uint32_t number, WireType type) {
  AppendVarint64(out, (static_cast<uint64_t>(number) << 3) | type);
}

void PutVarintField(std::string& out, uint32_t number, uint64_t value) {
  PutTag(out, number, kVarint);
  AppendVarint64(out, value);
}

void PutFixed32Field(std::string& out, uint32_t number, uint32_t value) {
  PutTag(out, number, kFixed32);
  AppendFixed32(out, value);
}

void PutBytesField(std::string& out, uint32_t number, std::string_view bytes) {
  PutTag(out, number, kLengthDelimited);
  AppendVarint64(out, bytes.size());
  out.append(bytes);
}

}  // namespace rescope::proto
