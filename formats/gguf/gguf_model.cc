// SPDX-License-Identifier: Apache-2.0
// Names and sizes of GGUF metadata value types.
#include "formats/gguf/gguf_model.h"

namespace rescope::gguf {

std::string ValueTypeName(ValueType type) {
  switch (type) {
    case ValueType::kUInt8:
      return "uint8";
    case ValueType::kInt8:
      return "int8";
    case ValueType::kUInt16:
      return "uint16";
    case ValueType::kInt16:
      return "int16";
    case ValueType::kUInt32:
      return "uint32";
    case ValueType::kInt32:
      return "int32";
    case ValueType::kFloat32:
      return "float32";
    case ValueType::kBool:
      return "bool";
    case ValueType::kString:
      return "string";
    case ValueType::kArray:
      return "array";
    case ValueType::kUInt64:
      return "uint64";
    case ValueType::kInt64:
      return "int64";
    case ValueType::kFloat64:
      return "float64";
  }
  return "type<" + std::to_string(static_cast<uint32_t>(type)) + ">";
}

std::optional<uint32_t> FixedValueSize(ValueType type) {
  switch (type) {
    case ValueType::kUInt8:
    case ValueType::kInt8:
    case ValueType::kBool:
      return 1;
    case ValueType::kUInt16:
    case ValueType::kInt16:
      return 2;
    case ValueType::kUInt32:
    case ValueType::kInt32:
    case ValueType::kFloat32:
      return 4;
    case ValueType::kUInt64:
    case ValueType::kInt64:
    case ValueType::kFloat64:
      return 8;
    case ValueType::kString:
    case ValueType::kArray:
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace rescope::gguf
