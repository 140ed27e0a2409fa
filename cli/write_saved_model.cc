// SPDX-License-Identifier: Apache-2.0
// Writing a renamed SavedModel: the variables bundle by the TF bundle writer, saved_model.pb
// from tfgraph::RewriteSavedModel, the other files copied, all inside a temporary directory
// that becomes OUT only when complete.
#include "cli/write_saved_model.h"

#include <fcntl.h>
#include <stdio.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "cli/cli_common.h"
#include "formats/atomic_output.h"
#include "formats/interrupt_cleanup.h"
#include "formats/mapped_file.h"
#include "formats/tf_bundle/saved_model_layout.h"
#include "formats/tf_bundle/saved_model_rewrite.h"
#include "formats/write_journal.h"

namespace rescope::cli {
namespace fs = std::filesystem;
namespace {

// OUT, or OUT/variables/variables standing for OUT.
fs::path SavedModelDirectoryFor(const std::string& output) {
  fs::path out(output);
  if (!out.has_filename()) out = out.parent_path();  // "NEW/"
  if (out.filename() == tfbundle::kVariablesDir &&
      out.parent_path().filename() == tfbundle::kVariablesDir) {
    return out.parent_path().parent_path();
  }
  return out;
}

// Removes the temporary directory unless it was renamed into place.
class TemporaryDirectory {
 public:
  explicit TemporaryDirectory(fs::path path) : path_(std::move(path)) {}
  ~TemporaryDirectory() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  TemporaryDirectory(const TemporaryDirectory&) = delete;
  TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;
  const fs::path& path() const { return path_; }
  void Release() { path_.clear(); }  // renamed into place: nothing left to remove

 private:
  fs::path path_;
};

// Everything of the input SavedModel except what is rewritten or dropped: assets/,
// assets.extra/ (TF Serving warm-up), keras_metadata.pb of a model whose names stay, ...
Status CopyOtherFiles(const fs::path& from, const fs::path& to, std::vector<std::string>& copied) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(from, ec)) {
    const std::string name = entry.path().filename().string();
    if (name == tfbundle::kSavedModelPb || name == tfbundle::kFingerprintPb ||
        name == tfbundle::kVariablesDir || name.find(".rescope-") != std::string::npos) {
      continue;
    }
    fs::copy(entry.path(), to / name, fs::copy_options::recursive, ec);
    if (ec) return Status::IOError(entry.path().string() + ": cannot copy: " + ec.message());
    copied.push_back(name);
  }
  if (ec) return Status::IOError(from.string() + ": cannot list: " + ec.message());
  return Status::Ok();
}

Status WriteSmallFile(const fs::path& path, std::string_view bytes) {
  AtomicOutput out;
  auto file = out.Create(path.string());
  if (!file.ok()) return file.status();
  RESCOPE_RETURN_IF_ERROR((*file)->Append(bytes));
  return out.Commit();
}

}  // namespace

bool OutputIsSavedModel(const std::string& output) {
  if (ClassifyOutputName(output) == OutputName::kDirectory) return true;
  const fs::path out(output);
  return out.filename() == tfbundle::kVariablesDir &&
         out.parent_path().filename() == tfbundle::kVariablesDir;
}

Result<std::optional<SavedModelOutput>> PlanSavedModelOutput(const Checkpoint& source,
                                                             const TensorStore& renamed) {
  const auto dir = tfbundle::SavedModelDirectoryOf(source.path);
  if (!dir) return std::optional<SavedModelOutput>();
  const fs::path pb = fs::path(*dir) / tfbundle::kSavedModelPb;
  if (!FileExists(pb.string())) {
    return Status::NotSupported(
        *dir + ": rescope rewrites a binary saved_model.pb only (this SavedModel has a " +
        "text .pbtxt or a chunked .cpb); load and re-save it with TensorFlow first");
  }
  // Checked first: the Keras refusal says what to do instead, whatever else is wrong.
  const bool renames_anything = renamed.size() != source.store.size() ||
                                std::any_of(renamed.begin(), renamed.end(), [](const auto& item) {
                                  return item.first != item.second.SourceName();
                                });
  const fs::path keras_metadata = fs::path(*dir) / tfbundle::kKerasMetadataPb;
  if (renames_anything && FileExists(keras_metadata.string())) {
    return Status::NotSupported(
        keras_metadata.string() + " names the Keras layers by object path, and " +
        "tf_keras.models.load_model would not find renamed ones; rename the weights of the " +
        "Keras model instead (save it as .h5/.keras) or re-export it with the new names");
  }
  auto rename = tfgraph::SavedModelRenameFor(source.store, renamed);
  if (!rename.ok()) return rename.status().WithContext(*dir);
  auto file = MappedFile::Open(pb.string());
  if (!file.ok()) return file.status();
  auto rewritten = tfgraph::RewriteSavedModel((*file)->All(), pb.string(), *rename);
  if (!rewritten.ok()) return rewritten.status();
  SavedModelOutput plan;
  plan.input_dir = *dir;
  plan.saved_model_pb = std::move(rewritten->bytes);
  if (!rename->empty()) {
    plan.notes.push_back("saved_model.pb rewritten: " + std::to_string(rewritten->renamed_edges) +
                         " object name(s), " + std::to_string(rewritten->renamed_constants) +
                         " saver key(s), " + std::to_string(rewritten->rewritten_graphs) +
                         " saver object graph(s)");
  }
  if (FileExists((fs::path(*dir) / tfbundle::kFingerprintPb).string())) {
    // Its checksums (of saved_model.pb, the graph, the checkpoint) describe the original
    // files; TF reads it only for metrics and loads without it.
    plan.notes.push_back("fingerprint.pb not written (its hashes describe the original files)");
  }
  return std::optional<SavedModelOutput>(std::move(plan));
}

