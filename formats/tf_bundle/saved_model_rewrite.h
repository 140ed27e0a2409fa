// SPDX-License-Identifier: Apache-2.0
// Renaming the variables of a TF2 SavedModel: saved_model.pb must follow the rename of its
// variables/ checkpoint (GRAPHS.md §1 and §3). tf.saved_model.load rebuilds the objects
// from the SavedObjectGraph (MetaGraphDef field 7) and restores their values by matching
// its `children` edge names against the checkpoint's object graph, so the edges the
// checkpoint rewrite renamed (RenamedEdges) must be renamed here too. The graph's saver
// functions (used by TF1-style loaders and TF Serving) name the checkpoint keys in string
// constants, and capture the object graph itself; both follow the new keys.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/store/byte_source.h"
#include "core/store/status.h"
#include "core/store/tensor_store.h"
#include "formats/tf_bundle/object_graph.h"

namespace rescope::tfgraph {

struct SavedModelRename {
  std::vector<EdgeRename> edges;            // RenamedEdges(checkpoint graph before, after)
  std::map<std::string, std::string> keys;  // every checkpoint key that changed: old -> new
  bool empty() const { return edges.empty() && keys.empty(); }
};

struct SavedModelRewrite {
  std::string bytes;             // the new saved_model.pb
  size_t renamed_edges = 0;      // children edges renamed in the SavedObjectGraphs
  size_t renamed_constants = 0;  // key strings replaced in saver constants
  size_t rewritten_graphs = 0;   // object graph constants rewritten
};

// What a SavedModel's saved_model.pb must follow when its variables/ checkpoint `source`
// is written as `renamed` (ApplyPlan's output): the changed keys and the object graph edges
// RewriteStoreGraph renames. Refused (kNotSupported) for what saved_model.pb cannot follow:
// a dropped variable (the loaded object would have no value) and a value transform
// (transpose/permute: the saved functions use the variable with its old layout).
Result<SavedModelRename> SavedModelRenameFor(const TensorStore& source, const TensorStore& renamed);

// `saved_model` (the bytes of saved_model.pb, named `file` in errors) with `rename` applied.
// Every field not changed is kept byte for byte, in its order.
//
// * SavedObjectGraph: every renamed edge must exist in each meta graph's object graph as
//   child (old name -> same node id) of the same parent node: node ids are shared with the
//   checkpoint's object graph (GRAPHS.md §3.3). Refused (kInvalidArgument) when it is
//   missing (the graphs do not belong together), when the parent has another child with the
//   new name (kConflict), or when the edge is also one of the parent's `dependencies`
//   (TF passes those by name to the code that rebuilds the object).
// * GraphDef (top-level nodes and function library): in every DT_STRING tensor attribute, a
//   string equal to a renamed key becomes the new key; a string that is a serialized
//   TrackableObjectGraph holding a renamed key is rewritten with RewriteForRename.
// * A meta graph without an object graph (a TF1 SavedModel, restored by name through its
//   graph) is refused when anything is renamed.
// Returns the input unchanged when `rename` is empty.
Result<SavedModelRewrite> RewriteSavedModel(ByteView saved_model, std::string_view file,
                                            const SavedModelRename& rename);

}  // namespace rescope::tfgraph
