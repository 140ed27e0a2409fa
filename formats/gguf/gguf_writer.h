// SPDX-License-Identifier: Apache-2.0
// Writer for single-file GGUF v3: the metadata pairs in order, the tensor infos with their
// offsets re-computed for the output's alignment, zero padding, then each tensor's bytes
// (padded to the alignment, as gguf-py and ggml write them). Tensor bytes are streamed from
// their ByteSource (in-kernel copies for file regions); the file appears only when complete.
//
// What is written: the metadata of a GGUF source (its first file's; a split set's `split.*`
// keys are left out since the output is one file), after the user's edits; for other
// sources only the edits (no key is invented; general.alignment is written only when given,
// as gguf-py does: ggml then uses 32).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/store/tensor_store.h"
#include "formats/gguf/gguf_model.h"

namespace rescope::gguf {

// ggml caps tensor names at GGML_MAX_NAME (64) bytes including the NUL, and ranks at 4.
constexpr size_t kMaxTensorNameBytes = 63;
constexpr size_t kMaxDims = 4;

// The ggml_type a tensor of `dtype` is stored as: F32, F16, BF16, F64, I8..I64 and the GGML
// block types; nullopt for any other dtype (GGUF has no bool, unsigned or string tensors).
std::optional<uint32_t> GgmlTypeFor(DType dtype);

// Why `entry` cannot be written as a GGUF tensor, or nullopt when it can.
std::optional<std::string> WhyNotWritable(const TensorEntry& entry);

// The alignment the metadata asks for: general.alignment when present (must be a uint32
// power of two, ggml refuses anything else), else 32.
Result<uint64_t> AlignmentOf(const std::vector<KeyValue>& metadata);

// The header bytes (magic .. tensor infos, no padding) of `metadata` and `tensors`, whose
// offsets the caller has laid out.
std::string SerializeHeader(const std::vector<KeyValue>& metadata,
                            const std::vector<TensorInfo>& tensors);

// The metadata a write of `source` starts from: a GGUF source's first header (minus the
// split.* keys of a split set), else none.
std::vector<KeyValue> SourceMetadata(const Checkpoint& source);

// Writes `store` as one GGUF file at `path` with `metadata`. Tensors of a GGUF source keep
// their source order (by source_name); the rest follow in name order. Errors:
// kNotSupported listing every tensor that cannot be written (before anything is written),
// kNotFound for a tensor without data, kInvalidArgument for a bad alignment, kIOError.
Result<std::vector<std::string>> WriteGguf(const Checkpoint& source, const TensorStore& store,
                                           const std::string& path,
                                           const std::vector<KeyValue>& metadata);

}  // namespace rescope::gguf
