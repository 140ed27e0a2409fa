// SPDX-License-Identifier: Apache-2.0
// Tests of the Keras HDF5 / .keras reader on files written by real Keras versions
// (testdata/real, see its PROVENANCE.md). Expected listings come from `h5ls -r` and
// `h5dump -H -A` run on those files, values from `h5dump -m %.9g -d <path> <file>` (the
// command is cited next to each value), offsets from `h5dump -p -H` and Python's zipfile.
#include <doctest/doctest.h>

#include <filesystem>
#include <tuple>

#include "formats/keras_h5/keras_h5_reader.h"
#include "keras_h5_test_util.h"

using namespace rescope;
using namespace rescope::keras_test;

namespace {

std::string Real(const std::string& rel) { return kReal + "/" + rel; }

const char* const k3Layer = "hls4ml-keras2_0_0-3layer-weights-only-h5/KERAS_3layer_weights.h5";
const char* const kLstm = "hls4ml-keras2_1_3-lstm-full-model-h5/KERAS_lstm_model_weights.h5";
const char* const kQKeras = "hls4ml-qkeras-keras2_2_4tf-full-model-h5/QKERAS_3layer.h5";
const char* const kDotKeras = "hls4ml-keras2_11_0-hdf5-named-dot-keras/keras_model.keras";
const char* const kPreluFull = "hls4ml-keras2_13_1-prelu-full-model-h5/prelu.h5";
const char* const kPreluWeights = "hls4ml-keras2_13_1-prelu-weights-only-h5/prelu_weights.h5";
const char* const kTuner =
    "kerastuner-keras2_2_4tf-weights-only-h5/"
    "default-default-4c187b34628a4d98918122f7b9301cfa-1556841981-weights.h5";
const char* const kResnet = "mlperf-tiny-resnet-keras2_4_0-full-h5/pretrainedResnet.h5";
const char* const kStrWw = "mlperf-tiny-str-ww-keras2_14_0-full-h5/str_ww_ref_model.h5";
const char* const kNested = "keras3-nested-container-keras-zip/pre_pr22362_nested_container.keras";
const char* const kAdam = "keras3-custom-model-with-adam-keras-zip/fixed_model.keras";

Checkpoint Open(const std::string& rel) {
  auto ckpt = OpenKerasH5(Real(rel));
  INFO(ckpt.status().message());
  REQUIRE(ckpt.ok());
  return std::move(ckpt).value();
}

const KerasH5State& State(const Checkpoint& c) {
  const auto* state = dynamic_cast<const KerasH5State*>(c.state.get());
  REQUIRE(state != nullptr);
  return *state;
}

// Expected entries for a dense-style layer: <prefix>/kernel [in, out], <prefix>/bias [out].
void AddDense(std::vector<Expect>* out, const std::string& prefix, int64_t in, int64_t units) {
  out->push_back({prefix + "/kernel", DType::kFloat32, {in, units}});
  out->push_back({prefix + "/bias", DType::kFloat32, {units}});
}

constexpr DType kF32 = DType::kFloat32;

}  // namespace

TEST_CASE("keras_h5: Keras 2.0.0 weights-only file with fixed-length string attributes") {
  REQUIRE_REAL_DATA();
  const Checkpoint c = Open(k3Layer);
  CHECK(c.format == "keras_h5");
  CHECK(c.format_version == "Keras 2.0.0 weights only (backend tensorflow)");
  CHECK(c.path == Real(k3Layer));
  REQUIRE(c.files.size() == 1);
  CHECK(c.files[0].size == 36096);
  CHECK(Property(c, "layers") == "5 (4 with weights)");
  CHECK(Property(c, "hdf5_superblock") == "v0");
  std::vector<Expect> expected;
  AddDense(&expected, "fc1_relu", 16, 64);
  AddDense(&expected, "fc2_relu", 64, 32);
  AddDense(&expected, "fc3_relu", 32, 32);
  AddDense(&expected, "output_softmax", 32, 5);
  CheckListing(c, expected, /*exact=*/true);

  const TensorEntry& kernel = Get(c, "fc1_relu/kernel");
  CHECK(Note(kernel, "layer") == "fc1_relu");
  CHECK(Note(kernel, "hdf5_path") == "/fc1_relu/fc1_relu/kernel:0");
  // h5dump -m %.9g -d "/output_softmax/output_softmax/bias:0" KERAS_3layer_weights.h5
  CHECK(Floats(Get(c, "output_softmax/bias")) == std::vector<float>{-0.321016222f, 0.126903504f,
                                                                    0.425187111f, -0.155574366f,
                                                                    0.0194655824f});
  // h5dump -m %.9g -d "/fc1_relu/fc1_relu/kernel:0" -s "15,60" -c "1,4": (15,60) .. (15,62)
  const std::vector<float> k = Floats(kernel);
  CHECK(k[0] == 0.273134738f);
  CHECK(k[15 * 64 + 60] == 0.112866394f);
  CHECK(k[15 * 64 + 61] == 0.301265448f);
  CHECK(k[15 * 64 + 62] == 0.0528189205f);

  const KerasH5State& s = State(c);
  CHECK(s.layout == "keras_h5");
  CHECK_FALSE(s.full_model);
  CHECK(s.keras_version == "2.0.0");
  REQUIRE(s.layers.size() == 5);
  CHECK(s.layers[0].name == "input_1");
  CHECK(s.layers[0].weight_names.empty());  // float64 attribute of shape (0,)
  CHECK(s.layers[4].name == "output_softmax");
  CHECK(s.layers[4].weight_names ==
        std::vector<std::string>{"output_softmax/kernel:0", "output_softmax/bias:0"});
  CHECK_FALSE(s.top_level_model_weights.has_value());
}

