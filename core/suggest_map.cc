// Suggest-map: mutual-best pairing of unused and missing variables, then scope rules.
#include "core/suggest_map.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "core/edit_distance.h"

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

// Lower is better: more shared trailing segments, then smaller edit distance.
using Rank = std::pair<int64_t, size_t>;

struct Candidate {
  size_t source;
  size_t target;
  Rank rank;
};

struct Pairing {
  std::vector<const CheckItem*> sources;
  std::vector<const CheckItem*> targets;
  std::vector<Candidate> candidates;
  std::vector<bool> source_alive, target_alive;
  std::map<std::string, std::string, std::less<>> by_source, by_target;  // accepted pairs
};

void BuildCandidates(Pairing& p) {
  // Bucket by dtype and shape so only compatible names are ever scored.
  std::map<std::pair<DType, std::vector<int64_t>>, std::vector<size_t>> buckets;
  for (size_t s = 0; s < p.sources.size(); ++s) {
    buckets[{p.sources[s]->ckpt_dtype, p.sources[s]->ckpt_shape}].push_back(s);
  }
  for (size_t t = 0; t < p.targets.size(); ++t) {
    const auto it = buckets.find({p.targets[t]->expected_dtype, p.targets[t]->expected_shape});
    if (it == buckets.end()) continue;
    const auto tseg = Segments(p.targets[t]->name);
    for (size_t s : it->second) {
      const std::string& sname = p.sources[s]->name;
      const auto shared = static_cast<int64_t>(SharedTrailing(Segments(sname), tseg));
      p.candidates.push_back({s, t, {-shared, EditDistance(sname, p.targets[t]->name)}});
    }
  }
}

// Best rank per alive source and target, and how many alive candidates reach it.
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
    if (!p.source_alive[c.source] || !p.target_alive[c.target]) continue;
    update(b.source_rank[c.source], b.source_ties[c.source], c.rank);
    update(b.target_rank[c.target], b.target_ties[c.target], c.rank);
  }
  return b;
}

// Accepts mutual unique-best pairs until a round accepts none; returns the last bests.
Bests Match(Pairing& p) {
  while (true) {
    Bests b = ComputeBests(p);
    bool accepted = false;
    for (const Candidate& c : p.candidates) {
      if (!p.source_alive[c.source] || !p.target_alive[c.target]) continue;
      if (b.source_ties[c.source] != 1 || b.target_ties[c.target] != 1) continue;
      if (c.rank != b.source_rank[c.source] || c.rank != b.target_rank[c.target]) continue;
      p.source_alive[c.source] = p.target_alive[c.target] = false;
      p.by_source.emplace(p.sources[c.source]->name, p.targets[c.target]->name);
      p.by_target.emplace(p.targets[c.target]->name, p.sources[c.source]->name);
      accepted = true;
    }
    if (!accepted) return b;
  }
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
      rules_.push_back({true, a, b});
      return;
    }
    std::map<std::string_view, std::vector<GroupMember>> deeper;
    for (GroupMember& m : members) {
      if (m.rel.size() - common == 1) {
        rules_.push_back({false, m.source, m.target});
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

  void AddNameRule(const std::string& source, const std::string& target) {
    rules_.push_back({false, source, target});
  }

  std::vector<SuggestedRule> Take() {
    std::sort(rules_.begin(), rules_.end(), [](const SuggestedRule& x, const SuggestedRule& y) {
      return std::tie(x.from, x.to) < std::tie(y.from, y.to);
    });
    return std::move(rules_);
  }

 private:
  ScopeValidator validator_;
  std::vector<SuggestedRule> rules_;
};

std::vector<SuggestedRule> BuildRules(const CheckReport& report, const Pairing& p) {
  RuleBuilder builder(report, p);
  std::map<std::pair<std::string, std::string>, std::vector<GroupMember>> groups;
  for (const auto& [source, target] : p.by_source) {
    const auto us = Segments(source), ms = Segments(target);
    const size_t k = SharedTrailing(us, ms);
    if (k == 0) {
      builder.AddNameRule(source, target);
      continue;
    }
    GroupMember m{
        source, target,
        std::vector<std::string_view>(us.end() - static_cast<std::ptrdiff_t>(k), us.end())};
    groups[{Join(us, us.size() - k), Join(ms, ms.size() - k)}].push_back(std::move(m));
  }
  for (auto& [prefixes, members] : groups) {
    builder.EmitGroup(std::move(members), prefixes.first, prefixes.second);
  }
  return builder.Take();
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
    if (!p.target_alive[t]) continue;
    UnresolvedTarget u{p.targets[t]->name, {}};
    for (const Candidate& c : p.candidates) {
      if (c.target == t && p.source_alive[c.source] && c.rank == bests.target_rank[t]) {
        u.candidates.push_back(p.sources[c.source]->name);
      }
    }
    std::sort(u.candidates.begin(), u.candidates.end());
    out.unresolved.push_back(std::move(u));
  }
  return out;
}

nlohmann::json ToJson(const SuggestReport& report) {
  nlohmann::json rules = nlohmann::json::array();
  for (const SuggestedRule& r : report.rules) {
    rules.push_back({{r.is_scope ? "scope" : "name", r.from}, {"to", r.to}});
  }
  nlohmann::json unresolved = nlohmann::json::array();
  for (const UnresolvedTarget& u : report.unresolved) {
    unresolved.push_back({{"to", u.to}, {"candidates", u.candidates}});
  }
  return {{"rules", std::move(rules)}, {"unresolved", std::move(unresolved)}};
}

}  // namespace rescope
