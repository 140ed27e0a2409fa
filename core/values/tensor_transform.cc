// SPDX-License-Identifier: Apache-2.0
// Axis permutations as on-demand gathering ByteSources.
#include "core/values/tensor_transform.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>

#include "core/store/strided_source.h"

namespace rescope {
namespace {

// Gathers output windows of a permuted tensor through a StridedByteSource: for small
// tensors over an in-memory copy of the input (see the header), for large ones over the
// input source itself.
class PermutedByteSource final : public ByteSource {
 public:
  PermutedByteSource(std::string name, std::shared_ptr<const ByteSource> base, uint64_t offset,
                     uint64_t byte_size, uint32_t element_size, std::vector<int64_t> out_shape,
                     std::vector<int64_t> out_stride, uint64_t cache_limit)
      : name_(std::move(name)),
        base_(std::move(base)),
        offset_(offset),
        byte_size_(byte_size),
        element_size_(element_size),
        shape_(std::move(out_shape)),
        stride_(std::move(out_stride)) {
    if (byte_size_ > cache_limit) direct_ = Over(base_, offset_);
  }

  const std::string& name() const override { return name_; }
  uint64_t size() const override { return byte_size_; }

  Result<ByteView> Read(uint64_t offset, uint64_t n, std::vector<uint8_t>& scratch) const override {
    if (direct_) return direct_->Read(offset, n, scratch);
    std::shared_ptr<const ByteSource> cached;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!cache_) {
        auto loaded = LoadInput();
        if (!loaded.ok()) return loaded.status();
        cache_ = Over(std::move(loaded).value(), 0);
      }
      cached = cache_;
      // Writers stream each tensor once, front to back: the read that reaches the end is
      // the last, so the copy goes (a later read simply loads it again).
      if (RangeFits(offset, n, byte_size_) && offset + n == byte_size_) cache_.reset();
    }
    // StridedByteSource always gathers into scratch, so the view outlives the copy.
    return cached->Read(offset, n, scratch);
  }

 private:
  std::shared_ptr<const ByteSource> Over(std::shared_ptr<const ByteSource> input,
                                         uint64_t start) const {
    return std::make_shared<StridedByteSource>(name_, std::move(input), start, element_size_, 0,
                                               shape_, stride_, byte_size_ / element_size_);
  }

  Result<std::shared_ptr<const ByteSource>> LoadInput() const {
    std::vector<uint8_t> bytes(byte_size_);
    std::vector<uint8_t> scratch;
    constexpr uint64_t kWindow = uint64_t{8} << 20;
    for (uint64_t done = 0; done < byte_size_;) {
      const uint64_t n = std::min(kWindow, byte_size_ - done);
      auto view = base_->ReadStreaming(offset_ + done, n, scratch);
      if (!view.ok()) return view.status();
      std::memcpy(bytes.data() + done, view->data, n);
      done += n;
    }
    return std::shared_ptr<const ByteSource>(
        std::make_shared<MemoryByteSource>(name_, std::move(bytes)));
  }

  std::string name_;
  std::shared_ptr<const ByteSource> base_;
  uint64_t offset_, byte_size_;
  uint32_t element_size_;
  std::vector<int64_t> shape_, stride_;
  std::shared_ptr<const ByteSource> direct_;
  mutable std::mutex mu_;
  mutable std::shared_ptr<const ByteSource> cache_;
};

bool IsIdentity(const std::vector<int>& perm) {
  for (size_t i = 0; i < perm.size(); ++i) {
    if (perm[i] != static_cast<int>(i)) return false;
  }
  return true;
}

}  // namespace

bool AnyBytesTransformed(const TensorStore& store) {
  return std::any_of(store.begin(), store.end(),
                     [](const auto& kv) { return kv.second.bytes_transformed; });
}

std::string PermutationToString(const std::vector<int>& perm) {
  std::string out = "[";
  for (size_t i = 0; i < perm.size(); ++i) {
    if (i > 0) out += ", ";
    out += std::to_string(perm[i]);
  }
  return out + "]";
}

std::optional<std::string> WhyNotPermutable(const TensorEntry& entry,
                                            const std::vector<int>& perm) {
  const std::string what = perm == std::vector<int>{1, 0} ? std::string("transpose")
                                                          : "permute " + PermutationToString(perm);
  if (entry.kind != EntryKind::kTensor) {
    return what +
           " cannot be applied to a partitioned variable (its slices are stored "
           "separately)";
  }
  if (entry.shape.size() != perm.size()) {
    return what + " needs a " + std::to_string(perm.size()) + "-D tensor, found shape " +
           ShapeToString(entry.shape);
  }
  std::vector<bool> seen(perm.size(), false);
  for (int axis : perm) {
    if (axis < 0 || static_cast<size_t>(axis) >= perm.size() || seen[static_cast<size_t>(axis)]) {
      return what + " is not a permutation of 0.." + std::to_string(perm.size() - 1);
    }
    seen[static_cast<size_t>(axis)] = true;
  }
  const auto esize = DTypeElementSize(entry.dtype);
  if (!esize || *esize == 0) {
    return what + " needs fixed-size elements, found dtype " + DTypeName(entry.dtype);
  }
  const auto numel = entry.NumElements();
  if (!numel || *numel * *esize != entry.byte_size) {
    return what + ": stored size " + std::to_string(entry.byte_size) +
           " bytes does not match shape " + ShapeToString(entry.shape);
  }
  if (!entry.data) return what + ": its data cannot be read (" + entry.data_error() + ")";
  return std::nullopt;
}

Result<TensorEntry> PermuteEntry(const TensorEntry& entry, const std::vector<int>& perm,
                                 uint64_t cache_limit) {
  if (auto why = WhyNotPermutable(entry, perm)) {
    return Status::InvalidArgument("\"" + entry.name + "\": " + *why);
  }
  if (IsIdentity(perm)) return entry;
  const size_t rank = perm.size();
  std::vector<int64_t> in_stride(rank, 1);
  for (size_t k = rank; k > 1; --k) in_stride[k - 2] = in_stride[k - 1] * entry.shape[k - 1];
  std::vector<int64_t> shape(rank), stride(rank);
  for (size_t i = 0; i < rank; ++i) {
    shape[i] = entry.shape[static_cast<size_t>(perm[i])];
    stride[i] = in_stride[static_cast<size_t>(perm[i])];
  }
  TensorEntry out = entry;
  out.mutable_notes().emplace_back(
      "transform", "permute " + PermutationToString(perm) + " from " + ShapeToString(entry.shape));
  out.data = std::make_shared<PermutedByteSource>(
      entry.data->name() + ": " + entry.name + " permuted " + PermutationToString(perm), entry.data,
      entry.data_offset, entry.byte_size, *DTypeElementSize(entry.dtype), shape, stride,
      cache_limit);
  out.shape = std::move(shape);
  out.data_offset = 0;
  out.stored_crc32c.reset();
  out.bytes_transformed = true;
  return out;
}

}  // namespace rescope
