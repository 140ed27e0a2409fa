// SPDX-License-Identifier: Apache-2.0
// Suggest-map: mutual-best pairing of unused and missing variables, then scope rules.
#include "core/compare/suggest_map.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "core/compare/name_evidence.h"

namespace rescope {
namespace {

std::vector<std::string_view> Segments(std::string_view name) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    const size_t slash = name.find('/', start);
    out.push_back(name.substr(start, slash - start));
    if (slash == std::string_view::npos) return out;
    start = slash + 1;
  }
}

size_t SharedTrailing(const std::vector<std::string_view>& a,
                      const std::vector<std::string_view>& b) {
  size_t k = 0;
  while (k < a.size() && k < b.size() && a[a.size() - 1 - k] == b[b.size() - 1 - k]) ++k;
  return k;
}

std::string Join(const std::vector<std::string_view>& segs, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    if (i) out += '/';
    out += segs[i];
  }
  return out;
}

// Lower is better: more matched tokens, then fewer unmatched ones.
using Rank = std::pair<int64_t, size_t>;

struct Candidate {
  size_t source;
  size_t target;
  Rank rank;
  bool named = false;  // name evidence; shape-only candidates are listed, never paired
  ShapeFit fit = ShapeFit::kSame;
  NameEvidence evidence;
};

struct Pairing {
  std::vector<const CheckItem*> sources;
  std::vector<const CheckItem*> targets;
  std::vector<Candidate> candidates;
  std::vector<bool> source_alive, target_alive;
  std::map<std::string, std::string, std::less<>> by_source, by_target;  // accepted pairs
  std::map<std::string, const Candidate*, std::less<>> accepted;         // by source name
  // target -> (its best source, why that pair was not accepted)
  std::map<size_t, std::pair<size_t, std::string>> blocked;
};

std::vector<int64_t> Reversed(const std::vector<int64_t>& shape) {
  return std::vector<int64_t>(shape.rbegin(), shape.rend());
}

void BuildCandidates(Pairing& p) {
  // Bucket by dtype and shape so only names whose shapes could fit are ever compared;
  // rank-2 targets also look at the transposed shape.
  std::map<std::pair<DType, std::vector<int64_t>>, std::vector<size_t>> buckets;
  for (size_t s = 0; s < p.sources.size(); ++s) {
    buckets[{p.sources[s]->ckpt_dtype, p.sources[s]->ckpt_shape}].push_back(s);
  }
  for (size_t t = 0; t < p.targets.size(); ++t) {
    const CheckItem& target = *p.targets[t];
    std::vector<std::vector<int64_t>> shapes = {target.expected_shape};
    if (target.expected_shape.size() == 2 && target.expected_shape[0] != target.expected_shape[1]) {
      shapes.push_back(Reversed(target.expected_shape));
    }
    for (const auto& shape : shapes) {
      const auto it = buckets.find({target.expected_dtype, shape});
      if (it == buckets.end()) continue;
      for (size_t s : it->second) {
        const CheckItem& source = *p.sources[s];
        Candidate c{s, t, {0, 0}, false, ShapeFit::kNone, CompareNames(source.name, target.name)};
        c.fit = c.evidence.named ? FitShapes(c.evidence, source.ckpt_shape, target.expected_shape)
                                 : ShapeFit::kNone;
        c.named = c.fit != ShapeFit::kNone;
        if (!c.named && source.ckpt_shape != target.expected_shape) continue;
        c.rank = {-static_cast<int64_t>(c.evidence.matched), c.evidence.unmatched};
        p.candidates.push_back(std::move(c));
      }
    }
  }
}

// Best rank per alive source and target over named candidates, and how many reach it.
struct Bests {
  std::vector<Rank> source_rank, target_rank;
  std::vector<int> source_ties, target_ties;
};

Bests ComputeBests(const Pairing& p) {
  const Rank worst{INT64_MAX, SIZE_MAX};
  Bests b{std::vector<Rank>(p.sources.size(), worst), std::vector<Rank>(p.targets.size(), worst),
          std::vector<int>(p.sources.size(), 0), std::vector<int>(p.targets.size(), 0)};
  auto update = [](Rank& best, int& ties, const Rank& r) {
    if (r < best) {
      best = r;
      ties = 1;
    } else if (r == best) {
      ++ties;
    }
  };
  for (const Candidate& c : p.candidates) {
    if (!c.named || !p.source_alive[c.source] || !p.target_alive[c.target]) continue;
    update(b.source_rank[c.source], b.source_ties[c.source], c.rank);
    update(b.target_rank[c.target], b.target_ties[c.target], c.rank);
  }
  return b;
}

