// SPDX-License-Identifier: Apache-2.0
// Opening a path: a walk over the format table (formats/format_table.h; rows are added
// there, not here).
#include "formats/registry.h"

#include <filesystem>

#include "formats/mapped_file.h"
#include "formats/path_description.h"
#include "formats/select_subtree.h"
#include "formats/write_journal.h"

namespace rescope {
namespace {

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

// What the user gets when no reader accepted `path`: what is there, in one message.
Status NotACheckpoint(const std::string& path) {
  // A path naming nothing needs no list of formats: the error is the missing file.
  if (!FileExists(path) && !IsDirectory(path)) return Status::NotFound(DescribeNonCheckpoint(path));
  return Status::NotFound(DescribeNonCheckpoint(path) +
                          "\n(not a checkpoint in any format rescope reads: TF bundle, TF V1, "
                          "Keras HDF5, .keras, safetensors, PyTorch, GGUF)");
}

// True when a directory holds a state file of a format that resolves paths (TF's
// `checkpoint`): its reader's error is the answer, whatever else the directory holds.
bool HasStateFile(const std::string& dir) {
  for (const FormatDescriptor* f : Formats()) {
    if (f->resolves_paths && !f->writer.state_file.empty() &&
        FileExists(dir + "/" + std::string(f->writer.state_file))) {
      return true;
    }
  }
  return false;
}

// A directory no format-specific rule resolved: one checkpoint file or index inside it
// opens like that file (a directory holding one model.h5, one model.bin, or the
// model-0000N-of-0000M.bin shards rescope wrote with their model.bin.index.json); several
// are listed for the user to choose.
Result<Checkpoint> OpenDirectoryContents(const std::string& dir, const OpenOptions& options,
                                         const Status& resolver_error) {
  // A `checkpoint` state file whose listed prefix is gone: TF's message names it, and no
  // other file in the directory is opened in its place.
  if (HasStateFile(dir)) {
    return Status::NotFound(resolver_error.message() +
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

// Readers that resolve paths themselves (TF prefixes, which name no file): the first that
// does not answer kNotFound. Returns the last kNotFound otherwise.
Result<Checkpoint> OpenByPathResolution(const std::string& path, const OpenOptions& options) {
  Result<Checkpoint> last = Status::NotFound(path + ": no format resolves this path");
  for (const FormatDescriptor* f : Formats()) {
    if (!f->resolves_paths) continue;
    last = f->open(path, options);
    if (last.ok() || last.status().code() != StatusCode::kNotFound) return last;
  }
  return last;
}

Result<Checkpoint> OpenAnyFormat(const std::string& path, const OpenOptions& options) {
  const bool is_file = FileExists(path);
  const bool is_directory = IsDirectory(path);
  if (!is_file && !is_directory) {
    // Only TF prefixes name files that do not exist themselves.
    auto resolved = OpenByPathResolution(path, options);
    if (resolved.ok() || resolved.status().code() != StatusCode::kNotFound) return resolved;
    return NotACheckpoint(path);
  }
  // Single files are sniffed by content (a Keras file may be named anything), in table
  // order; a name is only a hint, for a file no content sniff recognised (its reader
  // then says what is wrong with it).
  if (is_file) {
    for (const FormatDescriptor* f : Formats()) {
      if (f->sniff_file && f->sniff_file(path)) return f->open(path, options);
    }
    for (const FormatDescriptor* f : Formats()) {
      for (std::string_view hint : f->name_hints) {
        if (path.ends_with(hint)) return f->open(path, options);
      }
    }
  }
  // Directories and TF-shaped paths go to TensorFlow first.
  auto resolved = OpenByPathResolution(path, options);
  if (resolved.ok() || resolved.status().code() != StatusCode::kNotFound) return resolved;
  if (!is_directory) return NotACheckpoint(path);
  for (const FormatDescriptor* f : Formats()) {
    if (f->sniff_directory && f->sniff_directory(path)) return f->open(path, options);
  }
  return OpenDirectoryContents(path, options, resolved.status());
}

}  // namespace

std::vector<std::string> ReadableFormats() {
  std::vector<std::string> names;
  for (const FormatDescriptor* f : Formats()) {
    for (const FormatVariant& v : f->variants) names.emplace_back(v.name);
  }
  return names;
}

Result<Checkpoint> OpenCheckpoint(const std::string& path, const OpenOptions& options) {
  RESCOPE_RETURN_IF_ERROR(RefuseInterruptedWrite(path));
  if (options.select.empty()) return OpenAnyFormat(path, options);
  RESCOPE_ASSIGN_OR_RETURN(Checkpoint ckpt, OpenAnyFormat(path, options));
  RESCOPE_RETURN_IF_ERROR(SelectSubtree(ckpt, options.select));
  return ckpt;
}

}  // namespace rescope
