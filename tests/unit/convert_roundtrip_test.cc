// SPDX-License-Identifier: Apache-2.0
// Round trips across the four formats: sources of each format (TF bundle, Keras 2 HDF5,
// safetensors, PyTorch) are converted by the `rescope` binary to every other format and back,
// and every hop must keep names, dtypes, shapes and the exact bytes of each tensor (SHA-256
// of the bytes read through each entry's ByteSource). What a target cannot hold (TF2 object
// graph, strings in safetensors/PyTorch) must be named in a "not carried" note and left out.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "core/store/tensor_store.h"
#include "formats/registry.h"
#include "sha256_test_util.h"

using namespace rescope;
namespace fs = std::filesystem;

namespace {

const fs::path kReal = RESCOPE_TESTDATA_DIR;
const fs::path kTorch = RESCOPE_TORCH_TESTDATA_DIR;
const fs::path kRepo = RESCOPE_SOURCE_DIR;
const std::vector<std::string> kFormats = {"tf_bundle", "keras_h5", "safetensors", "pytorch"};

struct Tensor {
  DType dtype;
  std::vector<int64_t> shape;
  std::string sha256;
};
using Tensors = std::map<std::string, Tensor>;

struct RunResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

RunResult RunRescope(const std::vector<std::string>& args) {
  // Under ASan the children run leak-checked like every other rescope run (the tracer
  // crash at the exit of HDF5 runs was a sanitizer-runtime bug, worked around in
  // cli/sanitizer_defaults.cc).
  std::string cmd = std::string("'") + RESCOPE_BINARY + "'";
  for (const std::string& a : args) cmd += " '" + a + "'";
  cmd += " 2>&1";
  RunResult r;
  FILE* pipe = ::popen(cmd.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buf[4096];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof(buf), pipe)) > 0) r.output.append(buf, n);
  const int status = ::pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// Every entry of the checkpoint at `path` with the SHA-256 of its bytes.
Tensors ReadTensors(const std::string& path) {
  auto ckpt = OpenCheckpoint(path);
  REQUIRE_MESSAGE(ckpt.ok(), path << ": " << ckpt.status().message());
  Tensors out;
  std::vector<uint8_t> scratch;
  for (const auto& [name, e] : ckpt->store) {
    REQUIRE_MESSAGE(e.data != nullptr, name << ": " << e.data_error());
    auto view = e.data->Read(e.data_offset, e.byte_size, scratch);
    REQUIRE_MESSAGE(view.ok(), view.status().message());
    out[name] = {e.dtype, e.shape, testing::Sha256Hex(view->data, view->size)};
  }
  return out;
}

std::string Family(const std::string& format) {
  if (format == "tf_bundle" || format == "tf_v1") return "tf_bundle";
  if (format.rfind("keras", 0) == 0 || format == "hdf5") return "keras_h5";
  if (format.rfind("pytorch", 0) == 0) return "pytorch";
  return format;
}

// An output name in `dir` for `format` (a TF bundle is a prefix).
std::string OutputPath(const std::string& dir, const std::string& stem, const std::string& format) {
  if (format == "tf_bundle") return dir + "/" + stem + ".ckpt";
  if (format == "keras_h5") return dir + "/" + stem + ".h5";
  if (format == "pytorch") return dir + "/" + stem + ".pt";
  return dir + "/" + stem + ".safetensors";
}

bool IsString(DType d) { return d == DType::kString; }

// What a target leaves behind: the TF2 object graph outside TF bundles, strings in formats
// without a string dtype.
bool Carried(const std::string& name, const Tensor& t, const std::string& target) {
  if (name == "_CHECKPOINTABLE_OBJECT_GRAPH") return target == "tf_bundle";
  if (IsString(t.dtype)) return target == "tf_bundle" || target == "keras_h5";
  return true;
}

void CheckSame(const Tensors& expected, const Tensors& got, const std::string& where) {
  std::set<std::string> want, have;
  for (const auto& [n, t] : expected) want.insert(n);
  for (const auto& [n, t] : got) have.insert(n);
  CHECK_MESSAGE(want == have, where);
  for (const auto& [name, t] : expected) {
    auto it = got.find(name);
    if (it == got.end()) continue;
    CHECK_MESSAGE(it->second.dtype == t.dtype, where << ": " << name);
    CHECK_MESSAGE(it->second.shape == t.shape, where << ": " << name);
    CHECK_MESSAGE(it->second.sha256 == t.sha256, where << ": " << name);
  }
}

