// SPDX-License-Identifier: Apache-2.0
// Token comparison of variable names and the layout their leaves imply.
#include "core/compare/name_evidence.h"

#include <algorithm>
#include <cctype>

namespace rescope {
namespace {

struct AliasPair {
  std::string_view x, y;
  LeafRelation relation;
};

// Conventions of TF1/Keras (kernel, gamma, beta, moving_*), TF-Slim (weights, biases),
// Sonnet (w, b) and PyTorch (weight, bias, running_*).
constexpr AliasPair kAliases[] = {
    {"kernel", "weight", LeafRelation::kKernelWeight},
    {"weights", "weight", LeafRelation::kLayoutByShape},
    {"w", "weight", LeafRelation::kLayoutByShape},
    {"gamma", "weight", LeafRelation::kSameLayoutAlias},
    {"beta", "bias", LeafRelation::kSameLayoutAlias},
    {"biases", "bias", LeafRelation::kSameLayoutAlias},
    {"b", "bias", LeafRelation::kSameLayoutAlias},
    {"embeddings", "weight", LeafRelation::kSameLayoutAlias},
    {"moving_mean", "running_mean", LeafRelation::kSameLayoutAlias},
    {"moving_variance", "running_var", LeafRelation::kSameLayoutAlias},
    {"weights", "kernel", LeafRelation::kSameLayoutAlias},
    {"w", "kernel", LeafRelation::kSameLayoutAlias},
};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::vector<std::string> Tokens(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      cur += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!cur.empty()) {
      out.push_back(std::move(cur));
      cur.clear();
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

// The name without the TF2 attribute tail and Keras ":0" suffix, split into body and leaf.
std::pair<std::string_view, std::string_view> SplitLeaf(std::string_view name) {
  constexpr std::string_view kAttr = "/.ATTRIBUTES/VARIABLE_VALUE";
  if (name.ends_with(kAttr)) name.remove_suffix(kAttr.size());
  if (const size_t colon = name.rfind(':');
      colon != std::string_view::npos && colon > 0 && colon + 1 < name.size() &&
      std::all_of(name.begin() + colon + 1, name.end(),
                  [](char c) { return c >= '0' && c <= '9'; })) {
    name = name.substr(0, colon);
  }
  const size_t cut = name.find_last_of("/.");
  if (cut == std::string_view::npos) return {std::string_view(), name};
  return {name.substr(0, cut), name.substr(cut + 1)};
}

LeafRelation Alias(const std::string& a, const std::string& b) {
  if (a == b) return LeafRelation::kEqual;
  for (const AliasPair& alias : kAliases) {
    if ((a == alias.x && b == alias.y) || (a == alias.y && b == alias.x)) return alias.relation;
  }
  return LeafRelation::kNone;
}

// Whole leaves first ("moving_mean"~"running_mean"), then their last words
// ("output_bias" and "bias", "output_weights"~"weight").
LeafRelation RelateLeaves(const std::string& a, const std::string& b) {
  if (const LeafRelation r = Alias(a, b); r != LeafRelation::kNone) return r;
  const std::vector<std::string> ta = Tokens(a), tb = Tokens(b);
  if (ta.empty() || tb.empty()) return LeafRelation::kNone;
  return Alias(ta.back(), tb.back());
}

bool IsNumber(const std::string& t) {
  return std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Longest common subsequence of two token lists, with the matched tokens of `a`.
std::vector<size_t> Lcs(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::vector<std::vector<size_t>> len(a.size() + 1, std::vector<size_t>(b.size() + 1, 0));
  for (size_t i = a.size(); i-- > 0;) {
    for (size_t j = b.size(); j-- > 0;) {
      len[i][j] = a[i] == b[j] ? len[i + 1][j + 1] + 1 : std::max(len[i + 1][j], len[i][j + 1]);
    }
  }
  std::vector<size_t> picked;
  for (size_t i = 0, j = 0; i < a.size() && j < b.size();) {
    if (a[i] == b[j]) {
      picked.push_back(i);
      ++i, ++j;
    } else if (len[i + 1][j] >= len[i][j + 1]) {
      ++i;
    } else {
      ++j;
    }
  }
  return picked;
}

}  // namespace

NameEvidence CompareNames(std::string_view a, std::string_view b) {
  NameEvidence ev;
  const auto [body_a, leaf_a] = SplitLeaf(a);
  const auto [body_b, leaf_b] = SplitLeaf(b);
  const std::string la = Lower(leaf_a), lb = Lower(leaf_b);
  ev.leaf = RelateLeaves(la, lb);
  std::vector<std::string> ta, tb;
  if (ev.leaf != LeafRelation::kNone && la != lb) {
    // Aliased leaves: one shared token stands for both.
    ta = Tokens(body_a);
    tb = Tokens(body_b);
    const std::string joined = la + "~" + lb;
    if (Tokens(la) == Tokens(lb)) {
      for (const std::string& t : Tokens(la)) ta.push_back(t), tb.push_back(t);
    } else {
      ta.push_back(joined);
      tb.push_back(joined);
    }
  } else {
    ta = Tokens(a);
    tb = Tokens(b);
  }
  const std::vector<size_t> picked = Lcs(ta, tb);
  ev.matched = picked.size();
  ev.unmatched = ta.size() + tb.size() - 2 * ev.matched;
  size_t words = 0;
  for (size_t i : picked) {
    ev.shared.push_back(ta[i]);
    if (!IsNumber(ta[i])) ++words;
  }
  ev.contained = words > 0 && (ev.matched == ta.size() || ev.matched == tb.size());
  ev.named = ev.leaf != LeafRelation::kNone || ev.contained;
  if (ev.named && ev.leaf == LeafRelation::kNone) ev.leaf = LeafRelation::kLayoutByShape;
  ev.weak = ev.named && words <= 1;
  return ev;
}

ShapeFit FitShapes(const NameEvidence& ev, const std::vector<int64_t>& a,
                   const std::vector<int64_t>& b) {
  const bool rank2 = a.size() == 2 && b.size() == 2;
  const bool reversed = rank2 && a[0] == b[1] && a[1] == b[0];
  const bool square = rank2 && a[0] == a[1];
  switch (ev.leaf) {
    case LeafRelation::kNone:
      return ShapeFit::kNone;
    case LeafRelation::kEqual:
    case LeafRelation::kSameLayoutAlias:
      return a == b ? ShapeFit::kSame : ShapeFit::kNone;
    case LeafRelation::kKernelWeight:
      if (a.size() != 2 || b.size() != 2)
        return a == b ? ShapeFit::kLayoutUnknown : ShapeFit::kNone;
      return reversed ? ShapeFit::kTransposed : ShapeFit::kNone;
    case LeafRelation::kLayoutByShape:
      if (square && a == b) return ShapeFit::kLayoutUnknown;
      if (a == b) return ShapeFit::kSame;
      return reversed ? ShapeFit::kTransposed : ShapeFit::kNone;
  }
  return ShapeFit::kNone;
}

std::string LeafNote(const NameEvidence& ev, std::string_view a, std::string_view b) {
  const std::string la = Lower(SplitLeaf(a).second), lb = Lower(SplitLeaf(b).second);
  switch (ev.leaf) {
    case LeafRelation::kNone:
    case LeafRelation::kEqual:
      return "";
    case LeafRelation::kSameLayoutAlias:
      return la + "~" + lb + " (one layout)";
    case LeafRelation::kKernelWeight:
      return la + "~" + lb + " (TF kernel [in, out], PyTorch weight [out, in])";
    case LeafRelation::kLayoutByShape:
      return la == lb ? "" : la + "~" + lb + " (layout told by the shape)";
  }
  return "";
}

}  // namespace rescope
