// SPDX-License-Identifier: Apache-2.0
// Object graphs compared by meaning for `diff`.
#include "cli/diff_object_graph.h"

#include <string>

#include "formats/tf_bundle/object_graph_store.h"
#include "formats/tf_bundle/tf_bundle_reader.h"

namespace rescope::cli {
namespace {

constexpr char kHow[] = "object graph compared decoded";

// A's graph as `rename` would write it for the map.
Result<tfgraph::ObjectGraph> MappedGraph(const TensorStore& a_source, const TensorStore& a_mapped,
                                         const TensorEntry& a_entry) {
  auto rewritten = tfgraph::RewriteStoreGraph(a_source, a_mapped);
  if (!rewritten.ok()) {
    return Status(rewritten.status().code(),
                  "A's object graph cannot follow the map: " + rewritten.status().message());
  }
  if (rewritten->has_value()) return std::move(**rewritten);
  return tfgraph::ReadObjectGraph(a_entry);
}

}  // namespace

void CompareObjectGraphs(const TensorStore& a_source, const TensorStore& a_mapped,
                         const TensorStore& b, DiffReport& report) {
  for (DiffEntry& e : report.entries) {
    if (e.name != tfbundle::kObjectGraphKey || !e.in_a || !e.in_b) continue;
    if (e.category != DiffCategory::kIdentical && e.category != DiffCategory::kValuesDiffer) {
      continue;  // not compared by value (no --values), or a dtype/shape difference
    }
    const TensorEntry* a_entry = a_mapped.Find(e.name);
    const TensorEntry* b_entry = b.Find(e.name);
    if (a_entry == nullptr || b_entry == nullptr) continue;
    const bool mapped = &a_source != &a_mapped;
    if (!mapped && e.category == DiffCategory::kIdentical && e.values &&
        e.values->bytes_identical) {
      continue;  // equal bytes: nothing to explain
    }
    const std::string how = std::string(kHow) + (mapped ? ", with the map applied to A" : "");
    auto graph_a = MappedGraph(a_source, a_mapped, *a_entry);
    auto graph_b = tfgraph::ReadObjectGraph(*b_entry);
    e.values.reset();  // the raw strings are multi-KB: never print them
    if (!graph_a.ok() || !graph_b.ok()) {
      // A map the graph cannot follow means B cannot be A renamed: a difference. An
      // unreadable graph is an error.
      const Status& why = graph_a.ok() ? graph_b.status() : graph_a.status();
      e.category = why.code() == StatusCode::kInvalidArgument || why.code() == StatusCode::kConflict
                       ? DiffCategory::kValuesDiffer
                       : DiffCategory::kError;
      e.detail = why.message();
      continue;
    }
    const std::string difference = tfgraph::FirstGraphDifference(*graph_a, *graph_b);
    if (difference.empty()) {
      e.category = DiffCategory::kIdentical;
      e.detail = how + ": same objects, edges, keys and slots";
    } else {
      e.category = DiffCategory::kValuesDiffer;
      e.detail = how + ": " + difference;
    }
  }
}

}  // namespace rescope::cli
