// SPDX-License-Identifier: Apache-2.0
// RewriteSavedModel: walks SavedModel -> MetaGraphDef -> {GraphDef, SavedObjectGraph} with
// proto_wire, re-encoding only the messages on the way to a changed field. Field numbers:
// tensorflow/core/protobuf/{saved_model,meta_graph,saved_object_graph}.proto,
// tensorflow/core/framework/{graph,function,node_def,attr_value,tensor}.proto (GRAPHS.md §1).
#include "formats/tf_bundle/saved_model_rewrite.h"

#include <optional>
#include <set>

#include "formats/proto_wire.h"
#include "formats/tf_bundle/object_graph_store.h"
#include "formats/tf_bundle/tf_bundle_reader.h"

namespace rescope::tfgraph {
namespace {

using proto::Field;

constexpr uint64_t kDtString = 7;

// SavedModel
constexpr uint32_t kMetaGraphs = 2;
// MetaGraphDef
constexpr uint32_t kGraphDef = 2;
constexpr uint32_t kObjectGraphDef = 7;
// GraphDef, FunctionDefLibrary, FunctionDef, NodeDef
constexpr uint32_t kGraphNode = 1;
constexpr uint32_t kGraphLibrary = 2;
constexpr uint32_t kLibraryFunction = 1;
constexpr uint32_t kFunctionNodeDef = 3;
constexpr uint32_t kNodeAttr = 5;
// map<string, AttrValue> entry; AttrValue; AttrValue.ListValue; TensorProto
constexpr uint32_t kMapValue = 2;
constexpr uint32_t kAttrList = 1;
constexpr uint32_t kAttrTensor = 8;
constexpr uint32_t kListTensor = 8;
constexpr uint32_t kTensorDtype = 1;
constexpr uint32_t kTensorStringVal = 8;
// SavedObjectGraph, SavedObject, ObjectReference
constexpr uint32_t kSavedNodes = 1;
constexpr uint32_t kSavedChildren = 1;
constexpr uint32_t kSavedDependencies = 15;
constexpr uint32_t kRefNodeId = 1;
constexpr uint32_t kRefLocalName = 2;

std::string Str(ByteView b) { return std::string(b.AsStringView()); }

// Copies `message` field by field; `edit(field)` returns the new payload of a
// length-delimited field it changes, nullopt to keep the field's bytes as they are.
template <class Edit>
std::string EditFields(ByteView message, std::string_view file, std::string_view context,
                       uint64_t base_offset, Edit&& edit) {
  proto::Reader reader(message, file, context, base_offset);
  std::string out;
  out.reserve(message.size);
  Field f;
  while (reader.Next(f)) {
    std::optional<std::string> payload;
    if (f.wire_type == proto::kLengthDelimited) payload = edit(f);
    if (payload) {
      proto::PutBytesField(out, f.number, *payload);
    } else {
      out.append(reinterpret_cast<const char*>(message.data + f.start), f.end - f.start);
    }
  }
  return out;
}

struct ChildEdge {
  int32_t node_id = 0;
  std::string name;
};

std::vector<ChildEdge> ReadReferences(ByteView object, std::string_view file, uint64_t base,
                                      uint32_t field_number) {
  std::vector<ChildEdge> edges;
  proto::Reader reader(object, file, "saved object", base);
  Field f;
  while (reader.Next(f)) {
    if (f.number != field_number) continue;
    reader.Expect(f, proto::kLengthDelimited, "ObjectReference");
    proto::Reader ref = reader.Nested(f, "object reference");
    ChildEdge edge;
    Field g;
    while (ref.Next(g)) {
      if (g.number == kRefNodeId && g.wire_type == proto::kVarint) {
        edge.node_id = static_cast<int32_t>(g.varint);
      } else if (g.number == kRefLocalName && g.wire_type == proto::kLengthDelimited) {
        edge.name = Str(g.bytes);
      }
    }
    edges.push_back(std::move(edge));
  }
  return edges;
}

std::string Quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

class Rewriter {
 public:
  Rewriter(std::string_view file, const SavedModelRename& rename) : file_(file), rename_(rename) {
    for (const EdgeRename& e : rename_.edges) by_parent_[e.parent].push_back(&e);
  }

  SavedModelRewrite Run(ByteView saved_model) {
    result_.bytes = EditFields(saved_model, file_, "SavedModel", 0,
                               [&](const Field& f) -> std::optional<std::string> {
                                 if (f.number != kMetaGraphs) return std::nullopt;
                                 return MetaGraph(f);
                               });
    return std::move(result_);
  }

 private:
  [[noreturn]] void Refuse(StatusCode code, const std::string& what) const {
    throw FormatError(Status(code, std::string(file_) + ": " + what));
  }

