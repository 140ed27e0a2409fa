// SPDX-License-Identifier: Apache-2.0
// Reader for GGUF files (llama.cpp's single-file format, docs/FORMATS-gguf.md), and for
// split sets of them (`<stem>-00001-of-00003.gguf`, with keys split.no / split.count /
// split.tensors.count): opening any part opens the whole set as one checkpoint.
//
// Opening maps each file and parses only its header (gguf_header.h, fully validated);
// entries point into the mapped files. An entry's shape is the GGUF dims reversed (the
// row-major shape gguf-py's numpy arrays, safetensors and PyTorch use); its dtype is the
// plain DType for GGML's F32/F16/BF16/F64/I8..I64 and DType(kGgmlTypeBase + ggml_type) for
// block types. Notes carry the GGML type name ("ggml_type") and the GGUF-order dims
// ("gguf_dims") for `ls --json`.
#pragma once

#include <memory>
#include <string>

#include "core/store/tensor_store.h"
#include "formats/gguf/gguf_model.h"

namespace rescope::gguf {

inline constexpr char kFormatName[] = "gguf";

// True when `path` is a regular file starting with the "GGUF" magic.
bool SniffGguf(const std::string& path);

// Opens a GGUF file, or the split set it is part of. Properties for `info`: version,
// architecture, alignment, tensor types (count and bytes per GGML type), tokenizer sizes,
// and every metadata key as "metadata.<key>" (arrays summarized: type, count, first
// elements). A missing or mismatched part of a split set is an error naming it.
Result<Checkpoint> OpenGguf(const std::string& path);

// Opens one GGUF file from an already-open source (tests, fuzzing); split keys are not
// followed.
Result<Checkpoint> OpenGgufSource(std::shared_ptr<const ByteSource> file);

// A metadata value as `info` shows it: a scalar's value ("7", "0.5", "true"), a string's
// text, "array of 3 int32: [1, 2, 3]" with the first `max_elements` elements of an array.
std::string DescribeValue(const Value& value, size_t max_elements = 8);

}  // namespace rescope::gguf
