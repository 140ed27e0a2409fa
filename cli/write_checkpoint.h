// Writing a (renamed) store to the output path a user gave: output path forms
// (prefix, or directory + `checkpoint` state file), --in-place protection, and the
// format-specific writer.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "core/tensor_store.h"

namespace rescope::cli {

struct WriteCheckpointOptions {
  bool in_place = false;
  bool link_data = false;
  bool compact = false;
  std::string index_compression = "keep";
  // Output format: "" = the input's family (TF V1 input becomes a V2 bundle), or one of
  // tf_bundle, safetensors, pytorch, keras_h5. `convert` infers it from OUT's extension.
  std::string to_format;
  // Write tensors whose bytes fail their stored checksum (cli/stored_checksums.h).
  bool ignore_checksums = false;
  std::string max_shard_size;  // safetensors, pytorch: "5GB", "500MiB", "1000000" ("" = one file)
};

// The output format for `output` ("" when it cannot be inferred from the name).
std::string FormatForOutputName(const std::string& output);

struct WrittenCheckpoint {
  std::string output;  // the prefix or file written
  std::vector<std::string> files;
  std::vector<std::string> notes;
};

void AddWriteOptions(CLI::App* app, WriteCheckpointOptions& options);

// What WriteCheckpoint would refuse about `store` before writing anything (a rename the
// TF2 object graph cannot express, ...): `--dry-run` runs it to fail exactly when the real
// run would.
Status CheckCheckpointWrite(const Checkpoint& source, const TensorStore& store,
                            const WriteCheckpointOptions& options);

// Runs CheckCheckpointWrite, then writes; on failure, directories created for the output
// are removed again (nothing is left behind).
Result<WrittenCheckpoint> WriteCheckpoint(const Checkpoint& source, const TensorStore& store,
                                          const std::string& output,
                                          const WriteCheckpointOptions& options);

// WriteCheckpoint without the checks and the clean-up.
Result<WrittenCheckpoint> WriteCheckpointFiles(const Checkpoint& source, const TensorStore& store,
                                               const std::string& output,
                                               const WriteCheckpointOptions& options);

}  // namespace rescope::cli
