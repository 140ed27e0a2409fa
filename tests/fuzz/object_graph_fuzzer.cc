// SPDX-License-Identifier: Apache-2.0
// Fuzz target for the TF2 object graph: parses arbitrary bytes; a graph that parses must
// re-encode idempotently, and survive path/key derivation, description and the identity
// and drop-everything rewrites.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "formats/tf_bundle/object_graph.h"

using namespace rescope;
using namespace rescope::tfgraph;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto graph = ObjectGraph::Parse(ByteView(data, size), "fuzz");
  if (!graph.ok()) return 0;
  const std::string once = graph->Serialize();
  auto again = ObjectGraph::Parse(ByteView(once), "fuzz");
  if (!again.ok() || again->Serialize() != once) std::abort();

  (void)graph->ObjectPaths();
  (void)graph->DerivedCheckpointKeys();
  (void)DescribeGraph(*graph);

  auto same = RewriteForRename(*graph, [](const std::string& k) { return k; });
  if (!same.ok() || same->Serialize() != once) std::abort();
  auto none = RewriteForRename(*graph, [](const std::string&) { return std::nullopt; });
  if (!none.ok() || !none->CheckpointKeys().empty()) std::abort();
  // A rename that changes the first character of every key either works or is refused.
  (void)RewriteForRename(*graph, [](const std::string& k) {
    std::string out = k;
    if (!out.empty()) out[0] = out[0] == 'x' ? 'y' : 'x';
    return out;
  });
  return 0;
}
