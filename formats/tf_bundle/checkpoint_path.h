// SPDX-License-Identifier: Apache-2.0
// Resolution of the path forms TensorFlow users type into a concrete checkpoint:
// a prefix (`model.ckpt-1000`), the prefix plus `.index` or a `.data-…` suffix, a directory
// holding a `checkpoint` state file (FORMATS.md §2), a SavedModel directory, an empty
// prefix (files named `.index`), or a TF V1 checkpoint file / sharded V1 pattern.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/store/status.h"

namespace rescope::tfbundle {

// The `checkpoint` state file (protobuf text format).
struct CheckpointState {
  std::string model_checkpoint_path;
  std::vector<std::string> all_model_checkpoint_paths;
};

// Parses the text-format CheckpointState. Unknown fields are ignored; a missing or
// empty model_checkpoint_path is an error (as in TF).
Result<CheckpointState> ParseCheckpointState(const std::string& text, const std::string& file);

struct ResolvedPath {
  enum class Kind { kBundle, kV1 };
  Kind kind = Kind::kBundle;
  std::string prefix;                 // bundle prefix (files prefix.index, prefix.data-*)
  std::vector<std::string> v1_files;  // V1: the table file(s)
  std::string how;                    // e.g. "latest in dir/checkpoint"
};

struct ResolveOptions {
  std::optional<int64_t> step;  // pick `<prefix>-<step>` from the state file's list
};

// Finds the checkpoint `path` refers to. When nothing matches, the error lists every
// candidate that was tried.
Result<ResolvedPath> ResolveCheckpointPath(const std::string& path, const ResolveOptions& options);

// "P.data-00001-of-00002" for shard 1 of 2 (TF's "%05d" minimum width).
std::string DataFileName(const std::string& prefix, int32_t shard, int32_t num_shards);

// True if `path` looks like a TF bundle input (an existing P.index, a .index/.data file,
// or a directory resolving to one); used by the format registry before trying others.
bool LooksLikeTfCheckpoint(const std::string& path);

}  // namespace rescope::tfbundle
