// SPDX-License-Identifier: Apache-2.0
// Ordered format table. To add a format, add a row: a sniff test and an opener.
#include "formats/registry.h"

#include <filesystem>

#include "formats/gguf/gguf_reader.h"
#include "formats/hdf5_module/hdf5_module.h"
#include "formats/mapped_file.h"
#include "formats/path_description.h"
#include "formats/pytorch/pytorch_reader.h"
#include "formats/safetensors/safetensors_reader.h"
#include "formats/select_subtree.h"
#include "formats/tf_bundle/checkpoint_path.h"
#include "formats/tf_bundle/tf_bundle_reader.h"
#include "formats/tf_v1/tf_v1_reader.h"
#include "formats/write_journal.h"

namespace rescope {
namespace {

Result<Checkpoint> OpenTensorFlow(const std::string& path, const OpenOptions& options) {
  auto resolved = tfbundle::ResolveCheckpointPath(path, {options.step});
  if (!resolved.ok()) return resolved.status();
  if (resolved->kind == tfbundle::ResolvedPath::Kind::kV1) {
    return tfv1::OpenTfV1(resolved->prefix, resolved->v1_files);
  }
  return tfbundle::OpenTfBundle(resolved->prefix);
}

// A journal of a killed rescope write means the directory may hold new files beside old
// ones until it is replayed: reading it now could report a checkpoint that is neither.
Status RefuseInterruptedWrite(const std::string& path) {
  const std::string dir = IsDirectory(path) ? path
                          : std::filesystem::path(path).has_parent_path()
                              ? std::filesystem::path(path).parent_path().string()
                              : ".";
  const std::vector<std::string> journals = FindInterruptedWrites(dir);
  if (journals.empty()) return Status::Ok();
  return Status::IOError(
      dir + ": a rescope write into this directory was interrupted (journal " + journals[0] +
      "); its checkpoint files may be a mix of two versions. Run `rescope recover " + dir +
      "` to restore the complete version (any rescope write into the directory does the same)");
}

}  // namespace

std::vector<std::string> ReadableFormats() {
  return {"tf_bundle", "tf_v1",       "keras_h5",    "keras3_weights_h5", "keras_zip",
          "hdf5",      "safetensors", "pytorch_zip", "pytorch_legacy",    "gguf"};
}

namespace {

// What the user gets when no reader accepted `path`: what is there, in one message.
Status NotACheckpoint(const std::string& path) {
  // A path naming nothing needs no list of formats: the error is the missing file.
  if (!FileExists(path) && !IsDirectory(path)) return Status::NotFound(DescribeNonCheckpoint(path));
  return Status::NotFound(DescribeNonCheckpoint(path) +
                          "\n(not a checkpoint in any format rescope reads: TF bundle, TF V1, "
                          "Keras HDF5, .keras, safetensors, PyTorch, GGUF)");
}

// A directory no format-specific rule resolved: one checkpoint file or index inside it
// opens like that file (a directory holding one model.h5, one model.bin, or the
// model-0000N-of-0000M.bin shards rescope wrote with their model.bin.index.json); several
// are listed for the user to choose.
Result<Checkpoint> OpenDirectoryContents(const std::string& dir, const OpenOptions& options,
                                         const Status& tf_error) {
  // A `checkpoint` state file whose listed prefix is gone: TF's message names it, and no
  // other file in the directory is opened in its place.
  if (FileExists(dir + "/checkpoint")) {
    return Status::NotFound(tf_error.message() +
                            "\n(not a checkpoint in any format rescope reads)");
  }
  const std::vector<std::string> found = CheckpointsInDirectory(dir);
  if (found.empty()) return NotACheckpoint(dir);
  if (found.size() == 1 && !IsDirectory(found[0])) return OpenCheckpoint(found[0], options);
  std::string listed;
  for (const std::string& f : found) listed += "\n  " + f;
  return Status::InvalidArgument(dir + ": a directory holding " + std::to_string(found.size()) +
                                 " checkpoints; name the one to open:" + listed);
}

}  // namespace

Result<Checkpoint> OpenAnyFormat(const std::string& path, const OpenOptions& options) {
  if (!FileExists(path) && !IsDirectory(path)) {
    // Only TF prefixes name files that do not exist themselves.
    auto tf = OpenTensorFlow(path, options);
    if (tf.ok() || tf.status().code() != StatusCode::kNotFound) return tf;
    return NotACheckpoint(path);
  }
  // Single files are sniffed by content (a Keras file may be named anything);
  // directories and TF-shaped paths go to TensorFlow.
  // safetensors content first: its sniff reads only the first header bytes, while the HDF5
  // sniff probes for a superblock at 512 * 2^n through the whole file, which on a large
  // file faults in (and reads ahead) pages all over it. No HDF5 or zip file starts with a
  // plausible safetensors header length followed by '{'.
  if (FileExists(path) && safetensors::SniffSafetensors(path)) {
    return safetensors::OpenSafetensors(path);
  }
  // GGUF (issue 15): a file starting with the "GGUF" magic. To become a table row when
  // registry.cc is a table.
  if (FileExists(path) && gguf::SniffGguf(path)) return gguf::OpenGguf(path);
  if (FileExists(path) && SniffKerasOrHdf5File(path)) return OpenKerasH5File(path);
  const bool safetensors_name =
      path.size() > 12 && path.compare(path.size() - 12, 12, ".safetensors") == 0;
  if (FileExists(path) && (safetensors_name || safetensors::SniffSafetensors(path))) {
    return safetensors::OpenSafetensors(path);
  }
  if (FileExists(path) && pytorch::SniffPyTorch(path)) {
    return pytorch::OpenPyTorch(path, {options.lenient});
  }
  auto tf = OpenTensorFlow(path, options);
  if (tf.ok() || tf.status().code() != StatusCode::kNotFound) return tf;
  if (IsDirectory(path) && safetensors::SniffSafetensors(path)) {
    return safetensors::OpenSafetensors(path);
  }
  if (IsDirectory(path) && pytorch::SniffPyTorch(path)) {
    return pytorch::OpenPyTorch(path, {options.lenient});
  }
  if (IsDirectory(path)) return OpenDirectoryContents(path, options, tf.status());
  return NotACheckpoint(path);
}

Result<Checkpoint> OpenCheckpoint(const std::string& path, const OpenOptions& options) {
  RESCOPE_RETURN_IF_ERROR(RefuseInterruptedWrite(path));
  if (options.select.empty()) return OpenAnyFormat(path, options);
  RESCOPE_ASSIGN_OR_RETURN(Checkpoint ckpt, OpenAnyFormat(path, options));
  RESCOPE_RETURN_IF_ERROR(SelectSubtree(ckpt, options.select));
  return ckpt;
}

}  // namespace rescope
