// SPDX-License-Identifier: Apache-2.0
// Writes the small checkpoints under testdata/ with rescope's own bundle writer, from
// values defined here (see testdata/README.md for what each file holds and why).
// Usage: rescope_make_testdata OUTDIR
#include <cstring>
#include <filesystem>
#include <iostream>
#include <limits>
#include <vector>

#include "core/store/tensor_store.h"
#include "formats/tf_bundle/crc32c.h"
#include "formats/tf_bundle/tf_bundle_writer.h"

namespace {

using namespace rescope;

// A float32 tensor whose element i is start + step * i.
TensorEntry Floats(const std::string& name, std::vector<int64_t> shape, float start, float step) {
  const uint64_t n = *ShapeNumElements(shape);
  std::vector<uint8_t> bytes(n * 4);
  for (uint64_t i = 0; i < n; ++i) {
    const float v = start + step * static_cast<float>(i);
    std::memcpy(bytes.data() + 4 * i, &v, 4);
  }
  TensorEntry e;
  e.name = name;
  e.dtype = DType::kFloat32;
  e.shape = std::move(shape);
  e.byte_size = bytes.size();
  e.data = std::make_shared<MemoryByteSource>(name, std::move(bytes));
  return e;
}

// A float32 tensor with the given elements (for values a formula cannot give: NaN, -0.0).
TensorEntry FloatList(const std::string& name, const std::vector<float>& values) {
  TensorEntry e = Floats(name, {static_cast<int64_t>(values.size())}, 0.0f, 0.0f);
  std::vector<uint8_t> bytes(values.size() * 4);
  if (!values.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
  e.data = std::make_shared<MemoryByteSource>(name, std::move(bytes));
  return e;
}

// An int64 tensor of shape [n], or a scalar when `scalar`.
TensorEntry Int64s(const std::string& name, const std::vector<int64_t>& values,
                   bool scalar = false) {
  std::vector<uint8_t> bytes(values.size() * 8);
  if (!values.empty()) std::memcpy(bytes.data(), values.data(), bytes.size());
  TensorEntry e;
  e.name = name;
  e.dtype = DType::kInt64;
  if (!scalar) e.shape = {static_cast<int64_t>(values.size())};
  e.byte_size = bytes.size();
  e.data = std::make_shared<MemoryByteSource>(name, std::move(bytes));
  return e;
}

TensorEntry Int64Scalar(const std::string& name, int64_t value) {
  return Int64s(name, {value}, true);
}

// A string tensor of shape [n] in the bundle layout of FORMATS.md §1.9.2: all varint
// lengths, the masked CRC32C of the lengths as fixed-width integers, then the bytes.
TensorEntry Strings(const std::string& name, const std::vector<std::string>& values) {
  std::vector<uint8_t> bytes;
  uint32_t crc = 0;
  for (const std::string& s : values) {
    for (uint64_t len = s.size();; len >>= 7) {
      bytes.push_back(static_cast<uint8_t>((len & 0x7f) | (len >= 0x80 ? 0x80 : 0)));
      if (len < 0x80) break;
    }
    const auto len32 = static_cast<uint32_t>(s.size());  // test strings are short
    uint8_t le[4];
    std::memcpy(le, &len32, 4);
    crc = crc32c::Extend(crc, le, 4);
  }
  const uint32_t masked = crc32c::Mask(crc);
  uint8_t le[4];
  std::memcpy(le, &masked, 4);
  bytes.insert(bytes.end(), le, le + 4);
  for (const std::string& s : values) bytes.insert(bytes.end(), s.begin(), s.end());
  TensorEntry e;
  e.name = name;
  e.dtype = DType::kString;
  e.shape = {static_cast<int64_t>(values.size())};
  e.byte_size = bytes.size();
  e.data = std::make_shared<MemoryByteSource>(name, std::move(bytes));
  return e;
}

int Write(const Checkpoint& ckpt, const std::string& prefix) {
  auto r = tfbundle::WriteTfBundle(ckpt, ckpt.store, prefix, {});
  if (!r.ok()) {
    std::cerr << r.status().message() << "\n";
    return 1;
  }
  std::cout << "wrote " << prefix << "\n";
  return 0;
}

// The classic scope-move scenario: a TF1 Saver checkpoint with Adam slots.
Checkpoint Scopes() {
  Checkpoint c;
  c.format = "generated";
  auto add = [&](TensorEntry e) { (void)c.store.Add(std::move(e)); };
  add(Floats("model_1/layer_a/weights", {3, 4}, -1.0f, 0.25f));
  add(Floats("model_1/layer_a/biases", {4}, 0.5f, 0.5f));
  add(Floats("model_1/layer_a/weights/Adam", {3, 4}, 0.0f, 0.01f));
  add(Floats("model_1/layer_a/weights/Adam_1", {3, 4}, 0.0f, 0.001f));
  add(Floats("model_1/layer_a/biases/Adam", {4}, 0.0f, 0.01f));
  add(Floats("model_1/layer_a/biases/Adam_1", {4}, 0.0f, 0.001f));
  add(Floats("model_1/layer_ab/weights", {2, 2}, 1.0f, 1.0f));
  add(Floats("model_2/layer_b/weights", {4, 2}, 2.0f, -0.5f));
  add(Floats("model_2/layer_b/biases", {2}, 0.0f, 0.0f));
  add(Floats("beta1_power", {}, 0.9f, 0.0f));
  add(Floats("beta2_power", {}, 0.999f, 0.0f));
  add(Int64Scalar("global_step", 1000));
  return c;
}

// Scenario 1: two layers, each with its own scope, restored by the model that saved them.
Checkpoint Scenario1() {
  Checkpoint c;
  c.format = "generated";
  auto add = [&](TensorEntry e) { (void)c.store.Add(std::move(e)); };
  add(Floats("layer1/weights", {4, 3}, 0.1f, 0.1f));
  add(Floats("layer1/biases", {3}, 0.0f, 0.5f));
  add(Floats("layer2/weights", {3, 2}, -0.3f, 0.1f));
  add(Floats("layer2/biases", {2}, 1.0f, 1.0f));
  return c;
}

// Scenario 2: one dense layer applied twice with reuse, so its variables exist once.
Checkpoint Scenario2() {
  Checkpoint c;
  c.format = "generated";
  auto add = [&](TensorEntry e) { (void)c.store.Add(std::move(e)); };
  add(Floats("dense_layer/weights", {3, 3}, 1.0f, -0.25f));
  add(Floats("dense_layer/biases", {3}, 0.25f, 0.25f));
  return c;
}

// Scenario 3: saved under model_1/, restored by a model that builds model_3/.
Checkpoint Scenario3() {
  Checkpoint c;
  c.format = "generated";
  auto add = [&](TensorEntry e) { (void)c.store.Add(std::move(e)); };
  add(Floats("model_1/layer_a/weights", {3, 4}, -1.0f, 0.25f));
  add(Floats("model_1/layer_a/biases", {4}, 0.5f, 0.5f));
  add(Floats("model_1/layer_b/weights", {4, 2}, 2.0f, -0.5f));
  add(Floats("model_1/layer_b/biases", {2}, 0.0f, 1.0f));
  add(Int64Scalar("global_step", 200));
  return c;
}

// Tolerance pair: a.ckpt and b.ckpt hold the same names with values chosen so that each
// entry exercises one comparison rule (see testdata/README.md for the expected verdicts).
Checkpoint Tolerance(bool b) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  Checkpoint c;
  c.format = "generated";
  auto add = [&](TensorEntry e) { (void)c.store.Add(std::move(e)); };
  // Differences of 2^-11 and 2^-10: exact in float32, inside atol 1e-3, outside 5e-4.
  add(FloatList("close", b ? std::vector<float>{1.0f, 2.00048828125f, 3.0f, 4.0009765625f}
                           : std::vector<float>{1.0f, 2.0f, 3.0f, 4.0f}));
  // Equal bytes are identical without decoding, so the NaNs differ in sign bit: b holds
  // 0xffc00000, the NaN x86 produces for 0/0, a holds 0x7fc00000 (numpy's nan).
  add(FloatList("nan", {1.0f, b ? -nan : nan, 3.0f}));
  add(FloatList("inf_sign", {b ? -inf : inf, 1.0f}));
  add(FloatList("neg_zero", {b ? 0.0f : -0.0f, 0.0f}));
  // 2^53 + 1 vs 2^53: equal once converted to double, different as integers.
  add(Int64s("counts", {b ? 9007199254740992 : 9007199254740993, 5}));
  add(Strings("labels", {"alpha", b ? "beta " : "beta"}));
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: rescope_make_testdata OUTDIR\n";
    return 2;
  }
  const std::filesystem::path out(argv[1]);
  const std::pair<const char*, Checkpoint> outputs[] = {
      {"scopes/model.ckpt", Scopes()},        {"scenario1/model.ckpt", Scenario1()},
      {"scenario2/model.ckpt", Scenario2()},  {"scenario3/model.ckpt", Scenario3()},
      {"tolerance/a.ckpt", Tolerance(false)}, {"tolerance/b.ckpt", Tolerance(true)},
  };
  for (const auto& [rel, ckpt] : outputs) {
    const std::filesystem::path prefix = out / rel;
    std::filesystem::create_directories(prefix.parent_path());
    if (Write(ckpt, prefix.string()) != 0) return 1;
  }
  return 0;
}