// Accepts mutual unique-best named pairs until a round accepts none; returns the last
// bests. A mutual best whose layout is unknown takes both names out, unpaired.
Bests Match(Pairing& p) {
  while (true) {
    Bests b = ComputeBests(p);
    bool changed = false;
    for (const Candidate& c : p.candidates) {
      if (!c.named || !p.source_alive[c.source] || !p.target_alive[c.target]) continue;
      if (b.source_ties[c.source] != 1 || b.target_ties[c.target] != 1) continue;
      if (c.rank != b.source_rank[c.source] || c.rank != b.target_rank[c.target]) continue;
      p.source_alive[c.source] = p.target_alive[c.target] = false;
      changed = true;
      const std::string& source = p.sources[c.source]->name;
      if (c.fit == ShapeFit::kLayoutUnknown) {
        p.blocked[c.target] = {c.source, "best match " + source + " is " +
                                             ShapeToString(p.sources[c.source]->ckpt_shape) +
                                             ": its names do not tell whether to transpose it"};
        continue;
      }
      p.by_source.emplace(source, p.targets[c.target]->name);
      p.by_target.emplace(p.targets[c.target]->name, source);
      p.accepted.emplace(source, &c);
    }
    if (!changed) return b;
  }
}

std::string JoinTokens(const std::vector<std::string>& tokens) {
  std::string out;
  for (const std::string& t : tokens) out += (out.empty() ? "" : " ") + t;
  return out;
}

// "names share bert encoder layer 0 dense kernel~weight; kernel~weight (...): transposed
// [16, 4] -> [4, 16]"; weak evidence is prefixed "weak: ".
std::string WhyName(const Candidate& c, const CheckItem& source, const CheckItem& target) {
  std::string why = c.evidence.weak ? "weak: " : "";
  why += "names share \"" + JoinTokens(c.evidence.shared) + "\"";
  const std::string note = LeafNote(c.evidence, source.name, target.name);
  if (!note.empty()) why += "; " + note;
  why += "; " + DTypeName(source.ckpt_dtype) + " " + ShapeToString(source.ckpt_shape);
  if (c.fit == ShapeFit::kTransposed) {
    why += " transposed to " + ShapeToString(target.expected_shape);
  }
  return why;
}

// Decides which scope pairs (A, B) may become one rule; results are cached.
class ScopeValidator {
 public:
  ScopeValidator(const CheckReport& report, const Pairing& p) : p_(p) {
    for (const CheckItem& i : report.items) {
      const bool excused_unused = i.category == CheckCategory::kUnused && i.excused;
      if (i.in_checkpoint && i.category != CheckCategory::kSetAside && !excused_unused) {
        ckpt_.push_back(i.name);
      }
      if (i.category == CheckCategory::kMissing && !i.excused) missing_.push_back(i.name);
    }
  }

  bool Valid(const std::string& a, const std::string& b) {
    if (a.empty() || b.empty()) return false;
    const auto key = std::make_pair(a, b);
    if (const auto it = cache_.find(key); it != cache_.end()) return it->second;
    const bool ok = Covered(ckpt_, a, b, p_.by_source) && Covered(missing_, b, a, p_.by_target);
    cache_.emplace(key, ok);
    return ok;
  }

 private:
  // Every name under `scope` in `names` must be paired with other_scope + its rest.
  static bool Covered(const std::vector<std::string>& names, const std::string& scope,
                      const std::string& other_scope,
                      const std::map<std::string, std::string, std::less<>>& pairs) {
    for (auto it = std::lower_bound(names.begin(), names.end(), scope);
         it != names.end() && it->starts_with(scope); ++it) {
      if (it->size() != scope.size() && (*it)[scope.size()] != '/') continue;  // "scope_x"
      const auto paired = pairs.find(*it);
      if (paired == pairs.end() || paired->second != other_scope + it->substr(scope.size())) {
        return false;
      }
    }
    return true;
  }

  const Pairing& p_;
  std::vector<std::string> ckpt_, missing_;  // sorted: report items are sorted by name
  std::map<std::pair<std::string, std::string>, bool> cache_;
};

