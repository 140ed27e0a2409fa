// SPDX-License-Identifier: Apache-2.0
// DT_STRING tensor bytes in a TF bundle data shard (FORMATS.md §1.9.2): all lengths as
// varint64, a masked CRC32C of the lengths, then all string bytes.
//
// The lengths are checksummed as fixed-width little-endian integers (4 bytes, or 8 when a
// length exceeds 0xffffffff), not as their varint bytes; the running CRC then covers the
// 4 stored bytes of the masked length checksum and every string byte. The entry's crc32c
// field stores Mask() of that final CRC.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/store/byte_source.h"
#include "core/store/status.h"

namespace rescope {

// Decodes `num_elements` strings from `bytes` (the entry's [offset, offset + size) range).
// Checks the length checksum, then, when `expected_unmasked_crc` is given, the CRC of
// everything read (compare with Unmask(entry.crc32c)). Every length is checked against the
// bytes left before anything is allocated, so a corrupt count or length cannot make it
// allocate more than `bytes.size`. Bytes after the last string are ignored, as TF does.
// Errors (kCorruption) read `<where> @0x<offset in bytes>: <what>`, e.g.
//   `ckpt.data-00000-of-00001: tensor "x" @0x1: length checksum mismatch (stored 0x..,
//   computed 0x..)` (both values unmasked).
Result<std::vector<std::string>> DecodeStringTensor(ByteView bytes, uint64_t num_elements,
                                                    std::optional<uint32_t> expected_unmasked_crc,
                                                    std::string_view where);

// Encodes strings in TF's layout. When `unmasked_crc_out` is non-null it receives the CRC
// to store (masked) in BundleEntryProto.crc32c; the entry's size is the returned size.
std::string EncodeStringTensor(const std::vector<std::string>& strings, uint32_t* unmasked_crc_out);

}  // namespace rescope
