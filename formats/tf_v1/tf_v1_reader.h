// SPDX-License-Identifier: Apache-2.0
// Reader for TensorFlow V1 checkpoints (SavedTensorSlices tables, FORMATS.md §4): one table
// per shard whose "" record lists the tensors and whose other records hold the values as
// TensorProto fields. Values are decoded into the dense little-endian layout the rest of
// rescope uses when a command first reads a tensor.
#pragma once

#include <string>
#include <vector>

#include "core/store/tensor_store.h"

namespace rescope::tfv1 {

// `files` are the shard tables (one for an unsharded checkpoint).
Result<Checkpoint> OpenTfV1(const std::string& prefix, const std::vector<std::string>& files);

// Decodes TensorProto value fields (no dtype/shape inside V1 records) into dense LE bytes
// (strings: TF bundle string layout). Exposed for tests.
Result<std::vector<uint8_t>> DecodeTensorProtoValues(ByteView proto, DType dtype,
                                                     uint64_t num_elements,
                                                     const std::string& where);

}  // namespace rescope::tfv1
