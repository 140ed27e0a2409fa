// SPDX-License-Identifier: Apache-2.0
// RewriteForRename: keeps a TF2 object graph consistent with renamed bundle keys
// (FORMATS.md §3.4). TF matches objects by edge names and reads values by the keys stored
// in the graph, so a rename must change both, and the keys must stay the ones TF would
// derive from the edges (a later save writes those).
#include <algorithm>
#include <deque>
#include <map>
#include <set>

#include "formats/tf_bundle/object_graph.h"
#include "formats/tf_bundle/slice_key.h"

namespace rescope::tfgraph {
namespace {

constexpr std::string_view kAttributesMarker = "/.ATTRIBUTES/";
constexpr std::string_view kSlotMarker = "/.OPTIMIZER_SLOT/";

using Segments = std::vector<std::string>;

std::string Quote(std::string_view s) { return "\"" + tfslice::EscapeKeyForDisplay(s) + "\""; }

std::string Join(const Segments& segments, size_t n) {
  std::string out;
  for (size_t i = 0; i < n && i < segments.size(); ++i) {
    if (i) out += '/';
    out += segments[i];
  }
  return out;
}

// Splits an escaped object path that must have `depth` segments (0 segments = "").
std::optional<Segments> SplitPath(std::string_view path, size_t depth) {
  if (depth == 0) return path.empty() ? std::optional(Segments{}) : std::nullopt;
  Segments out;
  size_t begin = 0;
  for (size_t slash = path.find('/'); slash != std::string_view::npos;
       slash = path.find('/', begin)) {
    out.emplace_back(path.substr(begin, slash - begin));
    begin = slash + 1;
  }
  out.emplace_back(path.substr(begin));
  if (out.size() != depth) return std::nullopt;
  return out;
}

size_t CountSegments(std::string_view path) {
  return path.empty() ? 0 : static_cast<size_t>(std::count(path.begin(), path.end(), '/')) + 1;
}

// The part of a key from its first "/.ATTRIBUTES/" on ("" when there is none): TF's
// _serialize_to_tensors restore path rebuilds it from the attribute name.
std::string_view Tail(std::string_view key) {
  const size_t at = key.find(kAttributesMarker);
  return at == std::string_view::npos ? std::string_view() : key.substr(at);
}

// What restore.py `_extract_saveable_name` takes as an object's prefix.
std::string_view SaveablePrefix(std::string_view key) {
  const size_t at = key.find(kAttributesMarker);
  return at == std::string_view::npos ? key : key.substr(0, at + kAttributesMarker.size());
}

[[noreturn]] void Refuse(StatusCode code, const std::string& old_key, const std::string& new_key,
                         const std::string& why) {
  throw FormatError(Status(code, "object graph: cannot rename " + Quote(old_key) + " to " +
                                     Quote(new_key) + ": " + why));
}

// The breadth-first tree of first paths (FORMATS.md §3.3 step 1).
struct Tree {
  std::vector<std::optional<Segments>> segments;  // escaped names along the first path
  std::vector<size_t> parent;                     // meaningful where segments is set, not root
  std::vector<size_t> edge;                       // index into the parent's children
};

Tree BuildTree(const ObjectGraph& graph) {
  const size_t n = graph.nodes.size();
  Tree tree{std::vector<std::optional<Segments>>(n), std::vector<size_t>(n, 0),
            std::vector<size_t>(n, 0)};
  if (n == 0) return tree;
  tree.segments[0] = Segments{};
  std::deque<size_t> queue = {0};
  while (!queue.empty()) {
    const size_t p = queue.front();
    queue.pop_front();
    const auto& children = graph.nodes[p].children;
    for (size_t e = 0; e < children.size(); ++e) {
      const auto id = static_cast<size_t>(children[e].node_id);
      if (children[e].node_id < 0 || id >= n || tree.segments[id]) continue;
      Segments s = *tree.segments[p];
      s.push_back(EscapeLocalName(children[e].local_name));
      tree.segments[id] = std::move(s);
      tree.parent[id] = p;
      tree.edge[id] = e;
      queue.push_back(id);
    }
  }
  return tree;
}

// A new object path required by one key rename (or by a kept key).
struct Placement {
  Segments segments;
  std::string old_key;
  std::string new_key;
};

class Planner {
 public:
  explicit Planner(const ObjectGraph& graph)
      : graph_(graph),
        tree_(BuildTree(graph)),
        owners_(graph.SlotOwners()),
        derived_(graph.DerivedCheckpointKeys()),
        placed_(graph.nodes.size()) {}