TEST_CASE("keras_h5: Keras 2.1.3 LSTM full model with standalone-Keras optimizer weights") {
  REQUIRE_REAL_DATA();
  const Checkpoint c = Open(kLstm);
  CHECK(c.format_version == "Keras 2.1.3 full model (backend tensorflow)");
  CHECK(Property(c, "model_config") == "present (Model)");
  CHECK(Property(c, "training_config") == "present");
  CHECK(Property(c, "layers") == "4 (2 with weights)");
  CHECK(Property(c, "optimizer_weights") == "16");
  std::vector<Expect> expected = {
      {"lstm_lstm/kernel", kF32, {6, 64}}, {"lstm_lstm/recurrent_kernel", kF32, {16, 64}},
      {"lstm_lstm/bias", kF32, {64}},      {"rnn_densef/kernel", kF32, {320, 5}},
      {"rnn_densef/bias", kF32, {5}},      {"optimizer_weights/Adam/iterations", DType::kInt64, {}},
  };
  // h5ls -r: training/Adam/Variable{,_1.._14}:0 (m then v for the 5 weights, then 5 x [1])
  const std::vector<std::vector<int64_t>> slot_shapes = {{6, 64}, {16, 64}, {64}, {320, 5}, {5}};
  for (int i = 0; i < 15; ++i) {
    const std::string name = "optimizer_weights/training/Adam/Variable" +
                             (i == 0 ? std::string() : "_" + std::to_string(i));
    expected.push_back({name, kF32, i < 10 ? slot_shapes[i % 5] : std::vector<int64_t>{1}});
  }
  CheckListing(c, expected, /*exact=*/true);

  const TensorEntry& iterations = Get(c, "optimizer_weights/Adam/iterations");
  CHECK(Note(iterations, "role") == "optimizer");
  CHECK(Note(iterations, "hdf5_path") == "/optimizer_weights/Adam/iterations:0");
  // h5dump -d /optimizer_weights/Adam/iterations:0 → 7500
  const std::vector<uint8_t> it = Bytes(iterations);
  CHECK(it == std::vector<uint8_t>{0x4c, 0x1d, 0, 0, 0, 0, 0, 0});
  // h5dump -m %.9g -d /model_weights/rnn_densef/rnn_densef/bias:0
  CHECK(Floats(Get(c, "rnn_densef/bias")) == std::vector<float>{0.0515636764f, -0.140329927f,
                                                                0.0200893842f, 0.00153711624f,
                                                                -0.0408577137f});
  const KerasH5State& s = State(c);
  CHECK(s.full_model);
  CHECK(s.training_config.has_value());
  REQUIRE(s.optimizer_weight_names.size() == 16);
  CHECK(s.optimizer_weight_names[0] == "Adam/iterations:0");
  CHECK(s.optimizer_weight_names[15] == "training/Adam/Variable_14:0");
  REQUIRE(s.layers.size() == 4);
  CHECK(s.layers[1].weight_names == std::vector<std::string>{"lstm_lstm/kernel:0",
                                                             "lstm_lstm/recurrent_kernel:0",
                                                             "lstm_lstm/bias:0"});
}

