// SPDX-License-Identifier: Apache-2.0
// Name evidence for suggest-map: how strongly two variable names, possibly written by
// different frameworks, say they are the same variable, and in which layout its values are.
//
// Names are compared as sequences of lower-cased tokens: a name is cut at every character
// that is not a letter or digit ("bert/encoder/layer_0/attention" and
// "bert.encoder.layer.0.attention" give the same tokens). The leaf is the last path
// segment (cut at '/' or '.'; a TF2 "/.ATTRIBUTES/VARIABLE_VALUE" tail and a Keras ":0"
// suffix are not part of it). Leaves relate in one of these ways:
//   equal                   "kernel" and "kernel", or equal last tokens ("output_bias", "bias")
//   same-layout alias       gamma~weight, beta~bias, biases~bias, b~bias, embeddings~weight,
//                           moving_mean~running_mean, moving_variance~running_var,
//                           weights~kernel, w~kernel (one convention, one layout)
//   kernel~weight           a TF dense kernel is [in, out], a PyTorch Linear weight
//                           [out, in]: the values are transposed (rank 2 only)
//   layout-by-shape alias   weights~weight, w~weight: TF1 slim "weights" are [in, out]
//                           but some TF names ("output_weights") hold [out, in]; only a
//                           non-square shape tells which
// Aliased leaves count as one matched token. Evidence ("named") needs a related leaf, or
// one name's tokens all appearing, in order, in the other's with at least one of them
// not a number ("bert/embeddings/word_embeddings" in "...word_embeddings.weight"; the
// layout then follows the shape, like a layout-by-shape alias).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rescope {

enum class LeafRelation { kNone, kEqual, kSameLayoutAlias, kKernelWeight, kLayoutByShape };

struct NameEvidence {
  size_t matched = 0;    // tokens matched in order (longest common subsequence)
  size_t unmatched = 0;  // tokens of either name outside that subsequence
  LeafRelation leaf = LeafRelation::kNone;
  bool contained = false;           // every token of one name is matched
  bool named = false;               // enough evidence to propose a rule (see above)
  bool weak = false;                // named, but at most one non-numeric token matched
  std::vector<std::string> shared;  // the matched tokens, in order (aliases as "a~b")
};

NameEvidence CompareNames(std::string_view a, std::string_view b);

// How the values of `a` (shape a) become `b` (shape b), given the names' evidence.
//   kNone           the shapes do not fit what the names say
//   kSame           same layout, equal shapes
//   kTransposed     a rank-2 transpose (b == reversed a, square included for kernel~weight)
//   kLayoutUnknown  the names fit, but whether to transpose cannot be told (a square
//                   matrix under a layout-by-shape relation; kernel~weight not of rank 2)
enum class ShapeFit { kNone, kSame, kTransposed, kLayoutUnknown };
ShapeFit FitShapes(const NameEvidence& evidence, const std::vector<int64_t>& a,
                   const std::vector<int64_t>& b);

// "kernel~weight: TF [in, out] vs PyTorch [out, in]" style note for the leaf relation,
// empty for kEqual and kNone.
std::string LeafNote(const NameEvidence& evidence, std::string_view a, std::string_view b);

}  // namespace rescope
