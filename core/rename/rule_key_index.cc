// SPDX-License-Identifier: Apache-2.0
#include "core/rename/rule_key_index.h"

#include <limits>
#include <stdexcept>

namespace rescope {
namespace {

constexpr size_t kFirstCapacity = 16;

}  // namespace

uint32_t RuleKeyIndex::Hash(std::string_view key) {
  return static_cast<uint32_t>(std::hash<std::string_view>{}(key));
}

void RuleKeyIndex::Grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(old.empty() ? kFirstCapacity : 2 * old.size(), Slot{});
  const size_t mask = slots_.size() - 1;
  for (const Slot& slot : old) {
    if (slot.rule_plus_one == 0) continue;
    size_t at = slot.hash & mask;
    while (slots_[at].rule_plus_one != 0) at = (at + 1) & mask;
    slots_[at] = slot;
  }
}

bool RuleKeyIndex::Insert(std::string_view key, size_t index, const KeyOf& key_of) {
  if (index >= std::numeric_limits<uint32_t>::max()) {
    throw std::length_error("RuleKeyIndex: more than 2^32 - 1 rules");
  }
  // Linear probing stays short while the table is at most half full.
  if (2 * (size_ + 1) > slots_.size()) Grow();
  const uint32_t hash = Hash(key);
  const size_t mask = slots_.size() - 1;
  size_t at = hash & mask;
  for (; slots_[at].rule_plus_one != 0; at = (at + 1) & mask) {
    const Slot& slot = slots_[at];
    if (slot.hash == hash && key_of(slot.rule_plus_one - 1) == key) return false;
  }
  slots_[at] = Slot{hash, static_cast<uint32_t>(index + 1)};
  ++size_;
  return true;
}

size_t RuleKeyIndex::Find(std::string_view key, const KeyOf& key_of) const {
  if (size_ == 0) return kNotFound;
  const uint32_t hash = Hash(key);
  const size_t mask = slots_.size() - 1;
  for (size_t at = hash & mask; slots_[at].rule_plus_one != 0; at = (at + 1) & mask) {
    const Slot& slot = slots_[at];
    if (slot.hash == hash && key_of(slot.rule_plus_one - 1) == key) return slot.rule_plus_one - 1;
  }
  return kNotFound;
}

}  // namespace rescope
