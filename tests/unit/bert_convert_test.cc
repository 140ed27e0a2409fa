// SPDX-License-Identifier: Apache-2.0
// End-to-end test of the shipped BERT map: `rescope convert` of Google's TF1
// run_pretraining checkpoint to safetensors, read back with the library, every tensor
// compared with the TF source bytes (kernels through a transpose computed here by index
// arithmetic, everything else byte for byte).
#include <doctest/doctest.h>

#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "core/rename/rename_plan.h"
#include "formats/registry.h"
#include "rename_test_util.h"

using namespace rescope;
using rename_test::RunRescope;
using rename_test::ScratchDir;
using rename_test::TensorBytes;

namespace {

const std::filesystem::path kBertDir = std::filesystem::path(RESCOPE_TESTDATA_DIR) /
                                       "keras-bert-google-run-pretraining-tf1_11-tiny-ckpt";
constexpr const char* kMapRel = "maps/bert/tf1-to-hf-bertforpretraining.json";

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// numpy's `kernel.T` of a row-major [rows, cols] float32 tensor, as bytes.
std::string Transposed2D(const std::string& src, int64_t rows, int64_t cols) {
  REQUIRE(src.size() == static_cast<size_t>(rows * cols * 4));
  std::string out(src.size(), '\0');
  for (int64_t i = 0; i < rows; ++i) {
    for (int64_t j = 0; j < cols; ++j) {
      std::memcpy(&out[static_cast<size_t>((j * rows + i) * 4)],
                  &src[static_cast<size_t>((i * cols + j) * 4)], 4);
    }
  }
  return out;
}

}  // namespace

TEST_CASE("bert maps: rescope convert --map writes transposed kernels to safetensors") {
  if (!std::filesystem::is_directory(kBertDir)) {
    MESSAGE("skipped: " << kBertDir.string() << " not found");
    return;
  }
  const std::string prefix = (kBertDir / "bert_model.ckpt").string();
  ScratchDir dir;
  const std::string out = dir / "bert.safetensors";
  const auto r = RunRescope(
      {"convert", prefix, out, "--map", rename_test::SourceDir() + "/" + kMapRel}, dir / "stderr");
  REQUIRE_MESSAGE(r.exit_code == 0, r.stderr_text);

  auto tf = OpenCheckpoint(prefix);
  REQUIRE_MESSAGE(tf.ok(), tf.status().message());
  auto hf = OpenCheckpoint(out);
  REQUIRE_MESSAGE(hf.ok(), hf.status().message());
  CHECK(hf->format == "safetensors");
  CHECK(RenamableNames(hf->store).size() == 46);  // 139 - 92 Adam slots - global_step

  // One pair spelled out: layer 0's query kernel, [in, out] = [4, 4] in TF.
  const TensorEntry* q_tf = tf->store.Find("bert/encoder/layer_0/attention/self/query/kernel");
  const TensorEntry* q_hf = hf->store.Find("bert.encoder.layer.0.attention.self.query.weight");
  REQUIRE(q_tf != nullptr);
  REQUIRE(q_hf != nullptr);
  CHECK(q_hf->dtype == DType::kFloat32);
  CHECK(q_hf->shape == std::vector<int64_t>{4, 4});
  const std::string q_src = TensorBytes(*q_tf);
  CHECK(TensorBytes(*q_hf) == Transposed2D(q_src, 4, 4));
  CHECK(TensorBytes(*q_hf) != q_src);  // a real kernel is not symmetric

  // Every tensor: renamed by the map, transposed exactly when it was a TF kernel.
  auto map = RenameMap::ParseJson(
      rename_test::ReadWholeFile(rename_test::SourceDir() + "/" + kMapRel), kMapRel);
  REQUIRE(map.ok());
  const RenamePlan plan = PlanRename(RenamableNames(tf->store), *map, PlanOptions{});
  REQUIRE(plan.ok());
  int transposed = 0;
  for (const RenameChange& c : plan.changes) {
    if (c.dropped) continue;
    CAPTURE(c.old_name);
    const TensorEntry* src = tf->store.Find(c.old_name);
    const TensorEntry* dst = hf->store.Find(c.new_name);
    REQUIRE(src != nullptr);
    REQUIRE(dst != nullptr);
    CHECK(dst->dtype == src->dtype);
    if (EndsWith(c.old_name, "/kernel")) {
      REQUIRE(src->shape.size() == 2);
      CHECK(dst->shape == std::vector<int64_t>{src->shape[1], src->shape[0]});
      CHECK(TensorBytes(*dst) == Transposed2D(TensorBytes(*src), src->shape[0], src->shape[1]));
      ++transposed;
    } else {
      CHECK(dst->shape == src->shape);
      CHECK(TensorBytes(*dst) == TensorBytes(*src));
    }
  }
  // Per layer: query, key, value, attention output, intermediate, output; plus the pooler
  // and the MLM transform.
  CHECK(transposed == 2 * 6 + 2);
}
