// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: bytes as a JSON rename map; a map that parses is planned against a
// fixed set of names, and its ToJson form must parse back to a map that acts the same.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "core/rename/rename_plan.h"
#include "core/rename/rename_rules.h"

namespace {

const std::vector<std::string>& Names() {
  static const std::vector<std::string> kNames = {
      "",
      "_CHECKPOINTABLE_OBJECT_GRAPH",
      "global_step",
      "beta1_power",
      "model_1/layer_a/weights",
      "model_1/layer_a/weights/Adam",
      "model_1/layer_a/weights/Adam_1",
      "model_1/layer_ab/weights",
      "model_2/layer_b/biases",
      "layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE",
      "layer_with_weights-0/kernel/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE",
      "optimizer/iter/.ATTRIBUTES/VARIABLE_VALUE",
      "a",
      "b",
      "x/",
      "x//y",
  };
  return kNames;
}

bool SameOutcome(const std::optional<rescope::RenameMap::Match>& a,
                 const std::optional<rescope::RenameMap::Match>& b) {
  if (a.has_value() != b.has_value()) return false;
  return !a || (a->rule_index == b->rule_index && a->drop == b->drop && a->new_name == b->new_name);
}

}  // namespace

// A map the fast reader accepts must be the strict reader's map, rule for rule and word
// for word (core/rename/rename_rules_fast.cc declines anything it is not sure of).
void CheckFastReaderAgrees(std::string_view text) {
  const auto fast = rescope::RenameMap::ParseJsonFast(text, "fuzz.json");
  if (!fast) return;
  const auto strict = rescope::RenameMap::ParseJsonStrict(text, "fuzz.json");
  if (!strict.ok() || strict->size() != fast->size() || !strict->unresolved().empty() ||
      !strict->warnings().empty()) {
    std::abort();
  }
  for (size_t i = 0; i < fast->size(); ++i) {
    const rescope::RenameRule& a = fast->rules()[i];
    const rescope::RenameRule& b = strict->rules()[i];
    if (a.kind != b.kind || a.from != b.from || a.to != b.to || a.drop != b.drop ||
        a.permute != b.permute || a.scope_mark != b.scope_mark || a.Describe() != b.Describe()) {
      std::abort();
    }
  }
  for (const std::string& name : Names()) {
    if (!SameOutcome(fast->Apply(name), strict->Apply(name))) std::abort();
  }
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  CheckFastReaderAgrees(text);
  auto map = rescope::RenameMap::ParseJson(text, "fuzz.json");
  if (!map.ok()) {
    if (map.status().message().empty()) std::abort();
    return 0;
  }
  rescope::PlanOptions options;
  const rescope::RenamePlan plan = rescope::PlanRename(Names(), *map, options);
  options.strict = true;
  options.drop_optimizer = true;
  (void)rescope::PlanRename(Names(), *map, options);
  if (plan.ok()) {
    rescope::TensorStore store;
    for (const std::string& name : Names()) {
      rescope::TensorEntry entry;
      entry.name = name;
      if (!store.Add(entry).ok()) std::abort();
    }
    size_t dropped = 0;
    for (const rescope::RenameChange& change : plan.changes) dropped += change.dropped;
    // A clean plan loses nothing but the dropped entries and merges nothing.
    if (rescope::ApplyPlan(store, plan).size() != store.size() - dropped) std::abort();
  }

  const std::string dumped =
      map->ToJson().dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  auto again = rescope::RenameMap::ParseJson(dumped, "roundtrip.json");
  if (!again.ok() || again->size() != map->size()) std::abort();
  for (const std::string& name : Names()) {
    if (!SameOutcome(map->Apply(name), again->Apply(name))) std::abort();
  }
  return 0;
}
