// SPDX-License-Identifier: Apache-2.0
// Shape: a tensor's dimensions, held inside the entry up to kInlineDims of them.
//
// Almost every tensor has at most four dimensions; keeping them in the object instead of
// a std::vector's heap buffer saves an allocation (and ~50 B) per entry, which matters for
// stores of 100,000+ variables. The interface is the part of std::vector<int64_t> callers
// use, and a Shape converts to a vector and compares with one, so shapes pass freely
// between entries and code that builds dimension lists as vectors.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <span>
#include <vector>

namespace rescope {

class Shape {
 public:
  static constexpr size_t kInlineDims = 4;

  using value_type = int64_t;
  using size_type = size_t;
  using difference_type = std::ptrdiff_t;
  using reference = int64_t&;
  using const_reference = const int64_t&;
  using iterator = int64_t*;
  using const_iterator = const int64_t*;
  using reverse_iterator = std::reverse_iterator<iterator>;
  using const_reverse_iterator = std::reverse_iterator<const_iterator>;

  Shape() noexcept {}
  Shape(std::initializer_list<int64_t> dims) { Assign(dims.begin(), dims.size()); }
  Shape(const std::vector<int64_t>& dims) { Assign(dims.data(), dims.size()); }  // NOLINT
  explicit Shape(std::span<const int64_t> dims) { Assign(dims.data(), dims.size()); }
  template <std::input_iterator It>
  Shape(It first, It last) {
    for (; first != last; ++first) push_back(*first);
  }
  Shape(const Shape& other) { Assign(other.data(), other.size()); }
  Shape(Shape&& other) noexcept { Steal(other); }
  Shape& operator=(const Shape& other) {
    if (this != &other) Assign(other.data(), other.size());
    return *this;
  }
  Shape& operator=(Shape&& other) noexcept {
    if (this != &other) {
      Free();
      Steal(other);
    }
    return *this;
  }
  ~Shape() { Free(); }

  // What code building dimension lists works with.
  operator std::vector<int64_t>() const { return {begin(), end()}; }  // NOLINT

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  int64_t* data() { return OnHeap() ? heap_ : inline_; }
  const int64_t* data() const { return OnHeap() ? heap_ : inline_; }
  iterator begin() { return data(); }
  iterator end() { return data() + size_; }
  const_iterator begin() const { return data(); }
  const_iterator end() const { return data() + size_; }
  reverse_iterator rbegin() { return reverse_iterator(end()); }
  reverse_iterator rend() { return reverse_iterator(begin()); }
  const_reverse_iterator rbegin() const { return const_reverse_iterator(end()); }
  const_reverse_iterator rend() const { return const_reverse_iterator(begin()); }
  int64_t& operator[](size_t i) { return data()[i]; }
  const int64_t& operator[](size_t i) const { return data()[i]; }
  int64_t& front() { return data()[0]; }
  const int64_t& front() const { return data()[0]; }
  int64_t& back() { return data()[size_ - 1]; }
  const int64_t& back() const { return data()[size_ - 1]; }

  void push_back(int64_t dim) {
    if (size_ == capacity_) Reserve(size_t{capacity_} * 2);
    data()[size_++] = dim;
  }
  void pop_back() { --size_; }
  void clear() { size_ = 0; }
  void reserve(size_t n) {
    if (n > capacity_) Reserve(n);
  }
  void resize(size_t n, int64_t value = 0) {
    reserve(n);
    for (size_t i = size_; i < n; ++i) data()[i] = value;
    size_ = static_cast<uint32_t>(n);
  }

  bool operator==(const Shape& other) const {
    return std::equal(begin(), end(), other.begin(), other.end());
  }
  friend bool operator==(const Shape& a, const std::vector<int64_t>& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
  }

 private:
  bool OnHeap() const { return capacity_ > kInlineDims; }
  void Assign(const int64_t* dims, size_t n) {
    size_ = 0;
    reserve(n);
    std::copy(dims, dims + n, data());
    size_ = static_cast<uint32_t>(n);
  }
  // Grows to at least `n` dims (n > capacity_); throws std::length_error past 2^32 - 1 dims.
  void Reserve(size_t n);
  void Free() {
    if (OnHeap()) delete[] heap_;
    capacity_ = kInlineDims;
    size_ = 0;
  }
  void Steal(Shape& other) noexcept {
    size_ = other.size_;
    capacity_ = other.capacity_;
    if (other.OnHeap()) {
      heap_ = other.heap_;
    } else {
      std::copy(other.inline_, other.inline_ + other.size_, inline_);
    }
    other.size_ = 0;
    other.capacity_ = kInlineDims;
  }

  uint32_t size_ = 0;
  uint32_t capacity_ = kInlineDims;
  union {
    int64_t inline_[kInlineDims];
    int64_t* heap_;
  };
};

}  // namespace rescope
