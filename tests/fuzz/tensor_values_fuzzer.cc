// SPDX-License-Identifier: Apache-2.0
// Fuzz target: decode, format, summarize and compare arbitrary tensor bytes.
// Input: byte 0 = dtype value, byte 1 = rank (mod 4), then one byte per dimension, then
// the tensor bytes.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/compare/diff.h"
#include "core/values/tensor_stats.h"
#include "core/values/value_format.h"
#include "core/values/value_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rescope;
  if (size < 2) return 0;
  const size_t rank = data[1] % 4;
  if (size < 2 + rank) return 0;
  TensorEntry a;
  a.name = "t";
  a.dtype = static_cast<DType>(data[0]);
  for (size_t i = 0; i < rank; ++i) a.shape.push_back(data[2 + i]);
  std::vector<uint8_t> bytes(data + 2 + rank, data + size);
  a.byte_size = bytes.size();
  a.data = std::make_shared<MemoryByteSource>("fuzz", bytes);
  a.stored_crc32c = 0;
  TensorEntry b = a;
  b.data = std::make_shared<MemoryByteSource>("fuzz2", std::move(bytes));
  b.stored_crc32c = 1;  // different CRCs force an element-wise comparison

  (void)FormatTensor(a);
  (void)ComputeStats(a);
  if (a.byte_size < 4096) (void)ValuesToJson(a);
  DiffOptions options;
  options.values = true;
  options.rtol = 1e-3;
  (void)CompareValues(a, b, options);
  return 0;
}
