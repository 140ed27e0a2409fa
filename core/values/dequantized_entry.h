// SPDX-License-Identifier: Apache-2.0
// GGML block-quantized tensors as float32 (`convert --dequantize`): the entry's data becomes
// a ByteSource that dequantizes the blocks holding each requested window, so a tensor is
// never dequantized whole and memory stays bounded by the window.
#pragma once

#include "core/store/status.h"
#include "core/store/tensor_store.h"

namespace rescope {

// `entry` (a GGML block type with a dequantizer) as float32: same name and shape, data the
// dequantizing source (data_offset 0), no stored checksum, bytes_transformed set, and a
// ("transform", "dequantized from q4_0") note. kNotSupported when the type has no
// dequantizer; kCorruption when its byte size does not match its shape.
Result<TensorEntry> DequantizedEntry(const TensorEntry& entry);

}  // namespace rescope
