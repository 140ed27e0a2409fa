// Ordered format table. To add a format, add a row: a sniff test and an opener.
#include "formats/registry.h"

#include <filesystem>

#include "formats/keras_h5/keras_h5_reader.h"
#include "formats/mapped_file.h"
#include "formats/pytorch/pytorch_reader.h"
#include "formats/safetensors/safetensors_reader.h"
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
          "hdf5",      "safetensors", "pytorch_zip", "pytorch_legacy"};
}

Result<Checkpoint> OpenAnyFormat(const std::string& path, const OpenOptions& options) {
  if (!FileExists(path) && !IsDirectory(path)) {
    // Only TF prefixes name files that do not exist themselves.
    return OpenTensorFlow(path, options);
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
  if (FileExists(path) && SniffKerasOrHdf5(path)) return OpenKerasH5(path);
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
  return Status::NotFound(tf.status().message() +
                          "\n(not a checkpoint in any format rescope reads)");
}

Result<Checkpoint> OpenCheckpoint(const std::string& path, const OpenOptions& options) {
  RESCOPE_RETURN_IF_ERROR(RefuseInterruptedWrite(path));
  return OpenAnyFormat(path, options);
}

}  // namespace rescope
