// SPDX-License-Identifier: Apache-2.0
#include "core/store/shape.h"

#include <limits>
#include <stdexcept>

namespace rescope {

void Shape::Reserve(size_t n) {
  if (n > std::numeric_limits<uint32_t>::max())
    throw std::length_error("Shape: too many dimensions");
  auto* grown = new int64_t[n];
  std::copy(data(), data() + size_, grown);
  if (OnHeap()) delete[] heap_;
  heap_ = grown;
  capacity_ = static_cast<uint32_t>(n);
}

}  // namespace rescope
