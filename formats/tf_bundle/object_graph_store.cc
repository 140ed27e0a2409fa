// SPDX-License-Identifier: Apache-2.0
// Object graph <-> TensorStore: read, rewrite for a rename, compare.
#include "formats/tf_bundle/object_graph_store.h"

#include <unordered_map>
#include <vector>

#include "formats/tf_bundle/slice_key.h"
#include "formats/tf_bundle/string_tensor.h"
#include "formats/tf_bundle/tf_bundle_reader.h"

namespace rescope::tfgraph {
namespace {

std::string Quote(std::string_view s) { return "\"" + tfslice::EscapeKeyForDisplay(s) + "\""; }

std::string Child(const ObjectReference& c) {
  return Quote(c.local_name) + " -> node " + std::to_string(c.node_id);
}
std::string Attribute(const SerializedTensor& t) {
  return Quote(t.name) + " key " + Quote(t.checkpoint_key) +
         (t.full_name.empty() ? "" : " full_name " + Quote(t.full_name));
}
std::string Slot(const SlotVariableReference& s) {
  return Quote(s.slot_name) + " of node " + std::to_string(s.original_variable_node_id) +
         " -> node " + std::to_string(s.slot_variable_node_id);
}

// "<what> #i: <a> vs <b>" for the first differing element of two lists, "" if equal.
template <typename T, typename Show>
std::string FirstInList(const std::string& where, const std::vector<T>& a, const std::vector<T>& b,
                        const std::string& what, Show show) {
  for (size_t i = 0; i < a.size() || i < b.size(); ++i) {
    if (i < a.size() && i < b.size() && a[i] == b[i]) continue;
    const std::string left = i < a.size() ? show(a[i]) : "(none)";
    const std::string right = i < b.size() ? show(b[i]) : "(none)";
    return where + what + " #" + std::to_string(i) + ": " + left + " vs " + right;
  }
  return "";
}

}  // namespace

Result<ObjectGraph> ReadObjectGraph(const TensorEntry& entry) {
  if (!entry.data) return Status::NotFound(entry.Where() + ": " + entry.data_error());
  std::vector<uint8_t> scratch;
  auto bytes = entry.data->Read(entry.data_offset, entry.byte_size, scratch);
  if (!bytes.ok()) return bytes.status();
  auto strings = DecodeStringTensor(*bytes, 1, entry.stored_crc32c, entry.Where());
  if (!strings.ok()) return strings.status();
  return ObjectGraph::Parse(ByteView((*strings)[0]), entry.Where());
}

namespace {

// The graph stored in `graph_entry` with every checkpoint key passed through `new_key`
// (nullopt: the entry was dropped).
template <typename NewKey>
Result<std::optional<ObjectGraph>> RewriteGraphKeys(const TensorEntry& graph_entry,
                                                    NewKey&& new_key) {
  auto graph = ReadObjectGraph(graph_entry);
  if (!graph.ok()) return graph.status();
  auto rewritten = RewriteForRename(*graph, new_key);
  if (!rewritten.ok()) return rewritten.status();
  return std::optional<ObjectGraph>(std::move(rewritten).value());
}

}  // namespace

Result<std::optional<ObjectGraph>> RewriteStoreGraph(const TensorStore& source,
                                                     const TensorStore& renamed) {
  const TensorEntry* graph_entry = source.Find(tfbundle::kObjectGraphKey);
  if (graph_entry == nullptr || renamed.Find(tfbundle::kObjectGraphKey) == nullptr) {
    return std::optional<ObjectGraph>();
  }
  std::unordered_map<std::string, std::string> renames;  // source name -> new name
  bool changed = source.size() != renamed.size();
  for (const auto& [name, e] : renamed) {
    renames[e.SourceName()] = name;
    if (name != e.SourceName()) changed = true;
  }
  if (!changed) return std::optional<ObjectGraph>();
  return RewriteGraphKeys(*graph_entry, [&](const std::string& key) -> std::optional<std::string> {
    auto it = renames.find(key);
    if (it == renames.end()) return std::nullopt;
    return it->second;
  });
}

Result<std::optional<ObjectGraph>> RewriteStoreGraph(const RenameTable& table) {
  const TensorEntry* graph_entry = table.source().Find(tfbundle::kObjectGraphKey);
  // The graph's own entry is a protected name: kept under its name unless dropped.
  if (graph_entry == nullptr ||
      table.NewNameOf(tfbundle::kObjectGraphKey) != std::string_view(tfbundle::kObjectGraphKey)) {
    return std::optional<ObjectGraph>();
  }
  if (!table.renames_anything()) return std::optional<ObjectGraph>();
  // The table answers each key from the store and the plan (two binary searches), so no
  // map of every name is built.
  return RewriteGraphKeys(*graph_entry, [&](const std::string& key) -> std::optional<std::string> {
    const std::optional<std::string_view> new_name = table.NewNameOf(key);
    if (!new_name) return std::nullopt;
    return std::string(*new_name);
  });
}

std::string FirstGraphDifference(const ObjectGraph& a, const ObjectGraph& b) {
  if (a == b) return "";
  if (a.nodes.size() != b.nodes.size()) {
    return std::to_string(a.nodes.size()) + " vs " + std::to_string(b.nodes.size()) + " nodes";
  }
  for (size_t i = 0; i < a.nodes.size(); ++i) {
    const TrackableObject& x = a.nodes[i];
    const TrackableObject& y = b.nodes[i];
    if (x == y) continue;
    const std::string where = "node " + std::to_string(i) + " ";
    for (const std::string& d :
         {FirstInList(where, x.children, y.children, "child", Child),
          FirstInList(where, x.attributes, y.attributes, "attribute", Attribute),
          FirstInList(where, x.slot_variables, y.slot_variables, "slot variable", Slot)}) {
      if (!d.empty()) return d;
    }
    if (x.has_checkpoint_values != y.has_checkpoint_values) {
      return where + "has_checkpoint_values differs";
    }
    return where + "differs in fields rescope does not interpret";
  }
  return "graph-level fields rescope does not interpret differ";
}

}  // namespace rescope::tfgraph
