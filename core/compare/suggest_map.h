// SPDX-License-Identifier: Apache-2.0
// Rename-map suggestions from a CheckReport: which unused checkpoint variables are the
// missing expected ones under another name, written as rename rules.
//
// Method (a proposal needs name evidence, never a guess):
//   1. Sources are the un-excused kUnused items, targets the un-excused kMissing items.
//      A source is a candidate for a target with equal dtype and a shape that fits what
//      the names say (core/compare/name_evidence.h): equal, or transposed for kernel~weight (and
//      for weights~weight when the shape is not square). A source of equal dtype and
//      shape without name evidence is a shape-only candidate: listed, never paired.
//   2. Named candidates are ranked by evidence: more matched tokens first, then fewer
//      unmatched ones. Equal rank is a tie; edit distance never decides.
//   3. A source and a target are paired only when each is the other's unique best named
//      candidate; pairing repeats over what is left until nothing changes. A best pair
//      whose layout cannot be told (a square matrix under weights~weight) is not paired:
//      its target is unresolved. Targets that remain are reported unresolved with their
//      candidates and the reason.
//   4. Pairs become scope rules where possible (never for transposed pairs). A pair
//      u -> m is split into the prefixes that differ and the relative name they share
//      (longest common trailing '/' segments: model_1/layer_a/weights -> model_3/layer_a/
//      weights has prefixes model_1, model_3 and relative name layer_a/weights). Pairs
//      with the same prefixes form a group whose candidate rule is the deepest scope
//      common to all of them (model_1/layer_a -> model_3/layer_a for {weights, biases};
//      model_1 -> model_3 when the group spans layer_a and layer_b). The rule (A, B) is
//      emitted when every checkpoint variable under A (ignoring set-aside and excused
//      items, which simply move along) is paired with B + its relative name and every
//      un-excused missing variable under B is paired the other way. Otherwise the group
//      is split by its next segment and each part tried one level deeper; pairs that
//      reach their leaf become name rules.
// Every rule says why it was proposed; `weak` marks rules whose names share no more than
// one word (old/w -> new/w) — they are unique, but a person should look.
// Rules are sorted by source name; unresolved entries by target name.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/compare/compat.h"

namespace rescope {

struct SuggestedRule {
  bool is_scope = false;   // scope rule (rename a whole scope) or single-name rule
  std::string from;        // checkpoint scope or name
  std::string to;          // expected scope or name
  bool transpose = false;  // the values are transposed (name rules only)
  bool weak = false;       // little name evidence: review it
  std::string why;         // the evidence, for the map's "why" field
};

inline constexpr size_t kMaxListedCandidates = 10;

struct UnresolvedTarget {
  std::string to;                       // the missing expected name
  std::vector<std::string> candidates;  // best first, at most kMaxListedCandidates
  std::string why;                      // why no rule was proposed
};

struct SuggestReport {
  std::vector<SuggestedRule> rules;
  std::vector<UnresolvedTarget> unresolved;
};

SuggestReport SuggestMap(const CheckReport& report);

// The rename-map rule-list form (`rename --map` refuses it while "unresolved" is not
// empty; "why" is ignored by the parser):
//   {"rules": [{"scope": "model_1/layer_a", "to": "model_3/layer_a", "why": "..."},
//              {"name": "a", "to": "b", "transpose": true, "why": "weak: ..."}],
//    "unresolved": [{"to": "x", "candidates": ["p", "q"], "why": "..."}]}
nlohmann::json ToJson(const SuggestReport& report);

}  // namespace rescope
