// SPDX-License-Identifier: Apache-2.0
// DeepCopyPtr<T>: an owning pointer whose copies copy the pointee, so a struct can keep
// rarely-set fields behind one pointer and still be copied with its defaulted members.
#pragma once

#include <memory>
#include <utility>

namespace rescope {

template <typename T>
class DeepCopyPtr {
 public:
  DeepCopyPtr() = default;
  DeepCopyPtr(const DeepCopyPtr& other)
      : ptr_(other.ptr_ ? std::make_unique<T>(*other.ptr_) : nullptr) {}
  DeepCopyPtr(DeepCopyPtr&&) noexcept = default;
  DeepCopyPtr& operator=(const DeepCopyPtr& other) {
    if (this != &other) ptr_ = other.ptr_ ? std::make_unique<T>(*other.ptr_) : nullptr;
    return *this;
  }
  DeepCopyPtr& operator=(DeepCopyPtr&&) noexcept = default;

  const T* get() const { return ptr_.get(); }
  // The pointee, made (value-initialized) on first use.
  T& GetOrCreate() {
    if (!ptr_) ptr_ = std::make_unique<T>();
    return *ptr_;
  }

 private:
  std::unique_ptr<T> ptr_;
};

}  // namespace rescope