std::string Append(const std::string& scope, std::string_view segment) {
  return scope.empty() ? std::string(segment) : scope + "/" + std::string(segment);
}

// A pair u -> m seen as u = A0/rel, m = B0/rel.
struct GroupMember {
  std::string source, target;
  std::vector<std::string_view> rel;
  SuggestedRule name_rule;  // what the pair becomes when no scope rule covers it
};

class RuleBuilder {
 public:
  RuleBuilder(const CheckReport& report, const Pairing& p) : validator_(report, p) {}

  // Members share the differing prefixes (a0, b0). The candidate rule is the deepest
  // common scope of the members (a0/b0 extended by the rel segments all of them share);
  // if it is not valid no shallower one is either (it would contain the same offending
  // name), so split by the next segment and try deeper.
  void EmitGroup(std::vector<GroupMember> members, const std::string& a0, const std::string& b0) {
    size_t common = SIZE_MAX;
    for (const GroupMember& m : members) common = std::min(common, m.rel.size() - 1);
    for (size_t i = 0; i < common; ++i) {
      const bool same = std::all_of(members.begin(), members.end(), [&](const GroupMember& m) {
        return m.rel[i] == members[0].rel[i];
      });
      if (!same) common = i;
    }
    std::string a = a0, b = b0;
    for (size_t i = 0; i < common; ++i) {
      a = Append(a, members[0].rel[i]);
      b = Append(b, members[0].rel[i]);
    }
    if (validator_.Valid(a, b)) {
      rules_.push_back(ScopeRule(members, a, b));
      return;
    }
    std::map<std::string_view, std::vector<GroupMember>> deeper;
    for (GroupMember& m : members) {
      if (m.rel.size() - common == 1) {
        rules_.push_back(std::move(m.name_rule));
        continue;
      }
      const std::string_view next = m.rel[common];
      m.rel.erase(m.rel.begin(), m.rel.begin() + static_cast<std::ptrdiff_t>(common) + 1);
      deeper[next].push_back(std::move(m));
    }
    for (auto& [segment, group] : deeper) {
      EmitGroup(std::move(group), Append(a, segment), Append(b, segment));
    }
  }

  void AddNameRule(SuggestedRule rule) { rules_.push_back(std::move(rule)); }

  std::vector<SuggestedRule> Take() {
    std::sort(rules_.begin(), rules_.end(), [](const SuggestedRule& x, const SuggestedRule& y) {
      return std::tie(x.from, x.to) < std::tie(y.from, y.to);
    });
    return std::move(rules_);
  }

 private:
  // The structure is the evidence: every variable under a has the same relative name
  // under b, with equal dtype and shape.
  static SuggestedRule ScopeRule(const std::vector<GroupMember>& members, const std::string& a,
                                 const std::string& b) {
    SuggestedRule rule{true, a, b, false, false, ""};
    rule.weak = std::all_of(members.begin(), members.end(),
                            [](const GroupMember& m) { return m.name_rule.weak; });
    const size_t n = members.size();
    rule.why = std::string(rule.weak ? "weak: " : "") + std::to_string(n) + " variable" +
               (n == 1 ? "" : "s") + " under " + a + " keep" +
               (n == 1 ? "s its relative name" : " their relative names") + " under " + b +
               " with equal dtype and shape (";
    for (size_t i = 0; i < n && i < 3; ++i) {
      rule.why += (i ? ", " : "") + members[i].source.substr(a.size() + 1);
    }
    rule.why += n > 3 ? ", ...)" : ")";
    return rule;
  }

  ScopeValidator validator_;
  std::vector<SuggestedRule> rules_;
};

std::vector<SuggestedRule> BuildRules(const CheckReport& report, const Pairing& p) {
  RuleBuilder builder(report, p);
  std::map<std::pair<std::string, std::string>, std::vector<GroupMember>> groups;
  for (const auto& [source, target] : p.by_source) {
    const Candidate& c = *p.accepted.at(source);
    SuggestedRule name_rule{false, source, target, false, false, ""};
    name_rule.transpose = c.fit == ShapeFit::kTransposed;
    name_rule.weak = c.evidence.weak;
    name_rule.why = WhyName(c, *p.sources[c.source], *p.targets[c.target]);
    const auto us = Segments(source), ms = Segments(target);
    const size_t k = SharedTrailing(us, ms);
    if (k == 0 || name_rule.transpose) {
      builder.AddNameRule(std::move(name_rule));
      continue;
    }
    GroupMember m{
        source, target,
        std::vector<std::string_view>(us.end() - static_cast<std::ptrdiff_t>(k), us.end()),
        std::move(name_rule)};
    groups[{Join(us, us.size() - k), Join(ms, ms.size() - k)}].push_back(std::move(m));
  }
  for (auto& [prefixes, members] : groups) {
    builder.EmitGroup(std::move(members), prefixes.first, prefixes.second);
  }
  return builder.Take();
}

