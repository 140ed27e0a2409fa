// SPDX-License-Identifier: Apache-2.0
// Streaming checksum computation for bundle tensors.
#include "formats/tf_bundle/tensor_checksum.h"

#include <algorithm>

#include "core/output/progress.h"
#include "formats/byte_cursor.h"
#include "formats/tf_bundle/crc32c.h"

namespace rescope::tfbundle {
namespace {

constexpr uint64_t kWindow = 4 << 20;

// Sequential reader over an entry's bytes that refills a window as needed.
class Stream {
 public:
  Stream(const TensorEntry& e) : e_(e) {}
  // Reads n bytes (n <= kWindow) into `out`.
  Status Take(uint64_t n, ByteView* out) {
    if (n > e_.byte_size - pos_) {
      return Status::Corruption(e_.data->name() + ": tensor \"" + e_.name + "\" @" +
                                Hex(e_.data_offset + pos_) + ": needs " + std::to_string(n) +
                                " more bytes, entry size leaves " +
                                std::to_string(e_.byte_size - pos_));
    }
    auto r = e_.data->Read(e_.data_offset + pos_, n, scratch_);
    if (!r.ok()) return r.status();
    *out = *r;
    pos_ += n;
    return Status::Ok();
  }
  Status TakeVarint(uint64_t* v) {
    // Varints are at most 10 bytes; read byte by byte through the mapping.
    *v = 0;
    for (int shift = 0; shift < 70; shift += 7) {
      ByteView b;
      RESCOPE_RETURN_IF_ERROR(Take(1, &b));
      *v |= static_cast<uint64_t>(b[0] & 0x7f) << shift;
      if ((b[0] & 0x80) == 0) return Status::Ok();
    }
    return Status::Corruption(e_.data->name() + ": tensor \"" + e_.name + "\" @" +
                              Hex(e_.data_offset + pos_) + ": over-long length varint");
  }
  uint64_t pos() const { return pos_; }

 private:
  const TensorEntry& e_;
  uint64_t pos_ = 0;
  std::vector<uint8_t> scratch_;
};

Result<uint32_t> StringChecksum(const TensorEntry& e) {
  const auto n = e.NumElements().value_or(0);
  if (n > e.byte_size) {
    return Status::Corruption(e.data->name() + ": tensor \"" + e.name + "\": " + std::to_string(n) +
                              " strings cannot fit in " + std::to_string(e.byte_size) + " bytes");
  }
  Stream s(e);
  uint32_t crc = 0;
  uint64_t total = 0;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t len = 0;
    RESCOPE_RETURN_IF_ERROR(s.TakeVarint(&len));
    uint8_t buf[8];
    if (len <= UINT32_MAX) {
      StoreLE32(buf, static_cast<uint32_t>(len));
      crc = crc32c::Extend(crc, buf, 4);
    } else {
      StoreLE64(buf, len);
      crc = crc32c::Extend(crc, buf, 8);
    }
    if (len > e.byte_size || total > e.byte_size - len) {
      return Status::Corruption(e.data->name() + ": tensor \"" + e.name + "\": string #" +
                                std::to_string(i) + " length " + std::to_string(len) +
                                " exceeds the entry size " + std::to_string(e.byte_size));
    }
    total += len;
  }
  ByteView lc;
  RESCOPE_RETURN_IF_ERROR(s.Take(4, &lc));
  const uint32_t stored = crc32c::Unmask(LoadLE32(lc.data));
  if (stored != crc) {
    return Status::Corruption(e.data->name() + ": tensor \"" + e.name + "\" @" +
                              Hex(e.data_offset + s.pos() - 4) +
                              ": string length checksum mismatch (stored " + Hex(stored) +
                              ", computed " + Hex(crc) + ")");
  }
  crc = crc32c::Extend(crc, lc.data, 4);
  while (total > 0) {
    const uint64_t chunk = std::min(total, kWindow);
    ByteView b;
    RESCOPE_RETURN_IF_ERROR(s.Take(chunk, &b));
    crc = crc32c::Extend(crc, b.data, b.size);
    total -= chunk;
  }
  return crc;
}

Result<uint32_t> VariantChecksum(const TensorEntry& e) {
  const auto n = e.NumElements().value_or(0);
  Stream s(e);
  uint32_t crc = 0;
  for (uint64_t i = 0; i < n; ++i) {
    uint64_t len = 0;
    RESCOPE_RETURN_IF_ERROR(s.TakeVarint(&len));
    uint8_t buf[8];
    StoreLE64(buf, len);
    crc = crc32c::Extend(crc, buf, 8);
    while (len > 0) {
      const uint64_t chunk = std::min(len, kWindow);
      ByteView b;
      RESCOPE_RETURN_IF_ERROR(s.Take(chunk, &b));
      crc = crc32c::Extend(crc, b.data, b.size);
      len -= chunk;
    }
    ByteView m;
    RESCOPE_RETURN_IF_ERROR(s.Take(4, &m));
    if (crc32c::Unmask(LoadLE32(m.data)) != crc) {
      return Status::Corruption(e.data->name() + ": tensor \"" + e.name + "\": variant element #" +
                                std::to_string(i) + " checksum mismatch");
    }
    crc = crc32c::Extend(crc, m.data, 4);
  }
  return crc;
}

}  // namespace

Result<uint32_t> StreamCrc32c(const ByteSource& source, uint64_t offset, uint64_t size) {
  std::vector<uint8_t> scratch;
  uint32_t crc = 0;
  uint64_t done = 0;
  while (done < size) {
    const uint64_t chunk = std::min(size - done, kWindow);
    auto r = source.Read(offset + done, chunk, scratch);
    if (!r.ok()) return r.status();
    crc = crc32c::Extend(crc, r->data, r->size);
    source.Release(offset + done, chunk);
    ReportProgress(chunk);
    done += chunk;
  }
  return crc;
}

Result<uint32_t> ComputeTensorChecksum(const TensorEntry& e) {
  if (!e.data) return Status::NotFound(e.data_error().empty() ? "no data" : e.data_error());
  if (!RangeFits(e.data_offset, e.byte_size, e.data->size())) {
    return Status::Corruption(e.data->name() + ": tensor \"" + e.name + "\": bytes [" +
                              Hex(e.data_offset) + ", " + Hex(e.data_offset + e.byte_size) +
                              ") run past end of file (" + Hex(e.data->size()) + ")");
  }
  if (e.dtype == DType::kString) return StringChecksum(e);
  if (e.dtype == DType::kVariant) return VariantChecksum(e);
  return StreamCrc32c(*e.data, e.data_offset, e.byte_size);
}

}  // namespace rescope::tfbundle
