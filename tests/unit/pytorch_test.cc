// SPDX-License-Identifier: Apache-2.0
// Tests of the PyTorch reader and writer against files written by real PyTorch: the
// torch-made .expected.json files of RESCOPE_TORCH_TESTDATA_DIR and the real files of
// RESCOPE_TESTDATA_DIR (PROVENANCE.md Parts 2 and 3).
#include <doctest/doctest.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "formats/pytorch/pytorch_reader.h"
#include "formats/pytorch/pytorch_writer.h"
#include "sha256_test_util.h"

using namespace rescope;
using namespace rescope::pytorch;
namespace fs = std::filesystem;

namespace {

const fs::path kTorchDir = RESCOPE_TORCH_TESTDATA_DIR;
const fs::path kRealDir = RESCOPE_TESTDATA_DIR;

std::vector<uint8_t> ReadAll(const TensorEntry& e) {
  std::vector<uint8_t> scratch;
  auto view = e.data->Read(e.data_offset, e.byte_size, scratch);
  REQUIRE_MESSAGE(view.ok(), view.status().message());
  return std::vector<uint8_t>(view->begin(), view->end());
}

std::string Note(const TensorEntry& e, const std::string& key) {
  for (const auto& [k, v] : e.notes()) {
    if (k == key) return v;
  }
  return {};
}

std::string PathName(const nlohmann::ordered_json& path) {
  if (path.empty()) return "tensor";
  std::string name;
  for (const auto& seg : path) {
    if (!name.empty()) name += ".";
    name += seg.is_string() ? seg.get<std::string>() : std::to_string(seg.get<int64_t>());
  }
  return name;
}

std::string StrideText(const std::vector<int64_t>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "]";
}

bool RowMajor(const std::vector<int64_t>& shape, const std::vector<int64_t>& stride) {
  int64_t expected = 1;
  for (size_t k = shape.size(); k > 0; --k) {
    if (shape[k - 1] != 1 && stride[k - 1] != expected) return false;
    expected *= shape[k - 1];
  }
  return true;
}

std::set<std::string> Skipped(const Checkpoint& ckpt) {
  std::set<std::string> out;
  for (const auto& [k, v] : ckpt.properties) {
    if (k == "skipped") out.insert(v.substr(0, v.find(": ")));
  }
  return out;
}

// Compares a checkpoint with a torch-made expected.json (see the torch testdata README).
void CheckAgainstExpected(const Checkpoint& ckpt, const nlohmann::ordered_json& expected) {
  const auto& tensors = expected["tensors"];
  CHECK(ckpt.store.size() == tensors.size());
  std::map<int64_t, std::string> group_key;
  std::vector<std::string> order;
  for (const auto& t : tensors) {
    const std::string name = PathName(t["path"]);
    order.push_back(name);
    const TensorEntry* e = ckpt.store.Find(name);
    REQUIRE_MESSAGE(e != nullptr, name);
    CHECK_MESSAGE(DTypeName(e->dtype) == t["dtype"].get<std::string>(), name);
    const auto shape = t["shape"].get<std::vector<int64_t>>();
    const auto stride = t["stride"].get<std::vector<int64_t>>();
    CHECK_MESSAGE(e->shape == shape, name);
    if (!RowMajor(shape, stride) && ShapeNumElements(shape).value_or(0) > 0) {
      CHECK_MESSAGE(Note(*e, "stride") == StrideText(stride), name);
    }
    const int64_t offset = t["storage_offset"].get<int64_t>();
    CHECK_MESSAGE(Note(*e, "storage_offset") == (offset ? std::to_string(offset) : ""), name);
    const auto bytes = ReadAll(*e);
    CHECK_MESSAGE(testing::Sha256Hex(bytes.data(), bytes.size()) == t["sha256"].get<std::string>(),
                  name);
    // Same storage group in torch <=> same storage key here.
    auto [g, inserted] = group_key.emplace(t["storage_group"].get<int64_t>(), Note(*e, "storage"));
    CHECK_MESSAGE(g->second == Note(*e, "storage"), name);
    if (inserted) {
      for (const auto& [other, key] : group_key) {
        if (other != g->first) CHECK_MESSAGE(key != g->second, name);
      }
    }
  }
  auto state = std::dynamic_pointer_cast<const PyTorchState>(ckpt.state);
  REQUIRE(state != nullptr);
  CHECK(state->key_order == order);
  // Non-tensor leaves (containers with items are not leaves).
  std::set<std::string> leaves;
  for (const auto& v : expected["values"]) {
    const std::string type = v["type"].get<std::string>();
    const bool container = type == "list" || type == "tuple" || type == "dict";
    if (!container || v.value("len", 1) == 0) leaves.insert(PathName(v["path"]));
  }
  CHECK(Skipped(ckpt) == leaves);
  for (const auto& c : expected["containers"]) {
    if (!c.contains("_metadata")) continue;
    const std::string path = c["path"].empty() ? "" : PathName(c["path"]);
    auto it = state->metadata.find(path);
    REQUIRE_MESSAGE(it != state->metadata.end(), path);
    const PyNode& meta = *it->second;
    REQUIRE(meta.entries.size() == c["_metadata"].size());
    size_t i = 0;
    for (const auto& [prefix, value] : c["_metadata"].items()) {
      CHECK(meta.entries[i].first->text == prefix);
      const PyNode* version = DictGet(*meta.entries[i].second, "version");
      REQUIRE(version != nullptr);
      CHECK(version->integer == value["version"].get<int64_t>());
      ++i;
    }
  }
}

nlohmann::ordered_json LoadExpected(const fs::path& pt) {
  fs::path json = pt;
  json.replace_extension(".expected.json");
  std::ifstream in(json);
  return nlohmann::ordered_json::parse(in);
}

}  // namespace

