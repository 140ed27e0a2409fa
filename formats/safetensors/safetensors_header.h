// SPDX-License-Identifier: Apache-2.0
// The safetensors header: parsing with every check of the reference reader (FORMATS.md
// §6.1, §6.3) and serialization exactly like the reference writer (§6.4).
//
// Parsing works on any ByteSource so the fuzzer and tests can feed bytes from memory; it
// reads only the 8-byte length and the header, never tensor data.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/store/byte_source.h"
#include "core/store/status.h"
#include "formats/safetensors/safetensors_dtype.h"

namespace rescope::safetensors {

// The reference reader refuses headers longer than this (`HeaderTooLarge`).
inline constexpr uint64_t kMaxHeaderSize = 100'000'000;
// JSON nesting accepted in a header; a valid one needs 3 levels.
inline constexpr int kMaxJsonDepth = 64;

// `__metadata__`: string keys and values in file order.
using Metadata = std::vector<std::pair<std::string, std::string>>;

struct HeaderTensor {
  std::string name;                  // the JSON key as is (UTF-8)
  const DtypeInfo* dtype = nullptr;  // never null in a parsed header
  std::vector<int64_t> shape;        // every dim >= 0
  uint64_t begin = 0;                // data_offsets, relative to the start of the data area
  uint64_t end = 0;
};

struct Header {
  uint64_t length = 0;                // N: the header's bytes after the length field
  std::optional<Metadata> metadata;   // nullopt when the header has no `__metadata__`
  std::vector<HeaderTensor> tensors;  // in data-area order (sorted by data_offsets)

  uint64_t DataStart() const { return 8 + length; }
  // Bytes of the data area the tensors cover (the last END, 0 without tensors).
  uint64_t DataSize() const { return tensors.empty() ? 0 : tensors.back().end; }
};

// Reads the length field and header of the safetensors file `file` and validates it
// against the file's size: length within bounds, UTF-8, JSON object, `__metadata__` a map
// of strings, known dtype names, non-negative integer shapes, `data_offsets` that tile the
// data area exactly (no reversed ranges, holes or overlaps), byte sizes that match
// dtype × shape, and no bytes after the last tensor. Errors are kCorruption with messages
// "<file>: header: "<tensor>": <what> (<expected vs found>)". Dtypes that safetensors
// defines but rescope has no DType for parse fine (DtypeInfo::dtype is nullopt).
Result<Header> ParseHeader(const ByteSource& file);

// The header bytes the reference writer produces for these tensors, in the given order:
// compact JSON, `__metadata__` first when present, each entry's keys in the order dtype,
// shape, data_offsets, padded with spaces to a multiple of 8. Does not include the length
// field. Names and metadata must be valid UTF-8 (see IsValidUtf8).
std::string SerializeHeader(const std::optional<Metadata>& metadata,
                            const std::vector<HeaderTensor>& tensors);

// Strict UTF-8 check (no overlong forms, surrogates or code points past U+10FFFF), as
// Rust's str::from_utf8 applies it. On failure *bad_offset is the first bad byte.
bool IsValidUtf8(std::string_view s, size_t* bad_offset = nullptr);

// Appends `s` as a JSON string the way serde_json writes it: quotes and backslashes
// escaped, \b \f \n \r \t for those controls, \u00xx for the other controls, everything
// else raw.
void AppendJsonString(std::string& out, std::string_view s);

}  // namespace rescope::safetensors