TEST_CASE("keras_h5: QKeras file whose layer groups hold differently named weight groups") {
  REQUIRE_REAL_DATA();
  const Checkpoint c = Open(kQKeras);
  CHECK(c.format_version == "Keras 2.2.4-tf full model (backend tensorflow)");
  CHECK(Property(c, "layers") == "9 (4 with weights)");
  std::vector<Expect> expected;
  const std::vector<std::tuple<std::string, int64_t, int64_t>> dense = {
      {"fc1_1", 16, 64}, {"fc2_1", 64, 32}, {"fc3_1", 32, 32}, {"output_1", 32, 5}};
  for (const auto& [var, in, units] : dense) {
    AddDense(&expected, var, in, units);
    for (const char* slot : {"m", "v"}) {
      expected.push_back({"optimizer_weights/Adam/" + var + "/kernel/" + slot, kF32, {in, units}});
      expected.push_back({"optimizer_weights/Adam/" + var + "/bias/" + slot, kF32, {units}});
    }
  }
  expected.push_back({"optimizer_weights/Adam/iter", DType::kInt64, {}});
  CheckListing(c, expected, /*exact=*/true);
  CHECK(Note(Get(c, "fc1_1/kernel"), "layer") == "fc1");
  CHECK(Note(Get(c, "fc1_1/kernel"), "hdf5_path") == "/model_weights/fc1/fc1_1/kernel:0");
  // h5dump -d /optimizer_weights/Adam/iter:0 → 57321 = 0xdfe9
  CHECK(Bytes(Get(c, "optimizer_weights/Adam/iter")) ==
        std::vector<uint8_t>{0xe9, 0xdf, 0, 0, 0, 0, 0, 0});
  // h5dump -m %.9g -d /model_weights/output/output_1/bias:0
  CHECK(Floats(Get(c, "output_1/bias")) == std::vector<float>{-0.0737627372f, 0.023598481f,
                                                              0.0475290641f, -0.156699464f,
                                                              0.180405512f});
}

TEST_CASE("keras_h5: a Keras 2.11 HDF5 file named .keras is read as HDF5") {
  REQUIRE_REAL_DATA();
  CHECK(SniffKerasOrHdf5(Real(kDotKeras)));
  const Checkpoint c = Open(kDotKeras);
  CHECK(c.format == "keras_h5");
  CHECK(c.format_version == "Keras 2.11.0 full model (backend tensorflow)");
  CHECK(c.files[0].role == "HDF5 file");
  CHECK(Property(c, "model_config") == "present (Sequential)");
  CHECK(Property(c, "top_level_model_weights") == "0");
  std::vector<Expect> expected = {{"optimizer_weights/iteration", DType::kInt64, {}}};
  AddDense(&expected, "fc1", 8, 4);
  AddDense(&expected, "fc2", 4, 2);
  CheckListing(c, expected, /*exact=*/true);
  // h5dump -m %.9g -d /model_weights/fc2/fc2/kernel:0
  CHECK(Floats(Get(c, "fc2/kernel")) ==
        std::vector<float>{0.289690256f, 0.398092747f, -0.473480225f, -0.599908352f, 0.0838983059f,
                           -0.792514324f, -0.995934248f, -0.293768883f});
  CHECK(Bytes(Get(c, "optimizer_weights/iteration")) == std::vector<uint8_t>(8, 0));
  const KerasH5State& s = State(c);
  REQUIRE(s.top_level_model_weights.has_value());
  CHECK(s.top_level_model_weights->weight_names.empty());
  CHECK(s.layers.size() == 2);  // top_level_model_weights is not a layer
}

TEST_CASE("keras_h5: the prelu full model and weights-only files hold identical tensors") {
  REQUIRE_REAL_DATA();
  const Checkpoint full = Open(kPreluFull);
  const Checkpoint weights = Open(kPreluWeights);
  CHECK(full.format_version == "Keras 2.13.1 full model (backend tensorflow)");
  CHECK(weights.format_version == "Keras 2.13.1 weights only (backend tensorflow)");
  CHECK(Property(full, "training_config") == "absent");
  CheckListing(full, {{"p_re_lu/alpha", kF32, {25}}}, /*exact=*/true);
  CheckListing(weights, {{"p_re_lu/alpha", kF32, {25}}}, /*exact=*/true);
  REQUIRE(full.store.size() == weights.store.size());
  for (const auto& [name, e] : full.store) {
    const TensorEntry& other = Get(weights, name);
    CHECK(e.dtype == other.dtype);
    CHECK(e.shape == other.shape);
    CHECK(Bytes(e) == Bytes(other));
  }
  // h5dump -d /p_re_lu/p_re_lu/alpha:0 prelu_weights.h5: 25 x 0.25
  CHECK(Floats(Get(weights, "p_re_lu/alpha")) == std::vector<float>(25, 0.25f));
  // h5dump -p -H: OFFSET 9256 (full model), OFFSET 8192 (weights only): zero copy.
  CHECK(Get(full, "p_re_lu/alpha").data_offset == 9256);
  CHECK(Get(weights, "p_re_lu/alpha").data_offset == 8192);
  CHECK(Get(weights, "p_re_lu/alpha").data->name() == Real(kPreluWeights));
}

