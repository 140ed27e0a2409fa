// SPDX-License-Identifier: Apache-2.0
// The optimizer path inside TF2 slot-variable keys follows the optimizer's renames.
#include "core/rename/tf2_slot_key.h"

#include <string>

namespace rescope {
namespace {

constexpr std::string_view kSlotMarker = "/.OPTIMIZER_SLOT/";
constexpr std::string_view kAttributesMarker = "/.ATTRIBUTES/";

}  // namespace

std::optional<RenameMap::Match> MatchOptimizerPath(std::string_view key, const RenameMap& map) {
  const size_t marker = key.find(kSlotMarker);
  if (marker == std::string_view::npos) return std::nullopt;
  const std::string_view variable_part = key.substr(0, marker + kSlotMarker.size());
  const std::string_view optimizer_part = key.substr(variable_part.size());
  // `<optimizer path>/<slot name>/.ATTRIBUTES/...`: the tail starts at the slot name.
  const size_t attributes = optimizer_part.find(kAttributesMarker);
  if (attributes == std::string_view::npos) return std::nullopt;
  const size_t slot = optimizer_part.rfind('/', attributes - 1);
  if (slot == std::string_view::npos || attributes == 0) return std::nullopt;
  const std::string_view tail = optimizer_part.substr(slot);  // "/m/.ATTRIBUTES/..."
  auto match = map.Apply(optimizer_part);
  if (!match) return std::nullopt;
  if (match->drop) return match;
  const std::string& renamed = match->new_name;
  if (renamed.size() <= tail.size() || !renamed.ends_with(tail)) return std::nullopt;
  if (renamed == optimizer_part) return std::nullopt;
  match->new_name = std::string(variable_part) + renamed;
  return match;
}

}  // namespace rescope
