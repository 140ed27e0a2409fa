// SPDX-License-Identifier: Apache-2.0
// Keras 2 optimizer-weight names follow their variable's rename.
#include "core/rename/keras_optimizer_names.h"

namespace rescope {
namespace {

constexpr std::string_view kOptimizerGroup = "optimizer_weights/";

// Where `path` occurs in `name` as a whole-segment run (bounded by '/' or the ends).
size_t FindSegmentRun(std::string_view name, std::string_view path) {
  for (size_t at = name.find(path); at != std::string_view::npos; at = name.find(path, at + 1)) {
    const size_t end = at + path.size();
    const bool starts = at == 0 || name[at - 1] == '/';
    const bool ends = end == name.size() || name[end] == '/';
    if (starts && ends) return at;
  }
  return std::string_view::npos;
}

}  // namespace

bool IsOptimizerWeightName(std::string_view name) { return name.starts_with(kOptimizerGroup); }

std::optional<std::pair<std::string, size_t>> FollowRenamedVariable(
    std::string_view name, const std::vector<std::pair<std::string, std::string>>& renamed) {
  if (!IsOptimizerWeightName(name)) return std::nullopt;
  const std::string_view rest = name.substr(kOptimizerGroup.size());
  std::optional<size_t> best;
  size_t best_at = 0;
  for (size_t i = 0; i < renamed.size(); ++i) {
    const std::string& old_path = renamed[i].first;
    if (old_path.empty() || old_path.starts_with(kOptimizerGroup)) continue;
    if (best && old_path.size() <= renamed[*best].first.size()) continue;
    const size_t at = FindSegmentRun(rest, old_path);
    if (at == std::string_view::npos) continue;
    best = i;
    best_at = at;
  }
  if (!best) return std::nullopt;
  std::string out(kOptimizerGroup);
  out += rest.substr(0, best_at);
  out += renamed[*best].second;
  out += rest.substr(best_at + renamed[*best].first.size());
  return std::pair(std::move(out), *best);
}

}  // namespace rescope
