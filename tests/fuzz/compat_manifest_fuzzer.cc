// SPDX-License-Identifier: Apache-2.0
// Fuzz target: parse a variables manifest, check it against a small checkpoint, suggest
// a rename map and render everything.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/compare/compat.h"
#include "core/compare/compat_render.h"
#include "core/compare/suggest_map.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace rescope;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Result<std::vector<ExpectedVar>> vars = ParseManifest(text, "fuzz.json");
  if (!vars.ok()) return 0;
  TensorStore ckpt;
  for (const char* name : {"model_1/layer_a/weights", "model_1/layer_a/biases", "global_step"}) {
    TensorEntry e;
    e.name = name;
    e.dtype = DType::kFloat32;
    e.shape = {3};
    (void)ckpt.Add(std::move(e));
  }
  CheckOptions options;
  options.model_only = size % 2 == 0;
  options.allow_missing = {"*bias*"};
  const CheckReport report = CheckCompat(ckpt, *vars, options);
  (void)FormatCheckText(report);
  (void)ToJson(report).dump();
  const SuggestReport suggest = SuggestMap(report);
  (void)FormatSuggestText(suggest);
  (void)ToJson(suggest).dump();
  return 0;
}
