// SPDX-License-Identifier: Apache-2.0
// Writing a (renamed) store to the output path a user gave: output path forms
// (prefix, or directory + `checkpoint` state file), --in-place protection, and the
// format-specific writer.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "core/rename/rename_table.h"
#include "core/store/tensor_store.h"
#include "formats/format_table.h"

namespace rescope::cli {

struct WriteCheckpointOptions {
  bool in_place = false;
  bool link_data = false;
  bool compact = false;
  std::string index_compression = "keep";
  // Output format: "" = the input's family (TF V1 input becomes a V2 bundle), or the name of
  // a writable format (formats/format_table.h). `convert` infers it from OUT's extension.
  std::string to_format;
  // Write tensors whose bytes fail their stored checksum (cli/stored_checksums.h).
  bool ignore_checksums = false;
  std::string max_shard_size;    // safetensors, pytorch: "5GB", "500MiB", "1000000" ("" = one file)
  MetadataEdits metadata_edits;  // --set / --delete-key: formats that take them (GGUF)
};

// What an output name says about its format.
enum class OutputName {
  kDirectory,  // an existing directory or a name ending in '/'
  kBare,       // no extension: a TF prefix, or a directory for other formats
  kFormat,     // a name a format claims (FormatNamedBy: .safetensors, model.ckpt-1000, .h5)
  kUnknown,    // any other extension (.onnx, .npz, .tflite): refused unless the format is
               // chosen (--to, or rename's input format) and takes any name (TF, PyTorch)
};
OutputName ClassifyOutputName(const std::string& output);

// The format to write `output` in: `requested` (--to), else `input_family` (rename keeps
// the input's format), else what the name says (a directory or bare name: tf_bundle).
// Errors (kInvalidArgument, listing the formats and their extensions): an unknown
// extension (unless a TF bundle or PyTorch file was chosen: those take any name), or a name
// whose extension says another format than the one chosen (a PyTorch Lightning `.ckpt` is
// no conflict).
Result<std::string> ResolveOutputFormat(const std::string& output, const std::string& requested,
                                        const std::string& input_family);

struct WrittenCheckpoint {
  std::string output;  // the prefix or file written (a sharded set: its index)
  std::vector<std::string> files;
  std::vector<std::string> notes;
};

// "wrote OUT" for one file, "wrote OUT (3 files: a, b, checkpoint)" otherwise: the names
// of the files actually written, relative to OUT's directory where they lie in it.
std::string WrittenSummary(const WrittenCheckpoint& written);

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

// Whether the output's writer takes a rename as a name table over `source.store`
// (core/rename/rename_table.h) for these options, so that `rename` need not build the
// renamed store: a TF bundle written pass-through (same shards, only the index re-keyed).
bool WritesNameTable(const Checkpoint& source, const WriteCheckpointOptions& options);

// CheckCheckpointWrite and WriteCheckpoint for `source.store` renamed by `table`: the same
// checks, messages and files as for ApplyPlan's store.
// REQUIRES (else kInvalidArgument): WritesNameTable(source, options).
Status CheckCheckpointWrite(const Checkpoint& source, const RenameTable& table,
                            const WriteCheckpointOptions& options);
Result<WrittenCheckpoint> WriteCheckpoint(const Checkpoint& source, const RenameTable& table,
                                          const std::string& output,
                                          const WriteCheckpointOptions& options);

// WriteCheckpoint without the checks and the clean-up.
Result<WrittenCheckpoint> WriteCheckpointFiles(const Checkpoint& source, const TensorStore& store,
                                               const std::string& output,
                                               const WriteCheckpointOptions& options);

}  // namespace rescope::cli
