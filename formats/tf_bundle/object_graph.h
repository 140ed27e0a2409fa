// SPDX-License-Identifier: Apache-2.0
// The TF2 object graph (TrackableObjectGraph, FORMATS.md §3): decoding, byte-identical
// re-encoding, the object paths and checkpoint keys TF derives from it, and the graph
// rewrite that keeps a key rename restorable by tf.train.Checkpoint.
//
// The graph is the DT_STRING scalar stored under `_CHECKPOINTABLE_OBJECT_GRAPH`
// (string_tensor.h reads and writes that entry's bytes). Node ids are indexes into
// ObjectGraph::nodes; node 0 is the root.
//
// Byte identity: every message keeps the fields it does not interpret (RawField, verbatim,
// in their original order). Serialize() writes known fields in canonical proto3 form
// (increasing field number, zero/empty scalars omitted) and puts each kept field back at
// its field-number position, so a graph written by TF's protobuf serializer re-encodes to
// the same bytes (the tests check this on four real graphs, TF 2.1 to 2.3). A graph whose
// fields are out of canonical order still parses, and re-encodes to the equivalent
// canonical form.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/store/byte_source.h"
#include "core/store/status.h"

namespace rescope::tfgraph {

// A field this code does not interpret, kept as its complete encoding (tag included).
struct RawField {
  uint32_t number = 0;
  std::string bytes;
  bool operator==(const RawField&) const = default;
};
using UnknownFields = std::vector<RawField>;

// TrackableObject.ObjectReference: an edge `local_name` to node `node_id`.
struct ObjectReference {
  int32_t node_id = 0;     // field 1
  std::string local_name;  // field 2, unescaped
  UnknownFields unknown_fields;
  bool operator==(const ObjectReference&) const = default;
};

// TrackableObject.SerializedTensor: one saved value of an object.
struct SerializedTensor {
  std::string name;              // field 1, e.g. "VARIABLE_VALUE"
  std::string full_name;         // field 2, TF1-style variable name; may be empty
  std::string checkpoint_key;    // field 3, the bundle key holding the value
  UnknownFields unknown_fields;  // includes the old `optional_restore` (4) if present
  bool operator==(const SerializedTensor&) const = default;
};

// TrackableObject.SlotVariableReference: optimizer state of one variable.
struct SlotVariableReference {
  int32_t original_variable_node_id = 0;  // field 1
  std::string slot_name;                  // field 2, e.g. "m", "momentum"
  int32_t slot_variable_node_id = 0;      // field 3
  UnknownFields unknown_fields;
  bool operator==(const SlotVariableReference&) const = default;
};

struct TrackableObject {
  std::vector<ObjectReference> children;              // field 1
  std::vector<SerializedTensor> attributes;           // field 2
  std::vector<SlotVariableReference> slot_variables;  // field 3
  // Field 4 (RegisteredSaver, TF >= 2.8): its payload, verbatim; nullopt when absent.
  std::optional<std::string> registered_saver;
  // Field 5 (google.protobuf.BoolValue, TF >= 2.8): nullopt when absent. Present-false is
  // written as an empty message (`2a 00`), present-true as `2a 02 08 01`.
  std::optional<bool> has_checkpoint_values;
  UnknownFields has_checkpoint_values_unknown_fields;  // inside the BoolValue
  UnknownFields unknown_fields;
  bool operator==(const TrackableObject&) const = default;
};

// Where a slot-variable node is referenced from.
struct SlotOwner {
  int32_t optimizer_node = 0;  // the node whose slot_variables names it
  size_t slot_index = 0;       // index into that node's slot_variables
};

struct ObjectGraph {
  std::vector<TrackableObject> nodes;  // field 1
  UnknownFields unknown_fields;
  bool operator==(const ObjectGraph&) const = default;

  // Decodes a serialized TrackableObjectGraph. Checks the wire format (errors located as
  // `<file>: object graph[, node N...] @0x<offset in bytes>: <what>`) and that every node id
  // it references is in range (`<file>: object graph: node 3 child #0 ("x"): node_id 99 is
  // out of range (15 nodes)`). Copies what it keeps: `bytes` may die afterwards.
  static Result<ObjectGraph> Parse(ByteView bytes, std::string_view file);

  // Canonical proto3 bytes (see the top of this file). Parse(b).Serialize() == b for
  // graphs written by TF.
  std::string Serialize() const;

