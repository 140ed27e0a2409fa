// Writes the small checkpoints under testdata/ with rescope's own bundle writer, from
// values defined here (see testdata/README.md for what each file holds and why).
// Usage: rescope_make_testdata OUTDIR
#include <cstring>
#include <filesystem>
#include <iostream>
#include <vector>

#include "core/tensor_store.h"
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

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: rescope_make_testdata OUTDIR\n";
    return 2;
  }
  const std::filesystem::path out(argv[1]);
  std::filesystem::create_directories(out / "scopes");
  return Write(Scopes(), (out / "scopes" / "model.ckpt").string());
}