Result<WrittenCheckpoint> WriteSavedModel(const Checkpoint& source, const TensorStore& renamed,
                                          const SavedModelOutput& plan, const std::string& output,
                                          const WriteCheckpointOptions& options) {
  const fs::path target = SavedModelDirectoryFor(output);
  const bool same = CanonicalPath(target.string()) == CanonicalPath(plan.input_dir);
  if (same && !options.in_place) {
    return Status::InvalidArgument(target.string() +
                                   ": output is the input SavedModel; pass --in-place to replace "
                                   "it (it is swapped in only when complete)");
  }
  std::error_code ec;
  if (!same && fs::exists(target, ec) &&
      (!fs::is_directory(target, ec) || !fs::is_empty(target, ec))) {
    return Status::InvalidArgument(target.string() +
                                   ": exists and is not an empty directory; a SavedModel is "
                                   "written to a new directory (or --in-place over its input)");
  }
  const fs::path parent = fs::absolute(target, ec).parent_path();
  fs::create_directories(parent, ec);
  if (ec) return Status::IOError(parent.string() + ": cannot create directory: " + ec.message());
  // Build folders (and temporaries) that killed runs left beside the target go first; those
  // of live runs stay.
  RecoverOutputDirectory((parent / "").string());
  // Not named like the writers' temporaries, which RecoverInterruptedWrites removes as files.
  TemporaryDirectory temp(parent /
                          (target.filename().string() + kSavedModelBuildMarker + NewWriteTag()));
  // Registered before it exists: Ctrl-C from here on removes it with whatever it holds.
  RemoveTreeOnInterrupt(temp.path().string());
  fs::create_directories(temp.path() / tfbundle::kVariablesDir, ec);
  if (ec) return Status::IOError(temp.path().string() + ": cannot create: " + ec.message());

  WriteCheckpointOptions bundle_options = options;
  bundle_options.in_place = false;
  const fs::path prefix = temp.path() / tfbundle::kVariablesDir / tfbundle::kVariablesDir;
  auto bundle = WriteCheckpoint(source, renamed, prefix.string(), bundle_options);
  if (!bundle.ok()) return bundle.status();
  std::vector<std::string> copied;
  RESCOPE_RETURN_IF_ERROR(CopyOtherFiles(plan.input_dir, temp.path(), copied));
  // Written last: a SavedModel is recognized by its saved_model.pb.
  RESCOPE_RETURN_IF_ERROR(
      WriteSmallFile(temp.path() / tfbundle::kSavedModelPb, plan.saved_model_pb));

  // The switch is not cut in half by Ctrl-C (the empty target removed, the rename not yet
  // done): a signal waits for it, and the run still ends with the signal.
  DeferInterrupts hold_signals;
  if (same) {
    if (::renameat2(AT_FDCWD, temp.path().c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) !=
        0) {
      return Status::IOError(
          target.string() + ": cannot swap in the new SavedModel atomically (renameat2: " +
          std::string(std::strerror(errno)) + "); write to a new directory instead");
    }
    // `temp` now holds the input SavedModel; its destructor removes it.
  } else {
    if (fs::exists(target, ec)) fs::remove(target, ec);  // the empty directory
    fs::rename(temp.path(), target, ec);
    if (ec) return Status::IOError(target.string() + ": cannot rename into place: " + ec.message());
    temp.Release();
  }
  WrittenCheckpoint result;
  result.output = target.string();
  result.files.push_back((target / tfbundle::kSavedModelPb).string());
  for (const std::string& f : bundle->files) {
    result.files.push_back((target / tfbundle::kVariablesDir / fs::path(f).filename()).string());
  }
  for (const std::string& name : copied) result.files.push_back((target / name).string());
  result.notes = plan.notes;
  for (const std::string& note : bundle->notes) result.notes.push_back(note);
  return result;
}

}  // namespace rescope::cli
