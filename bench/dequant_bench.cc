// SPDX-License-Identifier: Apache-2.0
// Throughput of GGML dequantization (core/ggml_dequant) and of `show --stats` on a block
// tensor (ComputeStats: ElementReader windows -> dequantize -> statistics on the float32
// values), in GB/s of float32 output, on one core. Blocks are pseudo-random bytes with finite float16 scales.
//
//   dequant_bench [--type q4_k] [--mib 256] [--runs 5]
// --mib is the size of the dequantized float32 output; prints the best of --runs runs.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "core/values/ggml_dequant.h"
#include "core/values/tensor_stats.h"
#include "core/values/tensor_values.h"

using namespace rescope;

namespace {

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// Offsets of the float16 scale fields, so random blocks decode to finite values.
std::vector<size_t> HalfFields(DType dtype) {
  switch (dtype) {
    case DType::kGgmlQ4_1:
    case DType::kGgmlQ5_1:
    case DType::kGgmlQ4_K:
    case DType::kGgmlQ5_K:
      return {0, 2};
    case DType::kGgmlQ2_K:
      return {80, 82};
    case DType::kGgmlQ3_K:
      return {108};
    case DType::kGgmlQ6_K:
      return {208};
    case DType::kGgmlMXFP4:
      return {};
    default:
      return {0};
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string type = "q4_k";
  uint64_t mib = 256;
  int runs = 5;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--type") type = argv[i + 1];
    if (flag == "--mib") mib = std::stoull(argv[i + 1]);
    if (flag == "--runs") runs = std::stoi(argv[i + 1]);
  }
  const std::optional<DType> dtype = ParseDTypeName(type);
  if (!dtype || !HasGgmlDequantizer(*dtype)) {
    std::fprintf(stderr, "no dequantizer for %s\n", type.c_str());
    return 2;
  }
  const DTypeBlockLayout block = *DTypeBlock(*dtype);
  const uint64_t elements = (mib << 20) / 4 / block.block_elements * block.block_elements;
  const uint64_t blocks = elements / block.block_elements;
  std::vector<uint8_t> bytes(blocks * block.block_bytes);
  uint64_t state = 0x9E3779B97F4A7C15ull;
  for (uint8_t& b : bytes) {
    state ^= state << 13, state ^= state >> 7, state ^= state << 17;
    b = static_cast<uint8_t>(state >> 24);
  }
  for (uint64_t k = 0; k < blocks; ++k) {
    for (size_t off : HalfFields(*dtype)) {
      uint8_t* p = bytes.data() + k * block.block_bytes + off;
      p[1] = static_cast<uint8_t>(0x10 + (p[1] & 0x0F));  // |scale| in [2^-11, 2^-7)
    }
  }
  const double out_gb = static_cast<double>(elements) * 4 / 1e9;

  // 1. The dequantizer alone, one 1 MiB window of blocks at a time (as ElementReader does).
  const GgmlDequantizeFn fn = GgmlDequantizer(*dtype);
  const uint64_t window_blocks = std::max<uint64_t>((1u << 20) / block.block_bytes, 1);
  std::vector<float> out(window_blocks * block.block_elements);
  double best = 1e30, checksum = 0;
  for (int r = 0; r < runs; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    for (uint64_t k = 0; k < blocks; k += window_blocks) {
      const uint64_t n = std::min(window_blocks, blocks - k);
      fn(bytes.data() + k * block.block_bytes, n, out.data());
      checksum += out[0];
    }
    best = std::min(best, Seconds(t0));
  }
  std::printf(
      "%s dequantize: %.1f MiB of blocks -> %.1f MiB float32: %.3f s, %.2f GB/s "
      "(checksum %g)\n",
      type.c_str(), static_cast<double>(bytes.size()) / (1 << 20),
      static_cast<double>(elements) * 4 / (1 << 20), best, out_gb / best, checksum);

  // 2. ComputeStats (show --stats) over the same blocks held in memory.
  TensorEntry entry;
  entry.name = "bench";
  entry.dtype = *dtype;
  entry.shape = {static_cast<int64_t>(elements)};
  entry.byte_size = bytes.size();
  entry.data = std::make_shared<MemoryByteSource>("bench", std::move(bytes));
  best = 1e30;
  for (int r = 0; r < runs; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    Result<TensorStats> st = ComputeStats(entry);
    if (!st.ok()) {
      std::fprintf(stderr, "%s\n", st.status().message().c_str());
      return 1;
    }
    best = std::min(best, Seconds(t0));
    checksum += st->mean;
  }
  std::printf("%s stats: %.3f s, %.2f GB/s of float32 output (checksum %g)\n", type.c_str(), best,
              out_gb / best, checksum);
  return 0;
}
