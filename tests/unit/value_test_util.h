// SPDX-License-Identifier: Apache-2.0
// Helpers for tests that build tensors in memory: little-endian byte builders, TF bundle
// string layout, and a ByteSource that records the largest single read.
#pragma once

#include <algorithm>
#include <bit>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/store/byte_source.h"
#include "core/store/tensor_store.h"
#include "formats/tf_bundle/crc32c.h"

namespace rescope::testing {

template <typename T>
inline void AppendLE(std::vector<uint8_t>& out, T value) {
  using U = std::make_unsigned_t<std::conditional_t<
      std::is_floating_point_v<T>, std::conditional_t<sizeof(T) == 4, int32_t, int64_t>, T>>;
  const U bits = std::bit_cast<U>(value);
  for (size_t i = 0; i < sizeof(T); ++i) out.push_back(static_cast<uint8_t>(bits >> (8 * i)));
}

template <typename T>
inline std::vector<uint8_t> LEBytes(const std::vector<T>& values) {
  std::vector<uint8_t> out;
  for (T v : values) AppendLE(out, v);
  return out;
}

// TF bundle string layout (FORMATS.md §1.9.2), with a correct length checksum.
inline std::vector<uint8_t> StringTensorBytes(const std::vector<std::string>& strings) {
  std::vector<uint8_t> out;
  uint32_t crc = 0;
  for (const std::string& s : strings) {
    uint64_t len = s.size();
    do {
      out.push_back(static_cast<uint8_t>((len & 0x7f) | (len > 0x7f ? 0x80 : 0)));
      len >>= 7;
    } while (len != 0);
    uint8_t le[4];
    StoreLE32(le, static_cast<uint32_t>(s.size()));
    crc = crc32c::Extend(crc, le, 4);
  }
  AppendLE(out, crc32c::Mask(crc));
  for (const std::string& s : strings) out.insert(out.end(), s.begin(), s.end());
  return out;
}

// A MemoryByteSource that remembers the largest n passed to Read, and counts reads and
// bytes read.
class CountingByteSource final : public ByteSource {
 public:
  CountingByteSource(std::string name, std::vector<uint8_t> bytes)
      : inner_(std::move(name), std::move(bytes)) {}
  const std::string& name() const override { return inner_.name(); }
  uint64_t size() const override { return inner_.size(); }
  Result<ByteView> Read(uint64_t offset, uint64_t n, std::vector<uint8_t>& scratch) const override {
    max_read_ = std::max(max_read_, n);
    ++reads_;
    bytes_read_ += n;
    return inner_.Read(offset, n, scratch);
  }
  uint64_t max_read() const { return max_read_; }
  uint64_t reads() const { return reads_; }
  uint64_t bytes_read() const { return bytes_read_; }

 private:
  MemoryByteSource inner_;
  mutable uint64_t max_read_ = 0;
  mutable uint64_t reads_ = 0;
  mutable uint64_t bytes_read_ = 0;
};

// An entry whose bytes are `bytes` at offset `offset` of a fresh in-memory source (the
// source holds `offset` zero bytes first, so offsets are exercised).
inline TensorEntry MakeEntry(const std::string& name, DType dtype, std::vector<int64_t> shape,
                             std::vector<uint8_t> bytes, uint64_t offset = 3) {
  TensorEntry e;
  e.name = name;
  e.dtype = dtype;
  e.shape = std::move(shape);
  e.byte_size = bytes.size();
  e.data_offset = offset;
  std::vector<uint8_t> all(offset, 0);
  all.insert(all.end(), bytes.begin(), bytes.end());
  e.data = std::make_shared<MemoryByteSource>("mem", std::move(all));
  return e;
}

}  // namespace rescope::testing