  std::string MetaGraph(const Field& meta) {
    bool has_object_graph = false;
    std::string out = EditFields(meta.bytes, file_, "meta graph", meta.payload_offset,
                                 [&](const Field& f) -> std::optional<std::string> {
                                   if (f.number == kGraphDef) return GraphDef(f);
                                   if (f.number != kObjectGraphDef) return std::nullopt;
                                   has_object_graph = true;
                                   return SavedObjectGraph(f);
                                 });
    if (!has_object_graph) {
      Refuse(StatusCode::kNotSupported,
             "a meta graph has no object graph (a TF1 SavedModel): its graph restores the "
             "variables by their old names; rename a TF1 SavedModel's variables by re-exporting "
             "it from code that uses the new names");
    }
    return out;
  }

  std::string GraphDef(const Field& graph) {
    return EditFields(graph.bytes, file_, "graph", graph.payload_offset,
                      [&](const Field& f) -> std::optional<std::string> {
                        if (f.number == kGraphNode) return Node(f);
                        if (f.number != kGraphLibrary) return std::nullopt;
                        return EditFields(f.bytes, file_, "function library", f.payload_offset,
                                          [&](const Field& fn) -> std::optional<std::string> {
                                            if (fn.number != kLibraryFunction) return std::nullopt;
                                            return EditFields(
                                                fn.bytes, file_, "function", fn.payload_offset,
                                                [&](const Field& n) -> std::optional<std::string> {
                                                  if (n.number != kFunctionNodeDef)
                                                    return std::nullopt;
                                                  return Node(n);
                                                });
                                          });
                      });
  }

  std::string Node(const Field& node) {
    return EditFields(node.bytes, file_, "node", node.payload_offset,
                      [&](const Field& f) -> std::optional<std::string> {
                        if (f.number != kNodeAttr) return std::nullopt;
                        return EditFields(f.bytes, file_, "attr", f.payload_offset,
                                          [&](const Field& entry) -> std::optional<std::string> {
                                            if (entry.number != kMapValue) return std::nullopt;
                                            return AttrValue(entry);
                                          });
                      });
  }

  std::string AttrValue(const Field& value) {
    return EditFields(value.bytes, file_, "attr value", value.payload_offset,
                      [&](const Field& f) -> std::optional<std::string> {
                        if (f.number == kAttrTensor) return Tensor(f);
                        if (f.number != kAttrList) return std::nullopt;
                        return EditFields(f.bytes, file_, "attr list", f.payload_offset,
                                          [&](const Field& t) -> std::optional<std::string> {
                                            if (t.number != kListTensor) return std::nullopt;
                                            return Tensor(t);
                                          });
                      });
  }

  std::optional<std::string> Tensor(const Field& tensor) {
    proto::Reader reader(tensor.bytes, file_, "tensor", tensor.payload_offset);
    Field f;
    uint64_t dtype = 0;
    while (reader.Next(f)) {
      if (f.number == kTensorDtype && f.wire_type == proto::kVarint) dtype = f.varint;
    }
    if (dtype != kDtString) return std::nullopt;
    return EditFields(tensor.bytes, file_, "tensor", tensor.payload_offset,
                      [&](const Field& s) -> std::optional<std::string> {
                        if (s.number != kTensorStringVal) return std::nullopt;
                        return StringValue(s.bytes);
                      });
  }

  // A saver's key list names checkpoint keys; its save function also captures the
  // serialized object graph it writes beside them.
  std::optional<std::string> StringValue(ByteView value) {
    const std::string text = Str(value);
    if (auto it = rename_.keys.find(text); it != rename_.keys.end()) {
      ++result_.renamed_constants;
      return it->second;
    }
    if (value.empty() || value[0] != 0x0a) return std::nullopt;  // field 1: nodes
    auto graph = ObjectGraph::Parse(value, file_);
    if (!graph.ok()) return std::nullopt;
    bool holds_renamed_key = false;
    for (const std::string& key : graph->CheckpointKeys()) {
      holds_renamed_key = holds_renamed_key || rename_.keys.contains(key);
    }
    if (!holds_renamed_key) return std::nullopt;
    auto rewritten = RewriteForRename(*graph, [&](const std::string& key) {
      auto it = rename_.keys.find(key);
      return std::optional<std::string>(it == rename_.keys.end() ? key : it->second);
    });
    if (!rewritten.ok()) {
      throw FormatError(rewritten.status().WithContext(
          std::string(file_) + ": the object graph captured by the saver function"));
    }
    ++result_.rewritten_graphs;
    return rewritten->Serialize();
  }

  std::string SavedObjectGraph(const Field& graph) {
    int32_t index = 0;
    std::string out = EditFields(graph.bytes, file_, "object graph", graph.payload_offset,
                                 [&](const Field& f) -> std::optional<std::string> {
                                   if (f.number != kSavedNodes) return std::nullopt;
                                   return SavedObject(index++, f);
                                 });
    for (const EdgeRename& e : rename_.edges) {
      if (e.parent >= index || e.child >= index) {
        Refuse(StatusCode::kInvalidArgument,
               "the object graph has " + std::to_string(index) + " nodes, but the variables " +
                   "checkpoint renames edge " + Quote(e.old_name) + " of node " +
                   std::to_string(e.parent) + " to node " + std::to_string(e.child) +
                   "; saved_model.pb and variables/ do not belong together");
      }
    }
    return out;
  }