TEST_CASE("pytorch: every torch fixture matches its expected.json") {
  if (!fs::exists(kTorchDir)) {
    MESSAGE("skipped: " << kTorchDir.string() << " not found");
    return;
  }
  int files = 0;
  for (const auto& item : fs::directory_iterator(kTorchDir)) {
    if (item.path().extension() != ".pt") continue;
    ++files;
    const std::string path = item.path().string();
    CAPTURE(path);
    const nlohmann::ordered_json expected = LoadExpected(item.path());
    CHECK(SniffPyTorch(path));
    const bool torch_ok = expected["torch_1_13_weights_only_load"] == "ok";
    auto strict = OpenPyTorch(path);
    if (torch_ok) {
      REQUIRE_MESSAGE(strict.ok(), strict.status().message());
      CHECK(strict->format == (expected["container"].get<std::string>().starts_with("zip")
                                   ? "pytorch_zip"
                                   : "pytorch_legacy"));
      CheckAgainstExpected(*strict, expected);
    } else if (item.path().filename() == "training_checkpoint.pt") {
      // torch 1.13 refused its float `loss` (BINFLOAT); plain values are data, so the
      // tensors are listed without --lenient (torch >= 2.4 loads it with weights_only too).
      REQUIRE_MESSAGE(strict.ok(), strict.status().message());
      CheckAgainstExpected(*strict, expected);
    } else {
      // torch refuses these; strict mode refuses too, lenient mode reads them.
      CHECK_FALSE(strict.ok());
      auto lenient = OpenPyTorch(path, {.lenient = true});
      REQUIRE_MESSAGE(lenient.ok(), lenient.status().message());
      CheckAgainstExpected(*lenient, expected);
    }
  }
  CHECK(files == 11);
}

TEST_CASE("pytorch: refusals name the global, the path and the opcode") {
  if (!fs::exists(kTorchDir)) {
    MESSAGE("skipped: " << kTorchDir.string() << " not found");
    return;
  }
  const std::string np = (kTorchDir / "numpy_in_checkpoint.pt").string();
  auto r = OpenPyTorch(np);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == StatusCode::kNotSupported);
  CHECK(r.status().message().starts_with(
      np + ": np_array: GLOBAL numpy.core.multiarray._reconstruct is not allowed (data.pkl @0x"));
  const std::string p4 = (kTorchDir / "protocol4_state_dict.pt").string();
  r = OpenPyTorch(p4);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().starts_with(p4 + ": data.pkl @0x2: unsupported pickle opcode 0x95"));
}