  // The object path of every node: the escaped local names along the first path a
  // breadth-first walk over `children` (stored order) reaches it by, joined by '/'
  // (FORMATS.md §3.3 steps 1 and 4). Root: "". nullopt for nodes no edge reaches
  // (slot-variable nodes).
  std::vector<std::optional<std::string>> ObjectPaths() const;

  // For every node: where it is referenced as a slot variable (first reference), if anywhere.
  std::vector<std::optional<SlotOwner>> SlotOwners() const;

  // Every attribute's checkpoint_key, in node then attribute order.
  std::vector<std::string> CheckpointKeys() const;

  // The key TF would have written for each attribute ([node][attribute]), rebuilt from
  // ObjectPaths with the rules of §3.3 steps 5 and 6; nullopt when a path is missing.
  std::vector<std::vector<std::optional<std::string>>> DerivedCheckpointKeys() const;

  // True when any node carries has_checkpoint_values (TF >= 2.8 writers set it on all).
  bool CarriesHasCheckpointValues() const;
  // Sets has_checkpoint_values on every node by the rule of §3.3 step 10.
  void RecomputeHasCheckpointValues();
};

// escape_local_name: '.' -> "..", then '/' -> ".S".
std::string EscapeLocalName(std::string_view name);
// The inverse; nullopt for text no escaping produces (a '.' not followed by '.' or 'S').
std::optional<std::string> UnescapeLocalNameChecked(std::string_view escaped);
// Lenient inverse: an invalid escape is kept as is.
std::string UnescapeLocalName(std::string_view escaped);

// checkpoint_key(object_path, name): `<path>/.ATTRIBUTES/<escaped name>`; the suffix is
// empty for the name ".TENSORS".
std::string AttributeKey(std::string_view object_path, std::string_view attribute_name);
// `<variable path>/.OPTIMIZER_SLOT/<optimizer path>/<escaped slot name>`; the slot's value
// is then at AttributeKey(that, "VARIABLE_VALUE").
std::string SlotVariableKey(std::string_view variable_path, std::string_view optimizer_path,
                            std::string_view slot_name);

// Rewrites the graph for a bundle key rename (FORMATS.md §3.4, "Renaming a key so TF still
// restores it"). `rename` is called once for every checkpoint_key and returns the new key
// (the same key to keep it, nullopt to drop it).
//
// * Every renamed checkpoint_key is updated; a full_name equal to the old key follows it.
// * When a key is the one TF derives from the graph (DerivedCheckpointKeys), its new object
//   path (and, for a slot key, the new variable and optimizer paths) must have the same
//   number of segments; each segment that changed renames the corresponding BFS edge's
//   local_name (the segment unescaped), e.g. "model/dense_1/..." -> "model/encoder/..."
//   renames edge `dense_1` of node `model` to `encoder`. All keys under a renamed edge
//   must be renamed the same way.
// * Dropped keys remove the attribute; a slot node left without attributes also loses its
//   SlotVariableReference. The node itself stays (ids do not change).
// * has_checkpoint_values is recomputed when the graph carries it and something was dropped.
//
// Refused (kInvalidArgument, message naming the key): a new key that does not keep the
// `/.ATTRIBUTES/<name>` tail of the old one; a change of the depth of an object path; two
// keys that give one object different paths (e.g. renaming the kernel but not the bias of
// one layer, or a variable but not its optimizer slots); attributes of one object renamed
// to different prefixes; a changed slot name; a segment that is not a valid escaped name.
// Refused with kConflict: a renamed edge whose new name another child of the same
// object already has (moving a subtree under another parent or merging two objects).
Result<ObjectGraph> RewriteForRename(
    const ObjectGraph& graph,
    const std::function<std::optional<std::string>(const std::string&)>& rename);

// One edge whose local_name a rewrite changed: child #`edge` of node `parent`.
struct EdgeRename {
  int32_t parent = 0;
  size_t edge = 0;
  int32_t child = 0;  // the node the edge leads to
  std::string old_name;
  std::string new_name;
  bool operator==(const EdgeRename&) const = default;
};

// The edges RewriteForRename renamed, found by comparing its input `before` with its
// output `after` (it changes names only, never the edges themselves). A SavedModel's
// object graph shares these edges and is renamed with the same list (saved_model_rewrite.h).
std::vector<EdgeRename> RenamedEdges(const ObjectGraph& before, const ObjectGraph& after);

// Human-readable dump for `rescope info --graph`: per node its path, children,
// attributes, slot variables and has_checkpoint_values.
std::string DescribeGraph(const ObjectGraph& graph);

}  // namespace rescope::tfgraph
