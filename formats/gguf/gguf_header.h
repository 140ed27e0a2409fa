// SPDX-License-Identifier: Apache-2.0
// Parsing a GGUF header (v2 and v3, little-endian) into gguf::Header, with every count,
// length and offset checked against the file size before it is used, so a hostile file that
// claims 2^63 tensors or a 2^60-byte string fails at once without a big allocation.
//
// Rules checked (docs/FORMATS-gguf.md; verified against gguf-py 0.19.0's GGUFReader and
// llama.cpp's gguf.cpp): magic "GGUF"; version 2 or 3 (v1 and big-endian files refused with
// a message saying so); unique keys; general.alignment, when present, a uint32 that is a
// nonzero power of two; at most 4 dims per tensor (GGML_MAX_DIMS); a known ggml_type whose
// block divides dims[0]; unique tensor names; every offset a multiple of the alignment; every
// tensor's bytes inside the file and not overlapping another's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/store/byte_source.h"
#include "core/store/dtype.h"
#include "core/store/status.h"
#include "formats/gguf/gguf_model.h"

namespace rescope::gguf {

// "GGUF" read as a little-endian uint32.
inline constexpr uint32_t kMagic = 0x46554747;
inline constexpr uint64_t kDefaultAlignment = 32;
// GGML_MAX_DIMS: llama.cpp refuses tensors with more dims.
inline constexpr uint32_t kMaxDims = 4;
// Nested arrays deeper than this are refused (gguf-py nests without a limit; llama.cpp
// reads no nested arrays at all): the bound keeps a hostile file from exhausting the stack.
inline constexpr int kMaxArrayDepth = 16;

// The rescope DType a ggml_type is read as: F32/F16/BF16/F64/I8..I64 as the plain types,
// block types as DType(kGgmlTypeBase + type). nullopt for a type rescope does not know.
std::optional<DType> DTypeOfGgmlType(uint32_t ggml_type);
// ggml's own name: "F32", "Q4_K", "BF16"; "type<N>" for an unknown type.
std::string GgmlTypeName(uint32_t ggml_type);
// Inverse of DTypeOfGgmlType (for writers); nullopt for a DType GGUF cannot store.
std::optional<uint32_t> GgmlTypeOfDType(DType dtype);

// Bytes of a tensor's data: DTypeStoredBytes of the product of dims. nullopt on overflow,
// an unknown type, or dims[0] not a whole number of blocks.
std::optional<uint64_t> TensorByteSize(const TensorInfo& info);

// True when the source starts with the "GGUF" magic.
bool HasGgufMagic(const ByteSource& file);

// Parses and validates the header of `file`. Errors are kCorruption (kNotSupported for v1,
// big-endian, future versions and unknown tensor types) and name the file, the byte offset,
// the key or tensor index, and what was expected.
Result<Header> ParseHeader(const ByteSource& file);

// The value of an integer-typed scalar key (any of the eight integer types; bool is not an
// integer). nullopt when the key is absent or not an integer. Negative values: nullopt.
std::optional<uint64_t> UnsignedValue(const Header& header, const std::string& key);
const Value* FindValue(const Header& header, const std::string& key);

}  // namespace rescope::gguf