// Converts `source` to every other format and back, checking each hop. A target in
// `refused` must fail (exit 2) with that text in its message, writing nothing.
void RoundTrips(const std::string& label, const std::string& source,
                const std::map<std::string, std::string>& refused = {}) {
  const Tensors original = ReadTensors(source);
  REQUIRE(!original.empty());
  const std::string family = Family(OpenCheckpoint(source)->format);
  const fs::path dir =
      fs::temp_directory_path() / ("rescope_roundtrip_" + std::to_string(::getpid())) / label;
  fs::remove_all(dir);
  fs::create_directories(dir);
  for (const std::string& target : kFormats) {
    if (target == family) continue;
    CAPTURE(label);
    CAPTURE(target);
    Tensors carried;
    for (const auto& [name, t] : original) {
      if (Carried(name, t, target)) carried[name] = t;
    }
    const std::string there = OutputPath(dir.string(), target, target);
    RunResult hop1 = RunRescope({"convert", source, there, "--to", target});
    if (auto it = refused.find(target); it != refused.end()) {
      CHECK(hop1.exit_code == 2);
      CHECK_MESSAGE(hop1.output.find(it->second) != std::string::npos, hop1.output);
      CHECK_FALSE(fs::exists(there));
      continue;
    }
    REQUIRE_MESSAGE(hop1.exit_code == 0, hop1.output);
    for (const auto& [name, t] : original) {
      if (carried.count(name)) continue;
      CHECK_MESSAGE(hop1.output.find("not carried: \"" + name + "\"") != std::string::npos,
                    hop1.output);
    }
    CheckSame(carried, ReadTensors(there), label + " -> " + target);
    const std::string back = OutputPath(dir.string(), "back_from_" + target, family);
    RunResult hop2 = RunRescope({"convert", there, back, "--to", family});
    REQUIRE_MESSAGE(hop2.exit_code == 0, hop2.output);
    CheckSame(carried, ReadTensors(back), label + " -> " + target + " -> " + family);
  }
  fs::remove_all(dir);
}

bool Missing(const fs::path& p) {
  if (fs::exists(p)) return false;
  MESSAGE("skipped: " << p.string() << " not found");
  return true;
}

}  // namespace

TEST_CASE("convert round trip: TF bundles (repo testdata) through every format") {
  RoundTrips("scenario3", (kRepo / "testdata/scenario3/model.ckpt").string());
  // "w" and "w/Adam" both tensors: HDF5 cannot hold a dataset that is also a group.
  RoundTrips("scopes", (kRepo / "testdata/scopes/model.ckpt").string(),
             {{"keras_h5",
               "/model_1/layer_a/biases is a tensor and also a group of "
               "/model_1/layer_a/biases/Adam; HDF5 cannot store both"}});
  // A string tensor: carried by Keras HDF5 (and back into the bundle byte for byte), named
  // in a "not carried" note by safetensors and PyTorch.
  RoundTrips("tolerance", (kRepo / "testdata/tolerance/a.ckpt").string());
}

TEST_CASE("convert round trip: real TF bundles (TF1 conv kernels, TF2 object graph)") {
  const fs::path conv = kReal / "tfserving-half-plus-two-mkl-conv-savedmodel";
  const fs::path tf2 = kReal / "tfserving-half-plus-two-tf2-savedmodel";
  if (Missing(conv) || Missing(tf2)) return;
  RoundTrips("tf1_conv", (conv / "variables").string());
  RoundTrips("tf2_graph", (tf2 / "variables").string());
}

TEST_CASE("convert round trip: a real Keras 2 weights file through every format") {
  const fs::path h5 = kReal / "hls4ml-keras2_13_1-prelu-weights-only-h5/prelu_weights.h5";
  if (Missing(h5)) return;
  RoundTrips("keras2", h5.string());
}

TEST_CASE("convert round trip: real safetensors files through every format") {
  const fs::path multi = kReal / "burn-multi-layer-safetensors/multi_layer.safetensors";
  const fs::path f64 = kReal / "safetensors-cpp-numpy-f64-safetensors/model.safetensors";
  if (Missing(multi) || Missing(f64)) return;
  RoundTrips("st_multi", multi.string());
  RoundTrips("st_f64", f64.string());
}

TEST_CASE("convert round trip: PyTorch files through every format") {
  const fs::path plain = kTorch / "plain_state_dict.pt";
  const fs::path llama = kReal / "torchtune-tiny-fair-llama-pt/tiny_fair_checkpoint.pt";
  const fs::path legacy = kReal / "camphr-transformers2_4-bertmodel-legacy-pt/pytorch_model.bin";
  if (Missing(plain) || Missing(llama) || Missing(legacy)) return;
  RoundTrips("pt_plain", plain.string());
  RoundTrips("pt_llama", llama.string());
  RoundTrips("pt_legacy", legacy.string());
}

TEST_CASE(
    "convert round trip: bytes after PyTorch -> safetensors -> PyTorch match torch's digests") {
  const fs::path plain = kTorch / "plain_state_dict.pt";
  if (Missing(plain)) return;
  std::ifstream in(kTorch / "plain_state_dict.expected.json");
  const nlohmann::json expected = nlohmann::json::parse(in);
  const fs::path dir =
      fs::temp_directory_path() / ("rescope_roundtrip_" + std::to_string(::getpid())) / "digests";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string st = (dir / "m.safetensors").string(), pt = (dir / "m.pt").string();
  REQUIRE(RunRescope({"convert", plain.string(), st}).exit_code == 0);
  REQUIRE(RunRescope({"convert", st, pt}).exit_code == 0);
  const Tensors back = ReadTensors(pt);
  REQUIRE(back.size() == expected["tensors"].size());
  for (const auto& t : expected["tensors"]) {
    const std::string name = t["path"][0].get<std::string>();
    REQUIRE_MESSAGE(back.count(name), name);
    CHECK_MESSAGE(back.at(name).sha256 == t["sha256"].get<std::string>(), name);
    CHECK(back.at(name).shape == t["shape"].get<std::vector<int64_t>>());
  }
  fs::remove_all(dir);
}