TEST_CASE("pytorch: real files (PROVENANCE.md Parts 2 and 3)") {
  if (!fs::exists(kRealDir / "candle-torch2-fortran-strides-pth")) {
    MESSAGE("skipped: " << kRealDir.string() << " PyTorch files not found");
    return;
  }
  SUBCASE("fortran strides: logical values 1..24") {
    auto c = OpenPyTorch(
        (kRealDir / "candle-torch2-fortran-strides-pth/fortran_tensor_3d.pth").string());
    REQUIRE_MESSAGE(c.ok(), c.status().message());
    const TensorEntry* e = c->store.Find("tensor_fortran");
    REQUIRE(e != nullptr);
    CHECK(e->dtype == DType::kInt64);
    CHECK(e->shape == std::vector<int64_t>{2, 3, 4});
    CHECK(Note(*e, "stride") == "[1, 2, 6]");
    const auto bytes = ReadAll(*e);
    REQUIRE(bytes.size() == 24 * 8);
    for (int i = 0; i < 24; ++i) CHECK(LoadLE64(bytes.data() + 8 * i) == uint64_t(i + 1));
    // A window that starts mid-element gathers only what is asked.
    std::vector<uint8_t> scratch;
    auto part = e->data->Read(e->data_offset + 13, 6, scratch);
    REQUIRE(part.ok());
    CHECK(std::memcmp(part->data, bytes.data() + 13, 6) == 0);
  }
  SUBCASE("legacy uncloned views share one storage") {
    auto c = OpenPyTorch(
        (kRealDir / "burn-torch-legacy-uncloned-views-pt/legacy_uncloned_views.pt").string());
    REQUIRE_MESSAGE(c.ok(), c.status().message());
    CHECK(c->format == "pytorch_legacy");
    const TensorEntry* t1 = c->store.Find("tensor1");
    const TensorEntry* t2 = c->store.Find("tensor2");
    REQUIRE((t1 && t2));
    CHECK(Note(*t1, "storage") == "94081730766256");
    CHECK(Note(*t1, "shares_storage_with") == "tensor2");
    CHECK(Note(*t2, "storage_offset") == "50");
    auto b1 = ReadAll(*t1), b2 = ReadAll(*t2);
    float f = 0;
    std::memcpy(&f, b1.data(), 4);
    CHECK(f == 10.0f);
    std::memcpy(&f, b2.data() + 36, 4);
    CHECK(f == 59.0f);
  }
  SUBCASE("burn >= 2.7 training checkpoint") {
    const std::string p =
        (kRealDir / "burn-torch2_7-training-checkpoint-pt/checkpoint.pt").string();
    // epoch (int) and loss (float) are plain data: skipped and named, without --lenient.
    auto c = OpenPyTorch(p);
    REQUIRE_MESSAGE(c.ok(), c.status().message());
    CHECK(c->store.size() == 5);
    REQUIRE(c->store.Find("model_state_dict.fc1.weight") != nullptr);
    CHECK(c->store.Find("model_state_dict.fc1.weight")->shape == std::vector<int64_t>{10, 5});
    REQUIRE(c->store.Find("optimizer_state_dict.state.0.momentum_buffer") != nullptr);
    CHECK(Skipped(*c) == std::set<std::string>{"epoch", "loss"});
  }
  SUBCASE("torchtune: 21 tensors of 0.2, records in string order") {
    auto c =
        OpenPyTorch((kRealDir / "torchtune-tiny-fair-llama-pt/tiny_fair_checkpoint.pt").string());
    REQUIRE_MESSAGE(c.ok(), c.status().message());
    CHECK(c->store.size() == 21);
    const TensorEntry* e = c->store.Find("tok_embeddings.weight");
    REQUIRE(e != nullptr);
    CHECK(e->shape == std::vector<int64_t>{500, 32});
    const auto bytes = ReadAll(*e);
    for (size_t i = 0; i < bytes.size(); i += 4) REQUIRE(LoadLE32(bytes.data() + i) == 0x3E4CCCCDu);
    auto state = std::dynamic_pointer_cast<const PyTorchState>(c->state);
    CHECK(state->metadata.at("")->entries.size() == 29);
    CHECK(state->record_order[2] == "data/0");
    CHECK(state->record_order[4] == "data/10");
  }
  SUBCASE("camphr transformers 4.8 zip: position_ids 0..15") {
    auto c = OpenPyTorch((kRealDir / "camphr-transformers4_8-bert-tokencls-zip-pt").string());
    REQUIRE_MESSAGE(c.ok(), c.status().message());
    CHECK(c->store.size() == 24);
    const TensorEntry* e = c->store.Find("bert.embeddings.position_ids");
    REQUIRE(e != nullptr);
    CHECK(e->shape == std::vector<int64_t>{1, 16});
    const auto bytes = ReadAll(*e);
    for (int i = 0; i < 16; ++i) CHECK(LoadLE64(bytes.data() + 8 * i) == uint64_t(i));
    CHECK(c->store.Find("classifier.weight")->shape == std::vector<int64_t>{9, 16});
  }
  SUBCASE("camphr transformers 2.4 legacy BertModel") {
    auto c = OpenPyTorch(
        (kRealDir / "camphr-transformers2_4-bertmodel-legacy-pt/pytorch_model.bin").string());
    REQUIRE_MESSAGE(c.ok(), c.status().message());
    CHECK(c->store.size() == 39);
    CHECK(c->store.Find("embeddings.word_embeddings.weight")->shape ==
          std::vector<int64_t>{1000, 2});
    CHECK(c->store.Find("encoder.layer.1.output.dense.weight")->shape ==
          std::vector<int64_t>{2, 8});
  }
  SUBCASE("knowbert legacy: tied decoder") {
    auto c = OpenPyTorch(
        (kRealDir / "knowbert-ppb-bertforpretraining-legacy-pt/pytorch_model.bin").string());
    REQUIRE_MESSAGE(c.ok(), c.status().message());
    CHECK(c->store.size() == 47);
    const TensorEntry* w = c->store.Find("bert.embeddings.word_embeddings.weight");
    REQUIRE(w != nullptr);
    CHECK(Note(*w, "shares_storage_with") == "cls.predictions.decoder.weight");
    CHECK(ReadAll(*w) == ReadAll(*c->store.Find("cls.predictions.decoder.weight")));
  }
}
