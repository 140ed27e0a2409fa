// Axis permutations as on-demand gathering ByteSources.
#include "core/tensor_transform.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>

#include "core/strided_source.h"

namespace rescope {
namespace {

// Gathers output windows of a permuted tensor. Small tensors are gathered from an
// in-memory copy of the input (see the header); large ones through a StridedByteSource
// reading the input source directly.
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
    if (byte_size_ > cache_limit) {
      direct_ = std::make_unique<StridedByteSource>(name_, base_, offset_, element_size_, 0, shape_,
                                                    stride_, byte_size_ / element_size_);
    }
  }

  const std::string& name() const override { return name_; }
  uint64_t size() const override { return byte_size_; }

  Result<ByteView> Read(uint64_t offset, uint64_t n, std::vector<uint8_t>& scratch) const override {
    if (!RangeFits(offset, n, byte_size_)) {
      return Status::Corruption(name_ + ": bytes [" + Hex(offset) + ", " + Hex(offset + n) +
                                ") run past end (" + Hex(byte_size_) + ")");
    }
    if (direct_) return direct_->Read(offset, n, scratch);
    std::shared_ptr<const std::vector<uint8_t>> input;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!cache_) {
        auto loaded = LoadInput();
        if (!loaded.ok()) return loaded.status();
        cache_ = std::move(loaded).value();
      }
      input = cache_;
      // Writers stream each tensor once, front to back: the read that reaches the end is
      // the last, so the copy goes (a later read simply loads it again).
      if (offset + n == byte_size_) cache_.reset();
    }
    Gather(*input, offset, n, scratch);
    return ByteView(scratch.data(), n);
  }

 private:
  Result<std::shared_ptr<const std::vector<uint8_t>>> LoadInput() const {
    auto bytes = std::make_shared<std::vector<uint8_t>>(byte_size_);
    std::vector<uint8_t> scratch;
    constexpr uint64_t kWindow = uint64_t{8} << 20;
    for (uint64_t done = 0; done < byte_size_;) {
      const uint64_t n = std::min(kWindow, byte_size_ - done);
      auto view = base_->ReadStreaming(offset_ + done, n, scratch);
      if (!view.ok()) return view.status();
      std::memcpy(bytes->data() + done, view->data, n);
      done += n;
    }
    return std::shared_ptr<const std::vector<uint8_t>>(std::move(bytes));
  }

  // Copies output bytes [offset, offset + n) into scratch, walking the output index with
  // an odometer over shape_ and the matching input position through stride_.
  void Gather(const std::vector<uint8_t>& in, uint64_t offset, uint64_t n,
              std::vector<uint8_t>& scratch) const {
    scratch.resize(n);
    if (n == 0) return;
    const uint64_t es = element_size_;
    const size_t rank = shape_.size();
    const uint64_t first = offset / es, last = (offset + n - 1) / es;
    std::vector<int64_t> idx(rank, 0);
    uint64_t rest = first, pos = 0;
    for (size_t k = rank; k > 0; --k) {
      idx[k - 1] = static_cast<int64_t>(rest % static_cast<uint64_t>(shape_[k - 1]));
      rest /= static_cast<uint64_t>(shape_[k - 1]);
      pos += static_cast<uint64_t>(idx[k - 1] * stride_[k - 1]);
    }
    for (uint64_t e = first; e <= last; ++e) {
      const uint64_t lo = std::max(e * es, offset), hi = std::min(e * es + es, offset + n);
      std::memcpy(scratch.data() + (lo - offset), in.data() + pos * es + (lo - e * es), hi - lo);
      for (size_t k = rank; k > 0; --k) {
        pos += static_cast<uint64_t>(stride_[k - 1]);
        if (++idx[k - 1] < shape_[k - 1]) break;
        pos -= static_cast<uint64_t>(stride_[k - 1] * shape_[k - 1]);
        idx[k - 1] = 0;
      }
    }
  }

  std::string name_;
  std::shared_ptr<const ByteSource> base_;
  uint64_t offset_, byte_size_;
  uint32_t element_size_;
  std::vector<int64_t> shape_, stride_;
  std::unique_ptr<StridedByteSource> direct_;
  mutable std::mutex mu_;
  mutable std::shared_ptr<const std::vector<uint8_t>> cache_;
};

bool IsIdentity(const std::vector<int>& perm) {
  for (size_t i = 0; i < perm.size(); ++i) {
    if (perm[i] != static_cast<int>(i)) return false;
  }
  return true;
}

}  // namespace

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
  if (!entry.data) return what + ": its data cannot be read (" + entry.data_error + ")";
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
  out.notes.emplace_back(
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
