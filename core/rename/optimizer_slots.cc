// SPDX-License-Identifier: Apache-2.0
// Slot layouts of TF1 optimizers and attribution of slots to variables by name.
#include "core/rename/optimizer_slots.h"

#include <algorithm>
#include <array>
#include <set>

#include "core/rename/optimizer_state.h"

namespace rescope {
namespace {

// Slot names Keras optimizers (OptimizerV2) give under TF1 names, always inside the
// optimizer's own scope (`training/Adam/<var>/m`): too common as plain variable names to
// be recognised anywhere else.
constexpr std::array<std::string_view, 10> kKerasSlotNames = {
    "m", "v", "vhat", "accumulator", "linear", "rms", "momentum", "mg", "accum_grad", "accum_var"};

// A last segment that names a slot right after its variable (`w/Adam_1`).
bool IsPlainSlotName(std::string_view segment) {
  return IsOptimizerName(segment) || segment == "adam_m" || segment == "adam_v" ||
         segment == "ExponentialMovingAverage";
}

bool IsKerasSlotName(std::string_view segment) {
  return IsPlainSlotName(segment) || std::find(kKerasSlotNames.begin(), kKerasSlotNames.end(),
                                               segment) != kKerasSlotNames.end();
}

std::string_view FirstSegment(std::string_view name) { return name.substr(0, name.find('/')); }

// Adds the reading prefix + V + "/" + last when V is non-empty.
void AddReading(std::string_view name, std::string_view prefix, std::string_view last,
                std::vector<SlotOwner>& out) {
  if (name.size() <= prefix.size() + last.size() + 1) return;  // V would be empty
  const std::string_view owner =
      name.substr(prefix.size(), name.size() - prefix.size() - last.size() - 1);
  out.push_back({std::string(owner), std::string(prefix), "/" + std::string(last)});
}

}  // namespace

std::vector<SlotOwner> SlotLayouts(std::string_view name) {
  std::vector<SlotOwner> out;
  const size_t slash = name.rfind('/');
  if (slash == std::string_view::npos) return out;
  const std::string_view last = name.substr(slash + 1);
  if (IsPlainSlotName(last)) {
    AddReading(name, "", last, out);
    if (name.starts_with("training/")) AddReading(name, "training/", last, out);
  }
  if (IsKerasSlotName(last)) {
    // [training/]<Opt>/V/<Kslot>
    std::string_view rest = name;
    size_t skipped = 0;
    if (rest.starts_with("training/")) {
      rest.remove_prefix(9);
      skipped = 9;
    }
    const std::string_view opt = FirstSegment(rest);
    if (opt.size() < rest.size() && IsOptimizerName(opt)) {
      AddReading(name, name.substr(0, skipped + opt.size() + 1), last, out);
    }
  }
  return out;
}

SlotAttribution AttributeSlots(const std::vector<std::string>& names, char separator) {
  SlotAttribution result;
  if (separator != '/') return result;
  const std::set<std::string_view> present(names.begin(), names.end());
  for (const std::string_view name : present) {
    std::vector<SlotOwner> readings = SlotLayouts(name);
    if (readings.empty()) continue;
    std::vector<const SlotOwner*> owned;
    for (const SlotOwner& r : readings) {
      if (present.count(r.owner) != 0) owned.push_back(&r);
    }
    if (owned.size() == 1) {
      result.slots.emplace(std::string(name), *owned[0]);
    } else if (owned.empty()) {
      result.unattributed.emplace(std::string(name), std::move(readings));
    } else {
      std::vector<SlotOwner> both;
      for (const SlotOwner* r : owned) both.push_back(*r);
      result.ambiguous.emplace(std::string(name), std::move(both));
    }
  }
  return result;
}

}  // namespace rescope