  std::optional<std::string> SavedObject(int32_t index, const Field& object) {
    auto found = by_parent_.find(index);
    if (found == by_parent_.end()) return std::nullopt;
    const std::vector<ChildEdge> children =
        ReadReferences(object.bytes, file_, object.payload_offset, kSavedChildren);
    const std::vector<ChildEdge> dependencies =
        ReadReferences(object.bytes, file_, object.payload_offset, kSavedDependencies);
    std::vector<std::optional<std::string>> new_names(children.size());
    const std::string where = "object graph node " + std::to_string(index);
    for (const EdgeRename* e : found->second) {
      bool matched = false;
      for (size_t c = 0; c < children.size(); ++c) {
        if (children[c].node_id != e->child || children[c].name != e->old_name) continue;
        new_names[c] = e->new_name;
        matched = true;
      }
      if (!matched) {
        Refuse(StatusCode::kInvalidArgument,
               where + " has no child " + Quote(e->old_name) + " -> node " +
                   std::to_string(e->child) + " as the variables checkpoint's object graph " +
                   "has; saved_model.pb and variables/ do not belong together");
      }
      for (const ChildEdge& d : dependencies) {
        if (d.node_id != e->child || d.name != e->old_name) continue;
        Refuse(StatusCode::kNotSupported,
               where + ": child " + Quote(e->old_name) + " is also a dependency TF passes " +
                   "by name when it rebuilds the object; renaming it would need changes to " +
                   "the saved code: re-export the model from code that uses the new name");
      }
    }
    for (size_t c = 0; c < children.size(); ++c) {
      const std::string& name = new_names[c] ? *new_names[c] : children[c].name;
      for (size_t other = 0; other < children.size(); ++other) {
        const std::string& other_name = new_names[other] ? *new_names[other] : children[other].name;
        if (other == c || other_name != name || !new_names[c]) continue;
        Refuse(StatusCode::kConflict, where + " already has a child named " + Quote(name) +
                                          " (node " + std::to_string(children[other].node_id) +
                                          "); renaming " + Quote(children[c].name) +
                                          " to it would merge two objects");
      }
    }
    size_t child = 0;
    return EditFields(object.bytes, file_, "saved object", object.payload_offset,
                      [&](const Field& f) -> std::optional<std::string> {
                        if (f.number != kSavedChildren) return std::nullopt;
                        const std::optional<std::string>& name = new_names[child++];
                        if (!name) return std::nullopt;
                        ++result_.renamed_edges;
                        return RenameReference(f, *name);
                      });
  }

  std::string RenameReference(const Field& ref, const std::string& name) {
    bool had_name = false;
    std::string out = EditFields(ref.bytes, file_, "object reference", ref.payload_offset,
                                 [&](const Field& f) -> std::optional<std::string> {
                                   if (f.number != kRefLocalName) return std::nullopt;
                                   had_name = true;
                                   return name;
                                 });
    if (!had_name) proto::PutBytesField(out, kRefLocalName, name);
    return out;
  }

  std::string_view file_;
  const SavedModelRename& rename_;
  std::map<int32_t, std::vector<const EdgeRename*>> by_parent_;
  SavedModelRewrite result_;
};

}  // namespace

Result<SavedModelRename> SavedModelRenameFor(const TensorStore& source,
                                             const TensorStore& renamed) {
  SavedModelRename rename;
  std::set<std::string, std::less<>> kept;
  for (const auto& [name, e] : renamed) {
    kept.insert(e.SourceName());
    if (e.bytes_transformed) {
      return Status::NotSupported(
          "\"" + name +
          "\": a SavedModel's functions use the variable in its stored layout; "
          "a transpose/permute would change what they compute (remove it from the map)");
    }
    if (name != e.SourceName()) rename.keys[e.SourceName()] = name;
  }
  for (const auto& [name, e] : source) {
    if (kept.contains(name)) continue;
    return Status::NotSupported("\"" + name + "\" would be dropped, but the SavedModel's objects " +
                                "need every variable: tf.saved_model.load would fail; keep it " +
                                "(no --drop-optimizer or drop rule for a SavedModel)");
  }
  auto rewritten = RewriteStoreGraph(source, renamed);
  if (!rewritten.ok()) return rewritten.status();
  if (rewritten->has_value()) {
    auto original = ReadObjectGraph(*source.Find(tfbundle::kObjectGraphKey));
    if (!original.ok()) return original.status();
    rename.edges = RenamedEdges(*original, **rewritten);
  }
  return rename;
}

Result<SavedModelRewrite> RewriteSavedModel(ByteView saved_model, std::string_view file,
                                            const SavedModelRename& rename) {
  if (rename.empty()) return SavedModelRewrite{Str(saved_model), 0, 0, 0};
  try {
    return Rewriter(file, rename).Run(saved_model);
  } catch (const FormatError& e) {
    return e.status();
  }
}

}  // namespace rescope::tfgraph