  ObjectGraph Run(const std::function<std::optional<std::string>(const std::string&)>& rename) {
    const size_t n = graph_.nodes.size();
    new_keys_.resize(n);
    for (size_t i = 0; i < n; ++i) {
      for (size_t a = 0; a < graph_.nodes[i].attributes.size(); ++a) {
        const std::string& old_key = graph_.nodes[i].attributes[a].checkpoint_key;
        std::optional<std::string> new_key = rename(old_key);
        if (new_key) PlanKey(i, a, old_key, *new_key);
        new_keys_[i].push_back(std::move(new_key));
      }
    }
    CheckUniqueKeys();
    CheckPrefixes();
    return Apply();
  }

 private:
  void PlanKey(size_t node, size_t attr, const std::string& old_key, const std::string& new_key) {
    if (Tail(new_key) != Tail(old_key)) {
      Refuse(StatusCode::kInvalidArgument, old_key, new_key,
             "the key must keep its tail " + Quote(Tail(old_key)) +
                 " (TF rebuilds it from the attribute name)");
    }
    const auto& derived = derived_[node][attr];
    if (!derived || *derived != old_key) return;  // not tied to the edges: key text only
    const std::string_view new_object =
        std::string_view(new_key).substr(0, new_key.size() - Tail(new_key).size());
    if (!owners_[node]) {
      Place(node, SplitOrRefuse(new_object, *tree_.segments[node], old_key, new_key), old_key,
            new_key);
      return;
    }
    PlanSlotKey(node, new_object, old_key, new_key);
  }

  // `<variable path>/.OPTIMIZER_SLOT/<optimizer path>/<slot name>`
  void PlanSlotKey(size_t node, std::string_view new_object, const std::string& old_key,
                   const std::string& new_key) {
    const SlotOwner& owner = *owners_[node];
    const auto optimizer = static_cast<size_t>(owner.optimizer_node);
    const SlotVariableReference& ref = graph_.nodes[optimizer].slot_variables[owner.slot_index];
    const auto variable = static_cast<size_t>(ref.original_variable_node_id);
    const size_t marker = new_object.find(kSlotMarker);
    if (marker == std::string_view::npos) {
      Refuse(StatusCode::kInvalidArgument, old_key, new_key,
             "the key of a slot variable must keep its \"/.OPTIMIZER_SLOT/\" part");
    }
    Segments opt_and_slot = *tree_.segments[optimizer];
    opt_and_slot.push_back(EscapeLocalName(ref.slot_name));
    Segments new_opt = SplitOrRefuse(new_object.substr(marker + kSlotMarker.size()), opt_and_slot,
                                     old_key, new_key);
    if (new_opt.back() != opt_and_slot.back()) {
      Refuse(StatusCode::kInvalidArgument, old_key, new_key,
             "slot name " + Quote(opt_and_slot.back()) + " would become " + Quote(new_opt.back()) +
                 "; slot names come from the optimizer");
    }
    new_opt.pop_back();
    Place(variable,
          SplitOrRefuse(new_object.substr(0, marker), *tree_.segments[variable], old_key, new_key),
          old_key, new_key);
    Place(optimizer, std::move(new_opt), old_key, new_key);
  }

  Segments SplitOrRefuse(std::string_view new_path, const Segments& old, const std::string& old_key,
                         const std::string& new_key) const {
    auto split = SplitPath(new_path, old.size());
    if (!split) {
      Refuse(StatusCode::kInvalidArgument, old_key, new_key,
             "object path " + Quote(Join(old, old.size())) + " (" + std::to_string(old.size()) +
                 " segments) would become " + Quote(new_path) + " (" +
                 std::to_string(CountSegments(new_path)) +
                 " segments); objects can only be renamed in place, not moved to another depth");
    }
    return std::move(*split);
  }

