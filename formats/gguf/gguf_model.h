// SPDX-License-Identifier: Apache-2.0
// The parts of a GGUF file (llama.cpp's single-file format), as rescope holds them between
// reading and writing: the header's metadata key-value pairs and tensor infos. Tensor bytes
// stay in the file (TensorEntry::data); only the header lives in memory.
//
// Layout (GGUF v2/v3, little-endian): magic "GGUF", uint32 version, uint64 tensor count,
// uint64 metadata count, the metadata pairs, the tensor infos, padding to
// `general.alignment` (default 32), then the tensor data; each tensor's offset is relative
// to the start of that data section and a multiple of the alignment.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/store/tensor_store.h"

namespace rescope::gguf {

// gguf_type: the type tag stored before every metadata value and array element type.
enum class ValueType : uint32_t {
  kUInt8 = 0,
  kInt8 = 1,
  kUInt16 = 2,
  kInt16 = 3,
  kUInt32 = 4,
  kInt32 = 5,
  kFloat32 = 6,
  kBool = 7,
  kString = 8,
  kArray = 9,
  kUInt64 = 10,
  kInt64 = 11,
  kFloat64 = 12,
};

// "uint32", "string", "array", ...; "type<N>" for an unknown tag.
std::string ValueTypeName(ValueType type);
// Bytes of one value of a fixed-size type (1, 2, 4 or 8); nullopt for string and array.
std::optional<uint32_t> FixedValueSize(ValueType type);

// One metadata value. Scalars keep their stored bits, so a value that is read and written
// back is byte-identical (a float's NaN payload, a bool stored as 2).
struct Value {
  ValueType type = ValueType::kUInt8;
  uint64_t bits = 0;  // fixed-size scalars: the little-endian bits, zero-extended
  std::string text;   // kString

  // kArray: the element type and count. Fixed-size elements are kept as their stored
  // bytes (a 150,000-entry token-type array is 600 KB, not 150,000 objects); strings and
  // nested arrays element by element.
  ValueType element_type = ValueType::kUInt8;
  uint64_t count = 0;
  std::string packed;                // fixed-size elements, count * FixedValueSize bytes
  std::vector<std::string> strings;  // string elements
  std::vector<Value> arrays;         // array elements (each a kArray Value)
};

struct KeyValue {
  std::string key;
  Value value;
};

// One tensor info. `dims` are in GGUF order: dims[0] is the fastest-varying (ggml's ne[0]),
// so the row-major shape rescope shows and other formats store is `dims` reversed.
struct TensorInfo {
  std::string name;
  std::vector<uint64_t> dims;
  uint32_t ggml_type = 0;  // ggml_type; DType(kGgmlTypeBase + ggml_type) for block types
  uint64_t offset = 0;     // relative to the start of the data section
};

struct Header {
  uint32_t version = 3;
  std::vector<KeyValue> metadata;   // in file order
  std::vector<TensorInfo> tensors;  // in file order
  uint64_t alignment = 32;          // general.alignment, or 32 when absent
  uint64_t data_offset = 0;         // absolute file offset of the data section (aligned)
};

// What the GGUF writer needs from a checkpoint read from GGUF: each file's header (one per
// split file, in split order), so metadata survives a rename.
struct GgufState : FormatState {
  std::vector<std::string> paths;
  std::vector<Header> headers;
};

}  // namespace rescope::gguf
