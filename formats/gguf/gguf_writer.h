// SPDX-License-Identifier: Apache-2.0
// Writer for GGUF v3 files and split sets: the metadata pairs in order, the tensor infos with
// their offsets re-computed for the output's alignment, zero padding, then each tensor's
// bytes (padded to the alignment, as gguf-py and ggml write them). Tensor bytes are streamed
// from their ByteSource (in-kernel copies for file regions); the files appear only when all
// are complete (one journaled commit, formats/write_journal.h).
//
// What is written: the metadata of a GGUF source (its first file's; a split set's `split.*`
// keys are left out), after the user's edits; for other sources only the edits (no key is
// invented; general.alignment is written only when given, as gguf-py does: ggml then uses 32).
//
// Split sets, as llama.cpp's gguf-split writes them: an output named like a first part
// (`<prefix>-00001-of-00003.gguf`) or cut by a size limit is written as parts
// `<prefix>-0000i-of-0000N.gguf`. The first part holds all metadata and then split.no
// (uint16, 0-based), split.count (uint16), split.tensors.count (int32); the other parts hold
// only those three keys (so they are laid out at ggml's default alignment, 32).
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

struct WriteOptions {
  uint64_t max_part_bytes = 0;  // > 0: cut a split set by size (see WriteGguf)
  bool replaces_input = false;  // the output may be the input's files (--in-place)
};

// Writes `store` at `path` with `metadata`; returns the files written (a split set's parts in
// order). Tensors of a GGUF source keep their source order (by source_name); the rest follow
// in name order. The parts:
//  * options.max_part_bytes > 0: cut by size (gguf-split --split-max-size's rule, a tensor larger
//    than the limit alone in its part); one part is one file at `path`, several are named
//    after `path` (`m.gguf` -> `m-00001-of-00003.gguf`), or must match the count `path` names;
//  * else a `path` named like part 1 of N: the source must be a GGUF split set of N parts,
//    and part i gets the tensors of source part i (a tensor from elsewhere: the last part);
//  * else one file.
// Errors, all before anything is written: kNotSupported listing every tensor that cannot be
// written, kNotFound for a tensor without data, kInvalidArgument for a bad alignment, a part
// count the name or the source disagrees with, a name of part 2.. of a set, or parts of
// another set of the same name with another count, a part that is a file of the input
// without options.replaces_input; kIOError.
Result<std::vector<std::string>> WriteGguf(const Checkpoint& source, const TensorStore& store,
                                           const std::string& path,
                                           const std::vector<KeyValue>& metadata,
                                           const WriteOptions& options = {});

}  // namespace rescope::gguf
