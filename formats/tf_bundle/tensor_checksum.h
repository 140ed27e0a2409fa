// SPDX-License-Identifier: Apache-2.0
// Recomputes the CRC32C TensorFlow stores for a tensor's bytes (FORMATS.md §1.9), streaming
// through the data in windows so memory does not grow with tensor size.
#pragma once

#include "core/store/tensor_store.h"

namespace rescope::tfbundle {

// Unmasked CRC32C as TF defines it for this dtype: plain CRC of the bytes for numeric
// types; for strings the length/bytes scheme of §1.9.2 (also checking the stored length
// checksum); for variants the per-element scheme of §1.9.3. Fails when the bytes are
// unavailable, out of range, or malformed.
Result<uint32_t> ComputeTensorChecksum(const TensorEntry& entry);

// Plain CRC32C over [offset, offset + size) of a source, in windows.
Result<uint32_t> StreamCrc32c(const ByteSource& source, uint64_t offset, uint64_t size);

}  // namespace rescope::tfbundle
