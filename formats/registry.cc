// Ordered format table. To add a format, add a row: a sniff test and an opener.
#include "formats/registry.h"

#include "formats/mapped_file.h"
#include "formats/tf_bundle/checkpoint_path.h"
#include "formats/tf_bundle/tf_bundle_reader.h"
#include "formats/tf_v1/tf_v1_reader.h"

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

}  // namespace

std::vector<std::string> ReadableFormats() { return {"tf_bundle", "tf_v1"}; }

Result<Checkpoint> OpenCheckpoint(const std::string& path, const OpenOptions& options) {
  if (!FileExists(path) && !IsDirectory(path)) {
    // Only TF prefixes name files that do not exist themselves.
    return OpenTensorFlow(path, options);
  }
  // Directories and TF-shaped paths go to TensorFlow first; single files are sniffed.
  auto tf = OpenTensorFlow(path, options);
  if (tf.ok() || tf.status().code() != StatusCode::kNotFound) return tf;
  return Status::NotFound(tf.status().message() +
                          "\n(not a checkpoint in any format rescope reads)");
}

}  // namespace rescope
