// SPDX-License-Identifier: Apache-2.0
// Gathering strided tensor elements into row-major bytes, one innermost row at a time.
#include "core/store/strided_source.h"

#include <algorithm>
#include <cstring>

namespace rescope {

bool IsRowMajor(const std::vector<int64_t>& size, const std::vector<int64_t>& stride) {
  int64_t expected = 1;
  for (size_t k = size.size(); k > 0; --k) {
    if (size[k - 1] != 1 && stride[k - 1] != expected) return false;
    expected *= size[k - 1];
  }
  return true;
}

std::optional<uint64_t> ElementsSpanned(int64_t storage_offset, const std::vector<int64_t>& size,
                                        const std::vector<int64_t>& stride) {
  constexpr uint64_t kLimit = uint64_t{1} << 62;
  uint64_t last = static_cast<uint64_t>(storage_offset);
  for (size_t k = 0; k < size.size(); ++k) {
    if (size[k] == 0) return static_cast<uint64_t>(storage_offset);
  }
  for (size_t k = 0; k < size.size(); ++k) {
    uint64_t step = 0;
    if (__builtin_mul_overflow(static_cast<uint64_t>(size[k] - 1), static_cast<uint64_t>(stride[k]),
                               &step) ||
        __builtin_add_overflow(last, step, &last) || last > kLimit) {
      return std::nullopt;
    }
  }
  return last + 1;
}

StridedByteSource::StridedByteSource(std::string name, std::shared_ptr<const ByteSource> base,
                                     uint64_t storage_start, uint32_t element_size,
                                     int64_t storage_offset, std::vector<int64_t> size,
                                     std::vector<int64_t> stride, uint64_t numel)
    : name_(std::move(name)),
      base_(std::move(base)),
      storage_start_(storage_start),
      element_size_(element_size),
      storage_offset_(storage_offset),
      size_(std::move(size)),
      stride_(std::move(stride)),
      numel_(numel) {}

Result<ByteView> StridedByteSource::Read(uint64_t offset, uint64_t n,
                                         std::vector<uint8_t>& scratch) const {
  if (!RangeFits(offset, n, size())) {
    return Status::Corruption(name_ + ": bytes [" + Hex(offset) + ", " + Hex(offset + n) +
                              ") run past end (" + Hex(size()) + ")");
  }
  scratch.resize(n);
  if (n == 0) return ByteView(scratch.data(), 0);
  const uint64_t es = element_size_;
  const uint64_t first = offset / es, last = (offset + n - 1) / es;
  const size_t rank = size_.size();
  std::vector<int64_t> idx(rank, 0);
  uint64_t rest = first;
  for (size_t k = rank; k > 0; --k) {
    idx[k - 1] = static_cast<int64_t>(rest % static_cast<uint64_t>(size_[k - 1]));
    rest /= static_cast<uint64_t>(size_[k - 1]);
  }
  // Copies the part of element e that falls inside [offset, offset + n).
  auto copy_element = [&](uint64_t e, const uint8_t* src) {
    const uint64_t lo = std::max(e * es, offset), hi = std::min(e * es + es, offset + n);
    std::memcpy(scratch.data() + (lo - offset), src + (lo - e * es), hi - lo);
  };
  constexpr uint64_t kMaxRowSpan = 1 << 20;
  std::vector<uint8_t> tmp;
  for (uint64_t e = first; e <= last;) {
    const int64_t inner = rank ? size_[rank - 1] : 1;
    const int64_t step = rank ? stride_[rank - 1] : 0;
    const uint64_t count =
        std::min<uint64_t>(static_cast<uint64_t>(inner - (rank ? idx[rank - 1] : 0)), last - e + 1);
    uint64_t pos = static_cast<uint64_t>(storage_offset_);
    for (size_t k = 0; k < rank; ++k) pos += static_cast<uint64_t>(idx[k] * stride_[k]);
    const uint64_t span = ((count - 1) * static_cast<uint64_t>(step) + 1) * es;
    if (span <= kMaxRowSpan) {
      auto view = base_->Read(storage_start_ + pos * es, span, tmp);
      if (!view.ok()) return view.status();
      for (uint64_t j = 0; j < count; ++j) {
        copy_element(e + j, view->data + j * static_cast<uint64_t>(step) * es);
      }
    } else {
      for (uint64_t j = 0; j < count; ++j) {
        auto view =
            base_->Read(storage_start_ + (pos + j * static_cast<uint64_t>(step)) * es, es, tmp);
        if (!view.ok()) return view.status();
        copy_element(e + j, view->data);
      }
    }
    e += count;
    if (rank == 0) break;
    idx[rank - 1] += static_cast<int64_t>(count);
    for (size_t k = rank - 1; k > 0 && idx[k] >= size_[k]; --k) {
      idx[k] = 0;
      ++idx[k - 1];
    }
  }
  return ByteView(scratch.data(), n);
}

}  // namespace rescope
