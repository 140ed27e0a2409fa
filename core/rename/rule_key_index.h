// SPDX-License-Identifier: Apache-2.0
// The first rule per key (an exact name, or a scope) of a RenameMap, for one hash lookup
// per variable however many rules the map has.
//
// An open-addressing table of rule numbers: the keys stay in the rules themselves (the
// caller passes a function that gives rule i's key), so an entry costs 8 bytes (the rule
// number and 32 bits of its key's hash) instead of a heap node holding a copy of the key.
// A million-rule map needs 16 MB here instead of about 120 MB of nodes and key copies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

namespace rescope {

class RuleKeyIndex {
 public:
  // Gives the key of rule `index` (one that was inserted).
  using KeyOf = std::function<std::string_view(size_t index)>;
  static constexpr size_t kNotFound = static_cast<size_t>(-1);

  // Adds rule `index` under `key` unless an earlier rule has that key; true if added.
  // Rule numbers must fit 32 bits (std::length_error otherwise: no map comes near).
  bool Insert(std::string_view key, size_t index, const KeyOf& key_of);
  // The rule under `key`, or kNotFound.
  size_t Find(std::string_view key, const KeyOf& key_of) const;
  bool empty() const { return size_ == 0; }
  size_t size() const { return size_; }

 private:
  struct Slot {
    uint32_t hash = 0;
    uint32_t rule_plus_one = 0;  // 0: empty slot
  };
  static uint32_t Hash(std::string_view key);
  // Doubles the table (or makes the first one) and re-places every entry by its stored
  // hash, without looking at the keys.
  void Grow();

  std::vector<Slot> slots_;  // a power of two in size, at most half full
  size_t size_ = 0;
};

}  // namespace rescope
