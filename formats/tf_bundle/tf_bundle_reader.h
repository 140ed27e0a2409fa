// SPDX-License-Identifier: Apache-2.0
// Reader for TensorFlow V2 checkpoints ("tensor bundles": PREFIX.index + data shards).
//
// Opening reads only the index: entries become TensorEntries whose bytes are views into
// memory-mapped data shards, read when a command asks for them. A missing data shard is
// not an error here; its entries carry data == nullptr and a data_error instead.
#pragma once

#include <string>
#include <vector>

#include "core/store/tensor_store.h"
#include "formats/tf_bundle/bundle_entry.h"

namespace rescope::tfbundle {

inline constexpr char kObjectGraphKey[] = "_CHECKPOINTABLE_OBJECT_GRAPH";

// What the writer needs to reproduce a bundle exactly.
struct TfBundleState : FormatState {
  std::string prefix;
  BundleHeader header;
  std::string header_bytes;   // the header value as stored
  bool index_snappy = false;  // data blocks of the index were snappy-compressed
  size_t index_data_blocks = 0;
  std::vector<std::string> shard_paths;  // by shard id
};

// Opens the bundle with this prefix (PREFIX.index must exist).
Result<Checkpoint> OpenTfBundle(const std::string& prefix);

// Opens an in-memory index (fuzzing, tests); data shards are looked up beside `name`.
Result<Checkpoint> OpenTfBundleIndex(std::shared_ptr<const ByteSource> index,
                                     const std::string& prefix);

}  // namespace rescope::tfbundle
