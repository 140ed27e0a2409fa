// SPDX-License-Identifier: Apache-2.0
#include "formats/select_subtree.h"

#include <set>

namespace rescope {
namespace {

bool IsPyTorch(const Checkpoint& ckpt) {
  return ckpt.format == "pytorch_zip" || ckpt.format == "pytorch_legacy";
}

// "model_state_dict, optimizer_state_dict, epoch": first segments of tensors and skipped values.
std::string TopLevelKeys(const Checkpoint& ckpt) {
  std::set<std::string> keys;
  for (const auto& [name, entry] : ckpt.store) keys.insert(name.substr(0, name.find('.')));
  for (const auto& [what, text] : ckpt.properties) {
    if (what == "skipped") keys.insert(text.substr(0, std::min(text.find('.'), text.find(':'))));
  }
  std::string out;
  for (const std::string& k : keys) out += (out.empty() ? "" : ", ") + k;
  return out;
}

}  // namespace

Status SelectSubtree(Checkpoint& ckpt, std::string_view key) {
  const std::string where = ckpt.path + ": --select " + std::string(key);
  if (!IsPyTorch(ckpt)) {
    return Status::InvalidArgument(where +
                                   ": --select takes a dictionary out of a PyTorch file; "
                                   "this is " +
                                   ckpt.format);
  }
  if (ckpt.store.Find(key) != nullptr) {
    return Status::InvalidArgument(where + ": \"" + std::string(key) +
                                   "\" is a tensor, not a dictionary of tensors");
  }
  const std::string prefix = std::string(key) + ".";
  TensorStore selected;
  selected.set_separator(ckpt.store.separator());
  for (const auto& [name, entry] : ckpt.store) {
    if (!name.starts_with(prefix)) continue;
    TensorEntry moved = entry;
    moved.Rename(name.substr(prefix.size()));
    // Notes naming another tensor follow it, or go when it is left out.
    std::vector<std::pair<std::string, std::string>> notes;
    for (auto& [note, value] : moved.mutable_notes()) {
      if (note == "alias_of" || note == "shares_storage_with") {
        if (!value.starts_with(prefix)) continue;
        value = value.substr(prefix.size());
      }
      notes.emplace_back(note, value);
    }
    moved.mutable_notes() = std::move(notes);
    selected.Put(std::move(moved));
  }
  if (selected.empty()) {
    return Status::NotFound(where + ": no tensors under \"" + std::string(key) +
                            "\" (the file's top-level keys: " + TopLevelKeys(ckpt) + ")");
  }
  std::vector<std::pair<std::string, std::string>> properties;
  for (auto& [what, text] : ckpt.properties) {
    if (what != "skipped") {
      properties.emplace_back(what, text);
    } else if (text.starts_with(prefix)) {
      properties.emplace_back(what, text.substr(prefix.size()));
    }
  }
  properties.emplace_back("selected", std::string(key));
  ckpt.properties = std::move(properties);
  ckpt.store = std::move(selected);
  // The object layout of the file no longer matches the names: writers start a fresh
  // state_dict instead of re-emitting the source's pickle.
  ckpt.state.reset();
  return Status::Ok();
}

}  // namespace rescope
