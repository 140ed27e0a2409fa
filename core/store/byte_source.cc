// SPDX-License-Identifier: Apache-2.0
// Memory-backed ByteSource and hex formatting.
#include "core/store/byte_source.h"

#include <cstdio>

namespace rescope {

std::string Hex(uint64_t value) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "0x%llx", static_cast<unsigned long long>(value));
  return buf;
}

Result<ByteView> MemoryByteSource::Read(uint64_t offset, uint64_t n, std::vector<uint8_t>&) const {
  if (!RangeFits(offset, n, bytes_.size())) {
    return Status::Corruption(name_ + ": bytes [" + Hex(offset) + ", " + Hex(offset + n) +
                              ") run past end (" + Hex(bytes_.size()) + ")");
  }
  return ByteView(bytes_.data() + offset, static_cast<size_t>(n));
}

}  // namespace rescope