TEST_CASE("keras_h5: KerasTuner weights-only file follows weight_names, not group names") {
  REQUIRE_REAL_DATA();
  const Checkpoint c = Open(kTuner);
  CHECK(c.format_version == "Keras 2.2.4-tf weights only (backend tensorflow)");
  std::vector<Expect> expected;
  AddDense(&expected, "dense_3", 200, 26);
  AddDense(&expected, "dense_1_1", 26, 26);
  AddDense(&expected, "dense_2_1", 26, 1);
  CheckListing(c, expected, /*exact=*/true);
  CHECK(Note(Get(c, "dense_3/kernel"), "layer") == "dense");
  CHECK(Note(Get(c, "dense_3/kernel"), "hdf5_path") == "/dense/dense_3/kernel:0");
  // h5dump -m %.9g -d /dense_2/dense_2_1/bias:0
  CHECK(Floats(Get(c, "dense_2_1/bias")) == std::vector<float>{-0.00111484516f});
  const KerasH5State& s = State(c);
  REQUIRE(s.layers.size() == 3);
  CHECK(s.layers[0].name == "dense");  // "dense\0\0" in an S7 attribute
}

TEST_CASE("keras_h5: MLPerf Tiny ResNet (Keras 2.4.0, OptimizerV2 slots)") {
  REQUIRE_REAL_DATA();
  const Checkpoint c = Open(kResnet);
  CHECK(c.format_version == "Keras 2.4.0 full model (backend tensorflow)");
  CHECK(c.store.size() == 117);  // PROVENANCE.md: 117 datasets (h5ls: 48 + 69)
  CHECK(Property(c, "layers") == "30 (17 with weights)");
  CHECK(Property(c, "optimizer_weights") == "69");
  CHECK(Property(c, "model_config") == "present (Functional)");
  CheckListing(c,
               {{"conv2d/kernel", kF32, {3, 3, 3, 16}},
                {"conv2d/bias", kF32, {16}},
                {"batch_normalization/moving_variance", kF32, {16}},
                {"dense/kernel", kF32, {64, 10}},
                {"optimizer_weights/Adam/iter", DType::kInt64, {}},
                {"optimizer_weights/Adam/conv2d/kernel/m", kF32, {3, 3, 3, 16}},
                {"optimizer_weights/Adam/dense/kernel/v", kF32, {64, 10}}},
               /*exact=*/false);
  size_t optimizer = 0;
  for (const auto& [name, e] : c.store) optimizer += Note(e, "role") == "optimizer";
  CHECK(optimizer == 69);
  // h5dump -m %.9g -d /model_weights/dense/dense/bias:0
  CHECK(Floats(Get(c, "dense/bias")) ==
        std::vector<float>{-0.0889324993f, -0.156253502f, 0.0175918415f, 0.0706857368f,
                           0.0466248095f, -0.132202104f, 0.170650333f, -0.108780228f,
                           -0.00672663655f, 0.179297954f});
  // h5dump -d /optimizer_weights/Adam/iter:0 → 781500 = 0x0becbc
  CHECK(Bytes(Get(c, "optimizer_weights/Adam/iter")) ==
        std::vector<uint8_t>{0xbc, 0xec, 0x0b, 0, 0, 0, 0, 0});
  const KerasH5State& s = State(c);
  REQUIRE(s.optimizer_weight_names.size() == 69);
  CHECK(s.optimizer_weight_names[1] == "Adam/conv2d/kernel/m:0");
  CHECK(s.optimizer_weight_names[68] == "Adam/dense/bias/v:0");
}