// Why no rule was proposed for target t, and its candidates (best first).
UnresolvedTarget Unresolved(const Pairing& p, const Bests& bests, size_t t) {
  const CheckItem& target = *p.targets[t];
  UnresolvedTarget u{target.name, {}, ""};
  std::vector<const Candidate*> alive, taken;
  for (const Candidate& c : p.candidates) {
    if (c.target != t) continue;
    (p.source_alive[c.source] ? alive : taken).push_back(&c);
  }
  std::stable_sort(alive.begin(), alive.end(), [](const Candidate* x, const Candidate* y) {
    return std::make_tuple(!x->named, x->rank) < std::make_tuple(!y->named, y->rank);
  });
  for (const Candidate* c : alive) {
    if (u.candidates.size() == kMaxListedCandidates) break;
    u.candidates.push_back(p.sources[c->source]->name);
  }
  const std::string what =
      DTypeName(target.expected_dtype) + " " + ShapeToString(target.expected_shape);
  if (const auto blocked = p.blocked.find(t); blocked != p.blocked.end()) {
    u.why = blocked->second.second;
    u.candidates.insert(u.candidates.begin(), p.sources[blocked->second.first]->name);
  } else if (alive.empty() && taken.empty()) {
    u.why = "no unused checkpoint variable is " + what;
  } else if (alive.empty()) {
    u.why = "its candidates are better matches of other names";
  } else if (!alive.front()->named) {
    u.why = std::to_string(alive.size()) + " unused variable" +
            (alive.size() == 1 ? " is " : "s are ") + what +
            ", but no name says which (a match by shape alone is never proposed)";
  } else if (bests.target_ties[t] > 1) {
    u.why = std::to_string(bests.target_ties[t]) + " candidates match the name equally well";
  } else {
    u.why = "its best candidate " + p.sources[alive.front()->source]->name +
            " matches another name at least as well";
  }
  if (alive.size() > kMaxListedCandidates) {
    u.why += " (" + std::to_string(alive.size()) + " candidates, the first " +
             std::to_string(kMaxListedCandidates) + " listed)";
  }
  return u;
}

}  // namespace

SuggestReport SuggestMap(const CheckReport& report) {
  Pairing p;
  for (const CheckItem& i : report.items) {
    if (i.excused) continue;
    if (i.category == CheckCategory::kUnused) p.sources.push_back(&i);
    if (i.category == CheckCategory::kMissing) p.targets.push_back(&i);
  }
  p.source_alive.assign(p.sources.size(), true);
  p.target_alive.assign(p.targets.size(), true);
  BuildCandidates(p);
  const Bests bests = Match(p);

  SuggestReport out;
  out.rules = BuildRules(report, p);
  for (size_t t = 0; t < p.targets.size(); ++t) {
    if (p.target_alive[t] || p.blocked.count(t) != 0)
      out.unresolved.push_back(Unresolved(p, bests, t));
  }
  std::sort(out.unresolved.begin(), out.unresolved.end(),
            [](const UnresolvedTarget& x, const UnresolvedTarget& y) { return x.to < y.to; });
  return out;
}

nlohmann::json ToJson(const SuggestReport& report) {
  nlohmann::json rules = nlohmann::json::array();
  for (const SuggestedRule& r : report.rules) {
    nlohmann::json j = {{r.is_scope ? "scope" : "name", r.from}, {"to", r.to}};
    if (r.transpose) j["transpose"] = true;
    j["why"] = r.why;
    rules.push_back(std::move(j));
  }
  nlohmann::json unresolved = nlohmann::json::array();
  for (const UnresolvedTarget& u : report.unresolved) {
    unresolved.push_back({{"to", u.to}, {"candidates", u.candidates}, {"why", u.why}});
  }
  return {{"rules", std::move(rules)}, {"unresolved", std::move(unresolved)}};
}

}  // namespace rescope
