// Rename-map suggestions from a CheckReport: which unused checkpoint variables are the
// missing expected ones under another name, written as rename rules.
//
// Method:
//   1. Sources are the un-excused kUnused items, targets the un-excused kMissing items.
//      A source is a candidate for a target only with equal dtype and shape.
//   2. Candidates are ranked by scope-aware similarity: more shared trailing path
//      segments first ("layer_a/weights" beats "weights"), then smaller edit distance
//      (core/edit_distance.h) of the whole names.
//   3. A source and a target are paired only when each is the other's unique best
//      candidate; pairing repeats over what is left until nothing changes. Targets that
//      remain are reported unresolved with their equally best remaining candidates
//      (possibly none) — never guessed.
//   4. Pairs become scope rules where possible. A pair u -> m is split into the prefixes
//      that differ and the relative name they share (longest common trailing segments:
//      model_1/layer_a/weights -> model_3/layer_a/weights has prefixes model_1, model_3
//      and relative name layer_a/weights). Pairs with the same prefixes form a group
//      whose candidate rule is the deepest scope common to all of them (model_1/layer_a
//      -> model_3/layer_a for {weights, biases}; model_1 -> model_3 when the group spans
//      layer_a and layer_b). The rule (A, B) is emitted when every checkpoint variable
//      under A (ignoring set-aside and excused items, which simply move along) is paired
//      with B + its relative name and every un-excused missing variable under B is paired
//      the other way. Otherwise the group is split by its next segment and each part
//      tried one level deeper; pairs that reach their leaf become name rules.
// Rules are sorted by source name; unresolved entries by target name.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/compat.h"

namespace rescope {

struct SuggestedRule {
  bool is_scope = false;  // scope rule (rename a whole scope) or single-name rule
  std::string from;       // checkpoint scope or name
  std::string to;         // expected scope or name
};

struct UnresolvedTarget {
  std::string to;                       // the missing expected name
  std::vector<std::string> candidates;  // equally good checkpoint names, sorted
};

struct SuggestReport {
  std::vector<SuggestedRule> rules;
  std::vector<UnresolvedTarget> unresolved;
};

SuggestReport SuggestMap(const CheckReport& report);

// The rename-map rule-list form:
//   {"rules": [{"scope": "model_1/layer_a", "to": "model_3/layer_a"},
//              {"name": "a", "to": "b"}],
//    "unresolved": [{"to": "x", "candidates": ["p", "q"]}]}
nlohmann::json ToJson(const SuggestReport& report);

}  // namespace rescope