TEST_CASE("keras_h5: MLPerf Tiny streaming wakeword (Keras 2.14, new optimizer layout)") {
  REQUIRE_REAL_DATA();
  const Checkpoint c = Open(kStrWw);
  CHECK(c.format_version == "Keras 2.14.0 full model (backend tensorflow)");
  CHECK(c.store.size() == 63);  // PROVENANCE.md: 63 datasets (h5ls: 26 + 37)
  CHECK(Property(c, "layers") == "23 (13 with weights)");
  CheckListing(c,
               {{"depthwise_conv2d/depthwise_kernel", kF32, {3, 1, 40, 1}},
                {"conv2d/kernel", kF32, {1, 1, 40, 128}},
                {"dense/kernel", kF32, {32, 3}},
                {"optimizer_weights/iteration", DType::kInt64, {}},
                {"optimizer_weights/Adam/m/conv2d/kernel", kF32, {1, 1, 40, 128}},
                {"optimizer_weights/Adam/v/dense/bias", kF32, {3}}},
               /*exact=*/false);
  CHECK(c.store.Find("depthwise_conv2d/bias") == nullptr);
  // h5dump -m %.9g -d /model_weights/dense/dense/bias:0
  CHECK(Floats(Get(c, "dense/bias")) ==
        std::vector<float>{0.0582723916f, -0.727380455f, 0.196599588f});
  // h5dump -d /optimizer_weights/iteration:0 → 59400 = 0xe808
  CHECK(Bytes(Get(c, "optimizer_weights/iteration")) ==
        std::vector<uint8_t>{0x08, 0xe8, 0, 0, 0, 0, 0, 0});
  const KerasH5State& s = State(c);
  REQUIRE(s.optimizer_weight_names.size() == 37);
  CHECK(s.optimizer_weight_names[0] == "iteration:0");
  CHECK(s.optimizer_weight_names[1] == "Adam/m/depthwise_conv2d/depthwise_kernel:0");
  CHECK(s.optimizer_weight_names[2] == "Adam/v/depthwise_conv2d/depthwise_kernel:0");
}

TEST_CASE("keras_h5: Keras 3.15 .keras zip with a nested container and empty vars groups") {
  REQUIRE_REAL_DATA();
  const Checkpoint c = Open(kNested);
  CHECK(c.format == "keras_zip");
  CHECK(c.format_version == "Keras 3.15.0 archive (.keras)");
  CHECK(c.files[0].role == "keras archive");
  CHECK(Property(c, "date_saved") == "2026-05-13@21:23:40");
  CHECK(Property(c, "weights_format") == "keras3_weights_h5");
  // python3 zipfile: header_offset + 30 + name + extra of model.weights.h5 = 0x22c
  CHECK(Property(c, "weights_member") == "model.weights.h5 (stored @0x22c)");
  CheckListing(c,
               {{"layers/dense/vars/0", kF32, {4, 4}},
                {"layers/dense_1/vars/0", kF32, {4, 4}},
                {"layers/dense_2/vars/0", kF32, {4, 4}},
                {"layers/dense_3/vars/0", kF32, {4, 2}},
                {"layers/dense_3/vars/1", kF32, {2}}},
               /*exact=*/true);
  // FORMATS.md §5.3: group names are class-based, the name attributes hold layer names.
  CHECK(Note(Get(c, "layers/dense/vars/0"), "layer") == "d_0");
  CHECK(Note(Get(c, "layers/dense_3/vars/1"), "layer") == "dense");
  CHECK(Get(c, "layers/dense/vars/0").data->name() == Real(kNested) + ":model.weights.h5");
  // unzip -p ... model.weights.h5 > w.h5; h5dump -m %.9g -d /layers/dense_3/vars/0 w.h5
  CHECK(Floats(Get(c, "layers/dense_3/vars/0")) == std::vector<float>(8, 0.5f));
  CHECK(Floats(Get(c, "layers/dense_3/vars/1")) == std::vector<float>(2, 0.0f));
  const KerasH5State& s = State(c);
  CHECK(s.layout == "keras3_weights_h5");
  CHECK(s.archive_members ==
        std::vector<std::string>{"metadata.json", "config.json", "model.weights.h5"});
  CHECK(s.metadata_json == R"({"keras_version": "3.15.0", "date_saved": "2026-05-13@21:23:40"})");
  REQUIRE(s.vars_groups.size() == 5);
  CHECK(s.vars_groups[0].owner_path == "layers/dense");
  CHECK(s.vars_groups[0].name_attr == "d_0");
  CHECK(s.vars_groups[4].owner_path == "");  // root /vars, empty
  CHECK(s.vars_groups[4].name_attr == "nested_dense_model");
  CHECK(s.vars_groups[4].keys.empty());
}