  // Records that `node` (and so each of its ancestors) gets the path `segments`.
  void Place(size_t node, Segments segments, const std::string& old_key,
             const std::string& new_key) {
    size_t cur = node;
    while (true) {
      if (placed_[cur]) {
        if (placed_[cur]->segments != segments) ReportConflict(cur, segments, old_key, new_key);
        return;  // its ancestors were placed consistently with it
      }
      placed_[cur] = Placement{segments, old_key, new_key};
      if (cur == 0) return;
      cur = tree_.parent[cur];
      segments.pop_back();
    }
  }

  [[noreturn]] void ReportConflict(size_t node, const Segments& segments,
                                   const std::string& old_key, const std::string& new_key) const {
    const Placement& first = *placed_[node];
    auto describe = [](const std::string& o, const std::string& n) {
      return o == n ? Quote(o) + " (kept)" : Quote(o) + " -> " + Quote(n);
    };
    throw FormatError(Status::InvalidArgument(
        "object graph: conflicting renames for object " +
        Quote(Join(*tree_.segments[node], SIZE_MAX)) + " (node " + std::to_string(node) +
        "): " + describe(first.old_key, first.new_key) + " puts it at " +
        Quote(Join(first.segments, SIZE_MAX)) + ", " + describe(old_key, new_key) + " at " +
        Quote(Join(segments, SIZE_MAX)) + "; rename every key under an object the same way"));
  }

  void CheckUniqueKeys() const {
    std::map<std::string_view, std::string_view> origin;  // new key -> old key
    for (size_t i = 0; i < new_keys_.size(); ++i) {
      for (size_t a = 0; a < new_keys_[i].size(); ++a) {
        if (!new_keys_[i][a]) continue;
        const std::string& old_key = graph_.nodes[i].attributes[a].checkpoint_key;
        auto [it, inserted] = origin.emplace(*new_keys_[i][a], old_key);
        if (!inserted && it->second != old_key) {
          Refuse(StatusCode::kConflict, old_key, *new_keys_[i][a],
                 Quote(it->second) + " already maps to that key");
        }
      }
    }
  }

  // restore.py takes an object's prefix from its first attribute (FORMATS.md §3.4 rule 3).
  void CheckPrefixes() const {
    for (size_t i = 0; i < new_keys_.size(); ++i) {
      const auto& attributes = graph_.nodes[i].attributes;
      std::optional<size_t> first;
      bool old_shared = true;
      for (size_t a = 0; a < attributes.size(); ++a) {
        if (!new_keys_[i][a]) continue;
        if (!first) {
          first = a;
          continue;
        }
        old_shared = old_shared && SaveablePrefix(attributes[a].checkpoint_key) ==
                                       SaveablePrefix(attributes[*first].checkpoint_key);
        if (old_shared &&
            SaveablePrefix(*new_keys_[i][a]) != SaveablePrefix(*new_keys_[i][*first])) {
          Refuse(StatusCode::kInvalidArgument, attributes[a].checkpoint_key, *new_keys_[i][a],
                 "the other attribute " + Quote(attributes[*first].checkpoint_key) + " of node " +
                     std::to_string(i) + " gets the prefix " +
                     Quote(SaveablePrefix(*new_keys_[i][*first])) +
                     " (TF restores all attributes of an object from one prefix)");
        }
      }
    }
  }

  // The edges whose names change: (parent, edge index) -> new local name.
  std::map<std::pair<size_t, size_t>, std::string> EdgeRenames() const {
    std::map<std::pair<size_t, size_t>, std::string> renames;
    for (size_t i = 1; i < placed_.size(); ++i) {
      if (!placed_[i]) continue;
      const Placement& p = *placed_[i];
      if (p.segments.back() == tree_.segments[i]->back()) continue;
      const auto name = UnescapeLocalNameChecked(p.segments.back());
      if (!name) {
        Refuse(StatusCode::kInvalidArgument, p.old_key, p.new_key,
               Quote(p.segments.back()) +
                   " is not a valid escaped object name (a '.' must be followed by '.' or 'S')");
      }
      renames[{tree_.parent[i], tree_.edge[i]}] = *name;
    }
    return renames;
  }

