// SPDX-License-Identifier: Apache-2.0
// `rename SM/variables/variables -o NEW_SM` (or SM/ itself): renaming a SavedModel's
// variables writes a whole SavedModel, since tf.saved_model.load binds variables/ to
// saved_model.pb's object graph by edge names (formats/tf_bundle/saved_model_rewrite.h).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli/write_checkpoint.h"

namespace rescope::cli {

struct SavedModelOutput {
  std::string input_dir;       // the SavedModel the checkpoint belongs to
  std::string saved_model_pb;  // the rewritten saved_model.pb
  std::vector<std::string> notes;
};

// True when `output` names a SavedModel: a directory (existing, or ending in '/') or
// OUT/variables/variables. Any other name is a checkpoint prefix and gets the variables
// checkpoint alone (to restore with tf.train.Checkpoint into refactored code).
bool OutputIsSavedModel(const std::string& output);

// The SavedModel to write for `renamed`, nullopt when `source` is not the variables/ of a
// SavedModel. Errors: what saved_model.pb cannot follow consistently (nothing is written).
Result<std::optional<SavedModelOutput>> PlanSavedModelOutput(const Checkpoint& source,
                                                             const TensorStore& renamed);

// Writes OUT/{saved_model.pb, variables/variables.*, assets/, ...} (fingerprint.pb is not
// written: its hashes describe the original files). The SavedModel is built in a temporary
// directory beside OUT and renamed into place when complete; with --in-place and OUT the
// input directory, the two directories are swapped atomically (renameat2 RENAME_EXCHANGE).
// `output` may also be OUT/variables/variables.
Result<WrittenCheckpoint> WriteSavedModel(const Checkpoint& source, const TensorStore& renamed,
                                          const SavedModelOutput& plan, const std::string& output,
                                          const WriteCheckpointOptions& options);

}  // namespace rescope::cli
