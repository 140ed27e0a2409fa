// SPDX-License-Identifier: Apache-2.0
// StridedByteSource: the logical row-major bytes of a strided tensor view (a PyTorch view,
// PYTORCH.md §3.4, or a tensor with permuted axes), gathered on demand from the storage
// bytes of another ByteSource.
//
// Reads gather only the elements that cover the requested window (never the whole tensor).
// The base source is shared (held by shared_ptr). The constructor's caller must already
// have checked that every element lies inside the storage (see ElementsSpanned).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/store/byte_source.h"

namespace rescope {

// True when `stride` is the row-major stride of `size` (dims of size 1 may have any stride).
bool IsRowMajor(const std::vector<int64_t>& size, const std::vector<int64_t>& stride);

// Largest element index touched + 1 (storage elements needed), or nullopt on overflow.
// 0 for a zero-element tensor beyond its offset.
std::optional<uint64_t> ElementsSpanned(int64_t storage_offset, const std::vector<int64_t>& size,
                                        const std::vector<int64_t>& stride);

class StridedByteSource final : public ByteSource {
 public:
  // `storage_start` is the byte offset of the storage inside `base`; offsets and strides are
  // in elements of `element_size` bytes; `numel` is the product of `size`.
  StridedByteSource(std::string name, std::shared_ptr<const ByteSource> base,
                    uint64_t storage_start, uint32_t element_size, int64_t storage_offset,
                    std::vector<int64_t> size, std::vector<int64_t> stride, uint64_t numel);

  const std::string& name() const override { return name_; }
  uint64_t size() const override { return numel_ * element_size_; }
  Result<ByteView> Read(uint64_t offset, uint64_t n, std::vector<uint8_t>& scratch) const override;

 private:
  std::string name_;
  std::shared_ptr<const ByteSource> base_;
  uint64_t storage_start_;
  uint32_t element_size_;
  int64_t storage_offset_;
  std::vector<int64_t> size_, stride_;
  uint64_t numel_;
};

}  // namespace rescope
