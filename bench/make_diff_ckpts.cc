// SPDX-License-Identifier: Apache-2.0
// Writes two large TF bundles A and B for bench/diff_bench.sh that differ in a few tensors,
// synthesizing every tensor's bytes on the fly so that memory stays small whatever the size.
// Usage: make_diff_ckpts OUTDIR [GIB]   (writes OUTDIR/a.ckpt.* and OUTDIR/b.ckpt.*)
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "core/store/tensor_store.h"
#include "formats/tf_bundle/tf_bundle_writer.h"

namespace {

using namespace rescope;

constexpr int64_t kKernelDim = 4096;  // kernels are [4096, 4096] float32: 64 MiB each
constexpr uint64_t kPerturbStride = 4099;

uint64_t SplitMix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// float32 elements value(i) = a pseudo-random number in [-1, 1) drawn from (seed, i); with
// `perturb`, every kPerturbStride-th element (from `phase`) is 0.001 larger. Reads
// generate exactly the elements they cover, so nothing is held between calls.
class SynthFloats final : public ByteSource {
 public:
  SynthFloats(std::string name, uint64_t elements, uint64_t seed, bool perturb, uint64_t phase)
      : name_(std::move(name)),
        elements_(elements),
        seed_(seed),
        perturb_(perturb),
        phase_(phase) {}
  const std::string& name() const override { return name_; }
  uint64_t size() const override { return elements_ * 4; }

  Result<ByteView> Read(uint64_t offset, uint64_t n, std::vector<uint8_t>& scratch) const override {
    if (!RangeFits(offset, n, size())) {
      return Status::Corruption(name_ + ": read [" + Hex(offset) + ", +" + Hex(n) + ") past end (" +
                                Hex(size()) + ")");
    }
    const uint64_t first = offset / 4, skip = offset % 4;
    const uint64_t count = (skip + n + 3) / 4;
    scratch.resize(count * 4);
    for (uint64_t k = 0; k < count; ++k) {
      const float v = Value(first + k);
      std::memcpy(scratch.data() + 4 * k, &v, 4);
    }
    if (skip != 0) std::memmove(scratch.data(), scratch.data() + skip, n);
    return ByteView(scratch.data(), n);
  }

 private:
  float Value(uint64_t i) const {
    const uint64_t r = SplitMix64(seed_ * 0x100000001b3ull + i);
    float v = static_cast<float>(r >> 40) * (2.0f / 16777216.0f) - 1.0f;
    if (perturb_ && i % kPerturbStride == phase_) v += 0.001f;
    return v;
  }

  std::string name_;
  uint64_t elements_;
  uint64_t seed_;
  bool perturb_;
  uint64_t phase_;
};

TensorEntry Synth(const std::string& name, std::vector<int64_t> shape, uint64_t seed, bool perturb,
                  uint64_t phase = 0) {
  const uint64_t n = *ShapeNumElements(shape);
  TensorEntry e;
  e.name = name;
  e.dtype = DType::kFloat32;
  e.shape = std::move(shape);
  e.byte_size = n * 4;
  e.data = std::make_shared<SynthFloats>(name, n, seed, perturb, phase);
  return e;
}

TensorEntry Int64Scalar(const std::string& name, int64_t value) {
  std::vector<uint8_t> bytes(8);
  std::memcpy(bytes.data(), &value, 8);
  TensorEntry e;
  e.name = name;
  e.dtype = DType::kInt64;
  e.byte_size = 8;
  e.data = std::make_shared<MemoryByteSource>(name, std::move(bytes));
  return e;
}

// `layers` layers of a [4096, 4096] kernel and a [4096] bias. B differs from A in four
// tensors: the kernels of layer 7 and of the last layer (every 4099th element, 4094 of
// 16.8M), the bias of layer 1 (element 17 only) and global_step (1000 vs 1001).
Checkpoint Build(int layers, bool is_b) {
  Checkpoint c;
  c.format = "generated";
  for (int l = 0; l < layers; ++l) {
    char scope[32];
    std::snprintf(scope, sizeof(scope), "model/layer_%03d/", l);
    const auto seed = static_cast<uint64_t>(l);
    const bool kernel_differs = is_b && (l == 7 % layers || l == layers - 1);
    (void)c.store.Add(Synth(std::string(scope) + "kernel", {kKernelDim, kKernelDim}, 2 * seed,
                            kernel_differs, static_cast<uint64_t>(l)));
    (void)c.store.Add(Synth(std::string(scope) + "bias", {kKernelDim}, 2 * seed + 1,
                            is_b && l == 1 % layers, 17));
  }
  (void)c.store.Add(Int64Scalar("global_step", is_b ? 1001 : 1000));
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::cerr << "usage: make_diff_ckpts OUTDIR [GIB]\n";
    return 2;
  }
  const double gib = argc == 3 ? std::atof(argv[2]) : 2.0;
  // One layer is 64 MiB + 16 KiB.
  const int layers = static_cast<int>(gib * 16 + 0.5);
  if (layers < 1 || layers > 4096) {
    std::cerr << "make_diff_ckpts: GIB must be between 0.0625 and 256\n";
    return 2;
  }
  const std::filesystem::path out(argv[1]);
  std::filesystem::create_directories(out);
  for (const bool is_b : {false, true}) {
    const Checkpoint ckpt = Build(layers, is_b);
    const std::string prefix = (out / (is_b ? "b.ckpt" : "a.ckpt")).string();
    auto r = tfbundle::WriteTfBundle(ckpt, ckpt.store, prefix, {});
    if (!r.ok()) {
      std::cerr << r.status().message() << "\n";
      return 1;
    }
    std::cout << "wrote " << prefix << " (" << layers << " layers)\n";
  }
  return 0;
}