  void CheckSiblings(const ObjectGraph& out,
                     const std::map<std::pair<size_t, size_t>, std::string>& renames) const {
    for (const auto& [where, name] : renames) {
      const auto& children = out.nodes[where.first].children;
      for (size_t e = 0; e < children.size(); ++e) {
        if (e == where.second || children[e].local_name != name) continue;
        const size_t child = static_cast<size_t>(children[where.second].node_id);
        const Placement& p = *placed_[child];
        Refuse(StatusCode::kConflict, p.old_key, p.new_key,
               "object " + Quote(Join(*tree_.segments[where.first], SIZE_MAX)) + " (node " +
                   std::to_string(where.first) + ") already has a child named " + Quote(name) +
                   " (node " + std::to_string(children[e].node_id) +
                   "); moving or merging objects is not supported");
      }
    }
  }

  ObjectGraph Apply() const {
    ObjectGraph out = graph_;
    const auto renames = EdgeRenames();
    for (const auto& [where, name] : renames) {
      out.nodes[where.first].children[where.second].local_name = name;
    }
    CheckSiblings(out, renames);
    std::vector<std::pair<size_t, size_t>> dropped_slots;  // (optimizer, slot index)
    bool dropped = false;
    for (size_t i = 0; i < out.nodes.size(); ++i) {
      auto& attributes = out.nodes[i].attributes;
      std::vector<SerializedTensor> kept;
      for (size_t a = 0; a < attributes.size(); ++a) {
        if (!new_keys_[i][a]) continue;
        SerializedTensor t = std::move(attributes[a]);
        if (t.full_name == t.checkpoint_key) t.full_name = *new_keys_[i][a];
        t.checkpoint_key = *new_keys_[i][a];
        kept.push_back(std::move(t));
      }
      dropped = dropped || kept.size() != attributes.size();
      if (kept.empty() && !attributes.empty() && owners_[i]) {
        dropped_slots.emplace_back(owners_[i]->optimizer_node, owners_[i]->slot_index);
      }
      attributes = std::move(kept);
    }
    // Erase from the back so the recorded indexes stay valid.
    std::sort(dropped_slots.rbegin(), dropped_slots.rend());
    for (const auto& [optimizer, index] : dropped_slots) {
      auto& slots = out.nodes[optimizer].slot_variables;
      slots.erase(slots.begin() + static_cast<std::ptrdiff_t>(index));
    }
    if (dropped && out.CarriesHasCheckpointValues()) out.RecomputeHasCheckpointValues();
    return out;
  }

  const ObjectGraph& graph_;
  Tree tree_;
  std::vector<std::optional<SlotOwner>> owners_;
  std::vector<std::vector<std::optional<std::string>>> derived_;
  std::vector<std::optional<Placement>> placed_;
  std::vector<std::vector<std::optional<std::string>>> new_keys_;
};

}  // namespace

Result<ObjectGraph> RewriteForRename(
    const ObjectGraph& graph,
    const std::function<std::optional<std::string>(const std::string&)>& rename) {
  try {
    return Planner(graph).Run(rename);
  } catch (const FormatError& e) {
    return e.status();
  }
}

std::vector<EdgeRename> RenamedEdges(const ObjectGraph& before, const ObjectGraph& after) {
  std::vector<EdgeRename> renamed;
  const size_t nodes = std::min(before.nodes.size(), after.nodes.size());
  for (size_t i = 0; i < nodes; ++i) {
    const auto& old_children = before.nodes[i].children;
    const auto& new_children = after.nodes[i].children;
    for (size_t e = 0; e < old_children.size() && e < new_children.size(); ++e) {
      if (old_children[e].local_name == new_children[e].local_name) continue;
      renamed.push_back({static_cast<int32_t>(i), e, old_children[e].node_id,
                         old_children[e].local_name, new_children[e].local_name});
    }
  }
  return renamed;
}

}  // namespace rescope::tfgraph
