// SPDX-License-Identifier: Apache-2.0
// The TF2 object graph as part of a TensorStore: reading it from the store's
// `_CHECKPOINTABLE_OBJECT_GRAPH` entry, rewriting it for a renamed copy of the store (the
// same rewrite `rename` writes, so a dry run, a diff and a write agree), and comparing two
// graphs by meaning rather than by bytes.
#pragma once

#include <optional>
#include <string>

#include "core/rename/rename_table.h"
#include "core/store/status.h"
#include "core/store/tensor_store.h"
#include "formats/tf_bundle/object_graph.h"

namespace rescope::tfgraph {

// Decodes the graph stored in `entry` (a DT_STRING scalar). Errors name the entry.
Result<ObjectGraph> ReadObjectGraph(const TensorEntry& entry);

// The graph of `source` rewritten for `renamed`, a store built from `source` whose entries
// carry their original names in TensorEntry::source_name (ApplyPlan's output). nullopt
// when `source` has no object graph, `renamed` dropped it, or no key was renamed or
// dropped. Errors: those of RewriteForRename (a rename the object graph cannot express)
// and of ReadObjectGraph.
Result<std::optional<ObjectGraph>> RewriteStoreGraph(const TensorStore& source,
                                                     const TensorStore& renamed);

// The same rewrite for a rename given as a name table over `table.source()` (rename
// --link-data writes it without building the renamed store).
Result<std::optional<ObjectGraph>> RewriteStoreGraph(const RenameTable& table);

// The first difference between two graphs in words ("node 4 child #0: \"dense_1\" -> node 5
// vs \"encoder\" -> node 5"), or "" when they are equal field by field (unknown fields
// included).
std::string FirstGraphDifference(const ObjectGraph& a, const ObjectGraph& b);

}  // namespace rescope::tfgraph
