// SPDX-License-Identifier: Apache-2.0
// convert --dequantize's float32 view of a GGML tensor (core/values/dequantized_entry.h).
// Expected values by hand: a q8_0 block is a float16 scale d and 32 int8 quants q, value d*q.
#include "core/values/dequantized_entry.h"

#include <doctest/doctest.h>

#include <cstring>

namespace rescope {
namespace {

// Two q8_0 blocks with d = 1.0 (float16 0x3c00) and d = 0.5 (0x3800): quants 0..31, then
// -1..-32.
TensorEntry TwoQ8Blocks() {
  std::vector<uint8_t> bytes;
  for (int block = 0; block < 2; ++block) {
    bytes.push_back(0x00);
    bytes.push_back(block == 0 ? 0x3c : 0x38);
    for (int i = 0; i < 32; ++i) {
      bytes.push_back(static_cast<uint8_t>(static_cast<int8_t>(block == 0 ? i : -1 - i)));
    }
  }
  TensorEntry e;
  e.name = "w";
  e.dtype = DType::kGgmlQ8_0;
  e.shape = {2, 32};
  e.byte_size = bytes.size();
  e.data = std::make_shared<MemoryByteSource>("w.gguf", std::move(bytes));
  return e;
}

std::vector<float> ReadFloats(const TensorEntry& e, uint64_t first, uint64_t count) {
  std::vector<uint8_t> scratch;
  auto view = e.data->Read(e.data_offset + first * 4, count * 4, scratch);
  REQUIRE(view.ok());
  std::vector<float> out(count);
  std::memcpy(out.data(), view->data, count * 4);
  return out;
}

TEST_CASE("dequantized entry: float32 of the same shape, windows across blocks") {
  auto deq = DequantizedEntry(TwoQ8Blocks());
  REQUIRE(deq.ok());
  CHECK(deq->dtype == DType::kFloat32);
  CHECK(deq->byte_size == 64 * 4);
  CHECK(deq->data->size() == 64 * 4);
  CHECK(deq->bytes_transformed);
  CHECK(ReadFloats(*deq, 0, 3) == std::vector<float>{0, 1, 2});
  // Elements 30..33 straddle the two blocks: 30, 31, then 0.5 * -1, 0.5 * -2.
  CHECK(ReadFloats(*deq, 30, 4) == std::vector<float>{30, 31, -0.5f, -1});
  CHECK(ReadFloats(*deq, 63, 1) == std::vector<float>{-16});
  std::vector<uint8_t> scratch;
  CHECK_FALSE(deq->data->Read(63 * 4, 8, scratch).ok());
}

TEST_CASE("dequantized entry: refusals") {
  TensorEntry wrong_size = TwoQ8Blocks();
  wrong_size.shape = {3, 32};
  CHECK(DequantizedEntry(wrong_size).status().code() == StatusCode::kCorruption);
  TensorEntry no_dequantizer = TwoQ8Blocks();
  no_dequantizer.dtype = DType::kGgmlIQ2_XXS;
  CHECK(DequantizedEntry(no_dequantizer).status().code() == StatusCode::kNotSupported);
}

}  // namespace
}  // namespace rescope
