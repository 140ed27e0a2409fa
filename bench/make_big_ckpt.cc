// SPDX-License-Identifier: Apache-2.0
// Writes a synthetic TF tensor bundle of a chosen size with rescope's own bundle writer, for
// bench/rename_bench.sh: NUM_VARS float32 variables of BYTES_PER_VAR bytes each, named like a
// transformer ("model/layer_0042/attention/query/kernel"), with pseudo-random contents that
// are generated on the fly (the generator never holds a tensor in memory).
// Usage: make_big_ckpt PREFIX NUM_VARS BYTES_PER_VAR
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "core/store/tensor_store.h"
#include "formats/tf_bundle/tf_bundle_writer.h"

namespace {

using namespace rescope;

// Bytes of one tensor: a splitmix64 stream keyed by the tensor index.
class GeneratedBytes final : public ByteSource {
 public:
  GeneratedBytes(std::string name, uint64_t size, uint64_t seed)
      : name_(std::move(name)), size_(size), seed_(seed) {}
  const std::string& name() const override { return name_; }
  uint64_t size() const override { return size_; }
  Result<ByteView> Read(uint64_t offset, uint64_t n, std::vector<uint8_t>& scratch) const override {
    if (!RangeFits(offset, n, size_)) return Status::Corruption(name_ + ": read past end");
    scratch.resize(n + 16);
    // Generate whole 8-byte words from the one holding `offset`, then view the range.
    const uint64_t first_word = offset / 8;
    const uint64_t skip = offset % 8;
    for (uint64_t w = 0; w * 8 < n + skip; ++w) {
      uint64_t x = (first_word + w + seed_ * 0x100000000ULL) * 0x9e3779b97f4a7c15ULL;
      x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
      x ^= x >> 31;
      StoreLE64(scratch.data() + w * 8, x);
    }
    return ByteView(scratch.data() + skip, n);
  }

 private:
  std::string name_;
  uint64_t size_;
  uint64_t seed_;
};

std::string VariableName(uint64_t i) {
  static const char* const kKinds[] = {"attention/query/kernel", "attention/key/kernel",
                                       "attention/value/kernel", "ffn/dense/kernel",
                                       "ffn/dense/bias"};
  char buf[96];
  std::snprintf(buf, sizeof(buf), "model/layer_%05llu/%s", static_cast<unsigned long long>(i / 5),
                kKinds[i % 5]);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: make_big_ckpt PREFIX NUM_VARS BYTES_PER_VAR\n";
    return 2;
  }
  const std::string prefix = argv[1];
  const uint64_t num_vars = std::strtoull(argv[2], nullptr, 10);
  const uint64_t bytes = std::strtoull(argv[3], nullptr, 10);
  if (num_vars == 0 || bytes == 0 || bytes % 4 != 0) {
    std::cerr << "make_big_ckpt: NUM_VARS must be > 0 and BYTES_PER_VAR a positive multiple of 4\n";
    return 2;
  }
  Checkpoint ckpt;
  ckpt.format = "generated";
  for (uint64_t i = 0; i < num_vars; ++i) {
    TensorEntry e;
    e.name = VariableName(i);
    e.dtype = DType::kFloat32;
    e.shape = {static_cast<int64_t>(bytes / 4)};
    e.byte_size = bytes;
    e.data = std::make_shared<GeneratedBytes>(e.name, bytes, i);
    const Status st = ckpt.store.Add(std::move(e));
    if (!st.ok()) {
      std::cerr << "make_big_ckpt: " << st.message() << "\n";
      return 1;
    }
  }
  auto written = tfbundle::WriteTfBundle(ckpt, ckpt.store, prefix, {});
  if (!written.ok()) {
    std::cerr << "make_big_ckpt: " << written.status().message() << "\n";
    return 1;
  }
  std::cout << "wrote " << prefix << ": " << num_vars << " variables x " << bytes << " bytes\n";
  return 0;
}
