// SPDX-License-Identifier: Apache-2.0
// Encoding and checked decoding of DT_STRING tensor bytes (FORMATS.md §1.9.2).
#include "formats/tf_bundle/string_tensor.h"

#include <cstdio>

#include "formats/byte_cursor.h"
#include "formats/tf_bundle/crc32c.h"

namespace rescope {
namespace {

// TF keeps the 4-byte form for lengths that fit so old varint32-era checksums still match.
uint32_t ExtendWithLength(uint32_t crc, uint64_t length) {
  uint8_t buf[8];
  StoreLE64(buf, length);
  return crc32c::Extend(crc, buf, length <= 0xffffffffu ? 4 : 8);
}

std::string Crc(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "0x%08x", v);
  return buf;
}

}  // namespace

Result<std::vector<std::string>> DecodeStringTensor(ByteView bytes, uint64_t num_elements,
                                                    std::optional<uint32_t> expected_unmasked_crc,
                                                    std::string_view where) {
  try {
    ByteCursor cursor(bytes, where, "");
    // Every element needs a varint byte and there is a 4-byte checksum.
    if (bytes.size < 4 || num_elements > bytes.size - 4) {
      cursor.Fail("string tensor of " + std::to_string(num_elements) + " elements needs at least " +
                  std::to_string(num_elements) + " + 4 bytes (size is " +
                  std::to_string(bytes.size) + ")");
    }
    std::vector<uint64_t> lengths;
    lengths.reserve(static_cast<size_t>(num_elements));
    uint32_t crc = 0;
    uint64_t total = 0;
    for (uint64_t i = 0; i < num_elements; ++i) {
      const size_t at = cursor.position();
      const uint64_t len = cursor.ReadVarint64("string length #" + std::to_string(i));
      // Still to come: the other lengths (a byte or more each) and the 4-byte checksum.
      const uint64_t reserved = 4 + (num_elements - 1 - i);
      if (cursor.remaining() < reserved) {
        cursor.FailAt(at, "string lengths run past the end (" + std::to_string(num_elements) +
                              " elements in " + std::to_string(bytes.size) + " bytes)");
      }
      const uint64_t room = cursor.remaining() - reserved;  // for all string bytes
      if (total > room || len > room - total) {
        cursor.FailAt(at, "string #" + std::to_string(i) + " length " + std::to_string(len) +
                              " runs past the end (" + std::to_string(bytes.size) +
                              " bytes in the tensor)");
      }
      total += len;
      crc = ExtendWithLength(crc, len);
      lengths.push_back(len);
    }
    const size_t checksum_at = cursor.position();
    const ByteView stored_bytes = cursor.ReadBytes(4, "length checksum");
    const uint32_t stored = crc32c::Unmask(LoadLE32(stored_bytes.data));
    if (stored != crc) {
      cursor.FailAt(checksum_at, "length checksum mismatch (stored " + Crc(stored) + ", computed " +
                                     Crc(crc) + ")");
    }
    crc = crc32c::Extend(crc, stored_bytes.data, 4);
    std::vector<std::string> strings;
    strings.reserve(lengths.size());
    for (const uint64_t len : lengths) {
      const ByteView s = cursor.ReadBytes(len, "string bytes");
      crc = crc32c::Extend(crc, s.data, s.size);
      strings.emplace_back(s.AsStringView());
    }
    if (expected_unmasked_crc && *expected_unmasked_crc != crc) {
      cursor.FailAt(0, "checksum mismatch (stored " + Crc(*expected_unmasked_crc) + ", computed " +
                           Crc(crc) + ")");
    }
    return strings;
  } catch (const FormatError& e) {
    return e.status();
  }
}

std::string EncodeStringTensor(const std::vector<std::string>& strings,
                               uint32_t* unmasked_crc_out) {
  std::string out;
  uint32_t crc = 0;
  for (const std::string& s : strings) {
    AppendVarint64(out, s.size());
    crc = ExtendWithLength(crc, s.size());
  }
  const size_t checksum_at = out.size();
  AppendFixed32(out, crc32c::Mask(crc));
  crc = crc32c::Extend(crc, reinterpret_cast<const uint8_t*>(out.data() + checksum_at), 4);
  for (const std::string& s : strings) {
    out += s;
    crc = crc32c::Extend(crc, reinterpret_cast<const uint8_t*>(s.data()), s.size());
  }
  if (unmasked_crc_out != nullptr) *unmasked_crc_out = crc;
  return out;
}

}  // namespace rescope
