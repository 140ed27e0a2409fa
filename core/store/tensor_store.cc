// SPDX-License-Identifier: Apache-2.0
// TensorStore lookups and shape helpers.
#include "core/store/tensor_store.h"

#include <algorithm>

#include "core/store/edit_distance.h"

namespace rescope {

std::string SliceToString(const TensorSlice& slice) {
  std::string out;
  for (size_t i = 0; i < slice.size(); ++i) {
    if (i) out += ':';
    if (slice[i].IsFull()) {
      out += '-';
    } else {
      out += std::to_string(slice[i].start) + ',' + std::to_string(slice[i].length);
    }
  }
  return out;
}

std::optional<uint64_t> ShapeNumElements(std::span<const int64_t> shape) {
  uint64_t n = 1;
  for (int64_t d : shape) {
    if (d < 0) return std::nullopt;
    const auto ud = static_cast<uint64_t>(d);
    if (ud != 0 && n > UINT64_MAX / ud) return std::nullopt;
    n *= ud;
  }
  return n;
}

std::string ShapeToString(std::span<const int64_t> shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) out += ", ";
    out += std::to_string(shape[i]);
  }
  return out + "]";
}

char DottedNamesSeparator(const TensorStore& store) {
  for (const auto& [name, entry] : store) {
    if (name.find('/') != std::string::npos) return '/';
  }
  return '.';
}

std::optional<uint64_t> TensorEntry::NumElements() const { return ShapeNumElements(shape); }

const TensorEntryExtras& TensorEntry::Extras() const {
  static const TensorEntryExtras kNone;
  return extras_.get() != nullptr ? *extras_.get() : kNone;
}

std::string TensorEntry::Where() const {
  if (!data) return data_error().empty() ? std::string("(no data)") : data_error();
  return data->name() + " @" + Hex(data_offset);
}

Status TensorStore::Add(TensorEntry entry) {
  // Readers of sorted indexes (TF bundles) add names in order: appending at the end
  // skips the search down the tree.
  if (entries_.empty() || entries_.rbegin()->name < entry.name) {
    entries_.emplace_hint(entries_.end(), std::move(entry));
    return Status::Ok();
  }
  if (entries_.contains(std::string_view(entry.name))) {
    return Status::Conflict("duplicate tensor name \"" + entry.name + "\"");
  }
  entries_.insert(std::move(entry));
  return Status::Ok();
}

void TensorStore::Put(TensorEntry entry) {
  if (entries_.empty() || entries_.rbegin()->name < entry.name) {  // in order, as Add
    entries_.emplace_hint(entries_.end(), std::move(entry));
    return;
  }
  if (TensorEntry* existing = FindMutable(entry.name)) {
    *existing = std::move(entry);  // the same name: the order holds
    return;
  }
  entries_.insert(std::move(entry));
}

bool TensorStore::Remove(std::string_view name) {
  auto it = entries_.find(name);
  if (it == entries_.end()) return false;
  entries_.erase(it);
  return true;
}

const TensorEntry* TensorStore::Find(std::string_view name) const {
  auto it = entries_.find(name);
  return it == entries_.end() ? nullptr : &*it;
}

TensorEntry* TensorStore::FindMutable(std::string_view name) {
  auto it = entries_.find(name);
  // Set elements are const only to protect the order; every field but the name may change.
  return it == entries_.end() ? nullptr : const_cast<TensorEntry*>(&*it);
}

void TensorStore::ForEachInScope(std::string_view scope,
                                 const std::function<void(const TensorEntry&)>& fn) const {
  while (!scope.empty() && scope.back() == '/') scope.remove_suffix(1);
  if (scope.empty()) {
    for (const TensorEntry& entry : entries_) fn(entry);
    return;
  }
  // "scope" itself, then everything in ["scope/", "scope0"): '/' + 1 == '0'.
  if (const TensorEntry* exact = Find(scope)) fn(*exact);
  const std::string lo = std::string(scope) + "/";
  for (auto it = entries_.lower_bound(std::string_view(lo)); it != entries_.end(); ++it) {
    if (it->name.compare(0, lo.size(), lo) != 0) break;
    fn(*it);
  }
}

std::vector<std::string> TensorStore::Suggest(std::string_view name, size_t max) const {
  std::vector<std::pair<size_t, std::string>> scored;
  const size_t limit = std::max<size_t>(3, name.size() / 3);
  for (const TensorEntry& entry : entries_) {
    const size_t d = EditDistance(name, entry.name, limit + 1);
    if (d <= limit) scored.emplace_back(d, entry.name);
  }
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  for (size_t i = 0; i < scored.size() && i < max; ++i) out.push_back(scored[i].second);
  return out;
}

}  // namespace rescope