TEST_CASE("keras_h5: Keras 3.13 .keras zip with Adam state in numeric variable order") {
  REQUIRE_REAL_DATA();
  const Checkpoint c = Open(kAdam);
  CHECK(c.format_version == "Keras 3.13.2 archive (.keras)");
  CHECK(c.store.size() == 20);
  const std::string dense = "layers/custom_layer/_custom_layers/";
  std::vector<Expect> expected = {
      {dense + "dense/vars/0", kF32, {32, 64}},   {dense + "dense/vars/1", kF32, {64}},
      {dense + "dense_1/vars/0", kF32, {64, 32}}, {dense + "dense_1/vars/1", kF32, {32}},
      {dense + "dense_2/vars/0", kF32, {32, 10}}, {dense + "dense_2/vars/1", kF32, {10}},
      {"optimizer/vars/0", DType::kInt64, {}},    {"optimizer/vars/1", kF32, {}}};
  const std::vector<std::vector<int64_t>> slots = {{32, 64}, {64}, {64, 32}, {32}, {32, 10}, {10}};
  for (int i = 2; i < 14; ++i) {
    expected.push_back({"optimizer/vars/" + std::to_string(i), kF32, slots[(i - 2) / 2]});
  }
  CheckListing(c, expected, /*exact=*/true);
  CHECK(Note(Get(c, dense + "dense/vars/0"), "layer") == "dense_6");
  CHECK(Note(Get(c, "optimizer/vars/3"), "role") == "optimizer");
  CHECK(Note(Get(c, dense + "dense/vars/0"), "keras_name").empty());  // custom model config
  // unzip -p fixed_model.keras model.weights.h5 > w.h5; h5dump -d /optimizer/vars/0 w.h5 → 25
  CHECK(Bytes(Get(c, "optimizer/vars/0")) == std::vector<uint8_t>{25, 0, 0, 0, 0, 0, 0, 0});
  CHECK(Floats(Get(c, "optimizer/vars/1")) == std::vector<float>{0.00100000005f});
  // h5dump -m %.9g -d /layers/custom_layer/_custom_layers/dense_2/vars/1 w.h5
  CHECK(Floats(Get(c, dense + "dense_2/vars/1")) ==
        std::vector<float>{0.0145351458f, -0.0106666181f, -0.00569676002f, -0.00422399305f,
                           -0.000201177638f, 0.0100702504f, 0.00297863665f, 0.00482825097f,
                           -0.000696660427f, -0.0149738407f});
  // h5dump -p -H -d /optimizer/vars/10 w.h5 → OFFSET 75324, relative to the member.
  CHECK(Get(c, "optimizer/vars/10").data_offset == 75324);
  const KerasH5State& s = State(c);
  const Keras3VarsGroup* optimizer = nullptr;
  for (const Keras3VarsGroup& g : s.vars_groups) {
    if (g.owner_path == "optimizer") optimizer = &g;
  }
  REQUIRE(optimizer != nullptr);
  CHECK(optimizer->name_attr == "adam");
  std::vector<std::string> numeric;
  for (int i = 0; i < 14; ++i) numeric.push_back(std::to_string(i));
  CHECK(optimizer->keys == numeric);
}

TEST_CASE("keras_h5: sniffing recognises HDF5 and .keras zips by content") {
  REQUIRE_REAL_DATA();
  for (const char* rel : {k3Layer, kLstm, kQKeras, kDotKeras, kPreluFull, kPreluWeights, kTuner,
                          kResnet, kStrWw, kNested, kAdam}) {
    INFO(rel);
    CHECK(SniffKerasOrHdf5(Real(rel)));
  }
  CHECK_FALSE(SniffKerasOrHdf5(Real("PROVENANCE.md")));
  CHECK_FALSE(SniffKerasOrHdf5(Real("hls4ml-keras2_0_0-3layer-weights-only-h5/KERAS_3layer.json")));
  CHECK_FALSE(SniffKerasOrHdf5(Real("no-such-file.h5")));
}

TEST_CASE("keras_h5: errors name the file") {
  const std::string missing = std::string(RESCOPE_TESTDATA_DIR) + "/no-such-file.h5";
  auto r = OpenKerasH5(missing);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kNotFound);
  CHECK(r.status().message() == missing + ": no such file");
}
