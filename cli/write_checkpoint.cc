// SPDX-License-Identifier: Apache-2.0
// Output path handling and writer dispatch.
#include "cli/write_checkpoint.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <set>
#include <sstream>
#include <string_view>
#include <utility>

#include "cli/cli_common.h"
#include "cli/created_directories.h"
#include "cli/model_config_copy.h"
#include "cli/stored_checksums.h"
#include "core/tensor_transform.h"
#include "formats/atomic_output.h"
#include "formats/gguf/gguf_writer.h"
#include "formats/hdf5_module/hdf5_module.h"
#include "formats/mapped_file.h"
#include "formats/pytorch/pytorch_writer.h"
#include "formats/safetensors/safetensors_writer.h"
#include "formats/tf_bundle/checkpoint_path.h"
#include "formats/tf_bundle/tf_bundle_writer.h"

namespace rescope::cli {
namespace fs = std::filesystem;
namespace {

std::string BaseName(const std::string& prefix) {
  std::string base = fs::path(prefix).filename().string();
  return base.empty() ? "ckpt" : base;
}

std::string ReadSmallFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Makes the directory's `checkpoint` state file list `base` without losing what it already
// says: a state file that lists `base` is left alone (the other steps and which one is
// latest stay, as after an in-place rename); otherwise `base` is appended and becomes the
// latest, as TF's Saver records a new save. Returns whether the file was (re)written.
Result<bool> UpdateStateFile(const std::string& dir, const std::string& base) {
  const std::string final_path = (fs::path(dir) / "checkpoint").string();
  std::vector<std::string> kept_lines;
  if (FileExists(final_path)) {
    const std::string text = ReadSmallFile(final_path);
    auto state = tfbundle::ParseCheckpointState(text, final_path);
    if (state.ok()) {
      std::vector<std::string> listed = state->all_model_checkpoint_paths;
      listed.push_back(state->model_checkpoint_path);
      for (const std::string& recorded : listed) {
        if (fs::path(recorded).filename().string() == base) return false;
      }
      std::istringstream in(text);
      std::string line;
      while (std::getline(in, line)) {
        // The other listed steps stay; timestamps would no longer pair up with the paths.
        if (line.find_first_not_of(" \t") != std::string::npos &&
            line.substr(line.find_first_not_of(" \t")).starts_with("all_model_checkpoint_paths")) {
          kept_lines.push_back(line);
        }
      }
    }
  }
  std::string text = "model_checkpoint_path: \"" + base + "\"\n";
  for (const std::string& line : kept_lines) text += line + "\n";
  text += "all_model_checkpoint_paths: \"" + base + "\"\n";
  // Through AtomicOutput like every other output: a temporary unique to this process, write
  // errors checked after the data is flushed and fsynced (a nearly full disk must not leave
  // a 0-byte state file behind an exit 0), then one rename.
  AtomicOutput out;
  RESCOPE_ASSIGN_OR_RETURN(OutputFile * file, out.Create(final_path));
  RESCOPE_RETURN_IF_ERROR(file->Append(text));
  RESCOPE_RETURN_IF_ERROR(out.Commit());
  return true;
}

// After an in-place rewrite that changed the shard count, the old data files are stale.
void RemoveStaleShards(const Checkpoint& source, const std::vector<std::string>& written) {
  for (const CheckpointFile& f : source.files) {
    if (f.role.rfind("data shard", 0) != 0) continue;
    if (std::find(written.begin(), written.end(), f.path) == written.end())
      ::unlink(f.path.c_str());
  }
}

// The writer family a source format is written back as by `rename`.
std::string FamilyOf(const std::string& format) {
  if (format == "tf_bundle" || format == "tf_v1") return "tf_bundle";
  if (format.rfind("keras", 0) == 0 || format == "hdf5") return "keras_h5";
  if (format.rfind("pytorch", 0) == 0) return "pytorch";
  return format;
}

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// "5GB" (10^9), "500MiB" (2^20), "123" bytes.
Result<uint64_t> ParseSize(const std::string& text) {
  size_t pos = 0;
  uint64_t value = 0;
  try {
    value = std::stoull(text, &pos);
  } catch (const std::exception&) {
    return Status::InvalidArgument("--max-shard-size \"" + text + "\": expected a size like 5GB");
  }
  const std::string unit = text.substr(pos);
  static const std::pair<const char*, uint64_t> kUnits[] = {{"", 1},
                                                            {"B", 1},
                                                            {"KB", 1000},
                                                            {"MB", 1000000},
                                                            {"GB", 1000000000},
                                                            {"KiB", 1ULL << 10},
                                                            {"MiB", 1ULL << 20},
                                                            {"GiB", 1ULL << 30}};
  for (const auto& [name, mult] : kUnits) {
    if (unit == name) return value * mult;
  }
  return Status::InvalidArgument("--max-shard-size \"" + text + "\": unknown unit \"" + unit +
                                 "\"");
}

std::string SafetensorsStem(const std::string& source_path) {
  std::string base = fs::path(source_path).filename().string();
  for (std::string_view suffix :
       {".safetensors.index.json", ".bin.index.json", ".index.json", ".safetensors", ".bin", ".pt",
        ".pth", ".h5", ".keras", ".ckpt", ".gguf"}) {
    if (base.size() >= suffix.size() && EndsWith(base, suffix)) {
      base = base.substr(0, base.size() - suffix.size());
      break;
    }
  }
  return base.empty() ? "model" : base;
}

constexpr std::pair<std::string_view, OutputName> kFormatSuffixes[] = {
    {".safetensors.index.json", OutputName::kSafetensors},
    {".safetensors", OutputName::kSafetensors},
    {".bin.index.json", OutputName::kPyTorch},
    {".bin", OutputName::kPyTorch},
    {".pt", OutputName::kPyTorch},
    {".pth", OutputName::kPyTorch},
    {".h5", OutputName::kKerasH5},
    {".hdf5", OutputName::kKerasH5},
    {".keras", OutputName::kKerasH5},
    {".gguf", OutputName::kGguf},
};

constexpr const char* kOutputFormatList =
    "\n  tf_bundle    a prefix (model.ckpt, model.ckpt-1000, ckpt, P.index) or a directory"
    "\n  safetensors  .safetensors (sharded: --max-shard-size)"
    "\n  pytorch      .pt .pth .bin (sharded: --max-shard-size)"
    "\n  keras_h5     .h5 .hdf5 .keras"
    "\n  gguf         .gguf";

std::string NamedFormat(OutputName kind) {
  switch (kind) {
    case OutputName::kTfBundle:
      return "tf_bundle";
    case OutputName::kSafetensors:
      return "safetensors";
    case OutputName::kPyTorch:
      return "pytorch";
    case OutputName::kKerasH5:
      return "keras_h5";
    case OutputName::kGguf:
      return "gguf";
    default:
      return "";
  }
}

// The file name a directory output gets: the input's own name when the format stays (a
// renamed model.ckpt-1000 keeps its step), else the name the target framework saves under.
std::string ConventionalName(const std::string& target) {
  if (target == "safetensors") return "model.safetensors";
  if (target == "pytorch") return "pytorch_model.bin";
  if (target == "keras_h5") return "model.h5";
  if (target == "gguf") return "model.gguf";
  return "model.ckpt";
}

Status RefuseSameAsInput(const std::string& path) {
  return Status::InvalidArgument(path +
                                 ": output is the input checkpoint; pass --in-place "
                                 "to replace it (it is swapped in only when complete)");
}

// --max-shard-size in bytes; 0 (one file) when not given.
Result<uint64_t> MaxShardBytes(const WriteCheckpointOptions& o) {
  if (o.max_shard_size.empty()) return uint64_t{0};
  return ParseSize(o.max_shard_size);
}

// The files a safetensors or PyTorch writer wrote; a sharded set is opened through its
// index, so that is the path reported.
WrittenCheckpoint WrittenFileSet(const std::string& path, std::vector<std::string> files) {
  WrittenCheckpoint result;
  result.output = path;
  result.files = std::move(files);
  for (const std::string& f : result.files) {
    if (EndsWith(f, ".index.json")) result.output = f;
  }
  return result;
}

Result<WrittenCheckpoint> WriteSafetensorsOutput(const Checkpoint& source, const TensorStore& store,
                                                 std::string path,
                                                 const WriteCheckpointOptions& o) {
  // An index name stands for its set: the writer takes the single file's name.
  if (constexpr std::string_view kIndex = ".safetensors.index.json"; EndsWith(path, kIndex)) {
    path = path.substr(0, path.size() - kIndex.size()) + ".safetensors";
  }
  if (CanonicalPath(path) == CanonicalPath(source.path) && !o.in_place)
    return RefuseSameAsInput(path);
  safetensors::WriteOptions so;
  so.default_metadata = {{"format", "pt"}};
  RESCOPE_ASSIGN_OR_RETURN(so.max_shard_size, MaxShardBytes(o));
  auto files = safetensors::WriteSafetensors(source, store, path, so);
  if (!files.ok()) return files.status();
  return WrittenFileSet(path, std::move(files).value());
}

Result<WrittenCheckpoint> WritePyTorchOutput(const Checkpoint& source, const TensorStore& store,
                                             const std::string& path,
                                             const WriteCheckpointOptions& o) {
  if (CanonicalPath(path) == CanonicalPath(source.path) && !o.in_place)
    return RefuseSameAsInput(path);
  pytorch::WriteOptions po;
  RESCOPE_ASSIGN_OR_RETURN(po.max_shard_size, MaxShardBytes(o));
  auto files = pytorch::WritePyTorch(source, store, path, po);
  if (!files.ok()) return files.status();
  return WrittenFileSet(path, std::move(files).value());
}

Result<WrittenCheckpoint> WriteKerasOutput(const Checkpoint& source, const TensorStore& store,
                                           const std::string& path,
                                           const WriteCheckpointOptions& o) {
  if (CanonicalPath(path) == CanonicalPath(source.path) && !o.in_place)
    return RefuseSameAsInput(path);
  WrittenCheckpoint result;
  auto files = WriteKerasH5Output(source, store, path, &result.notes);
  if (!files.ok()) return files.status();
  result.output = path;
  result.files = std::move(files).value();
  return result;
}

// The output's metadata: a GGUF source's, after the user's --set/--delete-key edits.
Result<std::vector<gguf::KeyValue>> GgufOutputMetadata(const Checkpoint& source,
                                                       const WriteCheckpointOptions& o) {
  std::vector<gguf::KeyValue> metadata = gguf::SourceMetadata(source);
  RESCOPE_RETURN_IF_ERROR(gguf::ApplyMetadataEdits(metadata, o.metadata_edits));
  return metadata;
}

Result<WrittenCheckpoint> WriteGgufOutput(const Checkpoint& source, const TensorStore& store,
                                          const std::string& path,
                                          const WriteCheckpointOptions& o) {
  if (CanonicalPath(path) == CanonicalPath(source.path) && !o.in_place)
    return RefuseSameAsInput(path);
  RESCOPE_ASSIGN_OR_RETURN(const std::vector<gguf::KeyValue> metadata,
                           GgufOutputMetadata(source, o));
  auto files = gguf::WriteGguf(source, store, path, metadata);
  if (!files.ok()) return files.status();
  return WrittenFileSet(path, std::move(files).value());
}

// The name a checkpoint gets inside a directory output.
std::string FileInDirectory(const Checkpoint& source, const std::string& target) {
  if (FamilyOf(source.format) != target) return ConventionalName(target);
  // Same format: the input's own name (a renamed model.ckpt-1000 keeps its step, a
  // renamed pytorch_model.bin stays the file transformers looks for).
  const std::string stem = SafetensorsStem(source.path);
  if (target == "safetensors") return stem + ".safetensors";
  if (target == "pytorch") {
    const bool hf = EndsWith(source.path, ".bin") || EndsWith(source.path, ".bin.index.json");
    return stem + (hf ? ".bin" : ".pt");
  }
  // A .keras archive stays one (the Keras writer gives other names HDF5).
  if (target == "keras_h5") return stem + (source.format == "keras_zip" ? ".keras" : ".h5");
  if (target == "gguf") return stem + ".gguf";
  return BaseName(source.path);
}

}  // namespace

OutputName ClassifyOutputName(const std::string& output) {
  if (IsDirectory(output) || (!output.empty() && output.back() == '/')) {
    return OutputName::kDirectory;
  }
  const std::string base = fs::path(output).filename().string();
  for (const auto& [suffix, kind] : kFormatSuffixes) {
    if (EndsWith(base, suffix)) return kind;
  }
  if (base.find('.') == std::string::npos) return OutputName::kBare;
  // TF prefixes as Saver, Estimators, tf.train.Checkpoint and Keras write them:
  // model.ckpt, model.ckpt-1000, cp-0005.ckpt, weights.tf, P.index, P.data-00000-of-00001.
  static const std::regex tf_re(R"(.*(\.ckpt(-\d+)?|\.tf|\.index|\.data-\d{5,}-of-\d{5,}))");
  if (std::regex_match(base, tf_re)) return OutputName::kTfBundle;
  return OutputName::kUnknown;
}

Result<std::string> ResolveOutputFormat(const std::string& output, const std::string& requested,
                                        const std::string& input_family) {
  const OutputName kind = ClassifyOutputName(output);
  const std::string named = NamedFormat(kind);
  std::string target = requested.empty() ? input_family : requested;
  const std::string why = !requested.empty() ? "--to " + requested
                                             : "rename writes the input's format (" + target +
                                                   "); use `rescope convert` to change it";
  // TF prefixes and torch.save files may take any name once the format is chosen (by --to,
  // or by rename keeping the input's); a name alone must say its format.
  const bool any_name = target == "tf_bundle" || target == "pytorch";
  if (kind == OutputName::kUnknown && !any_name) {
    return Status::InvalidArgument(output + ": the extension names no format rescope writes" +
                                   (target.empty() ? "" : " as " + target) +
                                   "; outputs are:" + kOutputFormatList +
                                   (requested.empty() && input_family.empty()
                                        ? "\n(a TF bundle may take any name: pass --to tf_bundle)"
                                        : ""));
  }
  if (target.empty()) target = named.empty() ? "tf_bundle" : named;
  // PyTorch Lightning saves torch.save files as `.ckpt`: that name is no conflict for them.
  const bool lightning = kind == OutputName::kTfBundle && target == "pytorch";
  if (!named.empty() && named != target && !lightning) {
    return Status::InvalidArgument(output + ": the name says " + named + ", but " + why +
                                   "; outputs are:" + kOutputFormatList);
  }
  return target;
}

void AddWriteOptions(CLI::App* app, WriteCheckpointOptions& o) {
  app->add_flag("--in-place", o.in_place,
                "Allow OUT to be the input: write beside it and swap in when complete");
  app->add_flag("--link-data", o.link_data,
                "Hard-link unchanged data shards instead of copying (same filesystem)");
  app->add_flag("--compact", o.compact, "Rewrite data shards without dropped tensors");
  app->add_option("--index-compression", o.index_compression,
                  "TF index blocks: keep (as input), none, snappy")
      ->check(CLI::IsMember({"keep", "none", "snappy"}));
  app->add_option(
      "--max-shard-size", o.max_shard_size,
      "safetensors/pytorch output: split into shards of at most this size (5GB, 500MiB)");
  AddIgnoreChecksumsFlag(app, o.ignore_checksums);
}

namespace {

// Mirrors tfbundle::WriteTfBundle's choice of its pass-through (whole-shard) writer.
bool WritesByShardCopy(const Checkpoint& source, const TensorStore& store,
                       const WriteCheckpointOptions& o) {
  const std::string target = o.to_format.empty() ? FamilyOf(source.format) : o.to_format;
  if (target != "tf_bundle" || source.format != "tf_bundle" || o.compact) return false;
  return std::none_of(store.begin(), store.end(),
                      [](const auto& item) { return item.second.bytes_transformed; });
}

}  // namespace

Status CheckCheckpointWrite(const Checkpoint& source, const TensorStore& store,
                            const WriteCheckpointOptions& o) {
  const std::string target = o.to_format.empty() ? FamilyOf(source.format) : o.to_format;
  if (!o.metadata_edits.empty() && target != "gguf") {
    return Status::InvalidArgument("--set and --delete-key edit GGUF metadata; the output is " +
                                   target);
  }
  if (target == "gguf") return GgufOutputMetadata(source, o).status();
  if (target == "tf_bundle") return tfbundle::CheckTfBundleWrite(source, store);
  if (target == "keras_h5") return CheckKerasH5Output(source, store);
  return Status::Ok();
}

Result<WrittenCheckpoint> WriteCheckpoint(const Checkpoint& source, const TensorStore& store,
                                          const std::string& output,
                                          const WriteCheckpointOptions& o) {
  RESCOPE_RETURN_IF_ERROR(CheckCheckpointWrite(source, store, o));
  // Before anything is created: a writer that streams tensor bytes must not turn damaged
  // data into a file whose checksums (if any) match it. A TF bundle pass-through copies
  // whole shards and keeps the stored CRCs, so the damage stays detectable there.
  if (!WritesByShardCopy(source, store, o)) {
    RESCOPE_RETURN_IF_ERROR(CheckStoredChecksums(store, o.ignore_checksums));
    // A transposed tensor lost its stored CRC with the transform; the entry it was read
    // from still has it, and its bytes are the ones the transform streams.
    std::set<std::string, std::less<>> transformed_sources;
    for (const auto& [name, e] : store) {
      if (e.bytes_transformed) transformed_sources.insert(e.source_name);
    }
    if (!transformed_sources.empty()) {
      RESCOPE_RETURN_IF_ERROR(CheckStoredChecksums(
          source.store, o.ignore_checksums,
          [&](const TensorEntry& e) { return transformed_sources.contains(e.name); }));
    }
  }
  CreatedDirectories created(output);
  auto written = WriteCheckpointFiles(source, store, output, o);
  if (written.ok()) created.Keep();
  return written;
}

Result<WrittenCheckpoint> WriteCheckpointFiles(const Checkpoint& source, const TensorStore& store,
                                               const std::string& output,
                                               const WriteCheckpointOptions& o) {
  auto resolved =
      ResolveOutputFormat(output, o.to_format, o.to_format.empty() ? FamilyOf(source.format) : "");
  if (!resolved.ok()) return resolved.status();
  const std::string target = *resolved;
  const OutputName kind = ClassifyOutputName(output);
  // A bare name is a TF prefix; for other formats it can only be a directory.
  const bool into_directory =
      kind == OutputName::kDirectory || (kind == OutputName::kBare && target != "tf_bundle");
  const std::string path =
      into_directory ? (fs::path(output) / FileInDirectory(source, target)).string() : output;
  if (into_directory && target != "tf_bundle") {
    std::error_code ec;
    fs::create_directories(output, ec);  // removed again on failure (CreatedDirectories)
    if (ec) return Status::IOError(output + ": cannot create directory: " + ec.message());
  } else if (const fs::path parent = fs::path(path).parent_path(); !parent.empty()) {
    // Every writer gets its directory, as the TF bundle and safetensors writers always had.
    std::error_code ec;
    fs::create_directories(parent, ec);  // removed again on failure (CreatedDirectories)
    if (ec) return Status::IOError(parent.string() + ": cannot create directory: " + ec.message());
  }
  if (target == "safetensors" || target == "pytorch") {
    // The Hugging Face layout: the model's config.json goes along with its weights.
    std::optional<std::string> config;
    if (into_directory) {
      RESCOPE_ASSIGN_OR_RETURN(config, ModelConfigToCopy(source, output));
    }
    auto written = target == "safetensors" ? WriteSafetensorsOutput(source, store, path, o)
                                           : WritePyTorchOutput(source, store, path, o);
    if (!written.ok() || !config) return written;
    RESCOPE_ASSIGN_OR_RETURN(std::string copied, CopyModelConfig(*config, output));
    written->files.push_back(std::move(copied));
    return written;
  }
  if (target == "keras_h5") return WriteKerasOutput(source, store, path, o);
  if (target == "gguf") return WriteGgufOutput(source, store, path, o);
  if (target != "tf_bundle") {
    return Status::NotSupported("writing " + target + " is not supported yet");
  }
  WrittenCheckpoint result;
  std::string prefix = path;
  const std::string state_dir = into_directory ? output : "";
  if (constexpr std::string_view kIndex = ".index"; prefix.ends_with(kIndex)) {
    // `-o P.index` names the index file of prefix P, as an input path may; without this
    // the output would be `P.index.index` and escape the same-as-input check.
    prefix = prefix.substr(0, prefix.size() - kIndex.size());
  }
  const bool same = CanonicalPath(prefix) == CanonicalPath(source.path);
  if (same && !o.in_place) return RefuseSameAsInput(prefix);
  const bool transformed = AnyBytesTransformed(store);
  if (same && transformed) {
    // Transformed values force a new data shard, with the same hazard as --compact below.
    return Status::InvalidArgument(
        prefix +
        ": --in-place cannot be combined with value transforms (transpose/permute): "
        "the data shard would be replaced before the index, so a run stopped "
        "half-way would destroy the input; write to a new prefix instead");
  }
  if (same && o.compact) {
    // The new data shard would replace the old one under the same name before the new
    // index is renamed in; a crash between the two renames would leave the old index over
    // new data, i.e. destroy the input. Pass-through rewrites copy shards byte for byte,
    // so for them the swap is safe.
    return Status::InvalidArgument(
        prefix +
        ": --in-place cannot be combined with --compact: the data shard would be "
        "replaced before the index, so a run stopped half-way would destroy the input; "
        "write to a new prefix instead");
  }
  if (same && o.link_data) {
    return Status::InvalidArgument("--in-place with --link-data would link files to themselves");
  }
  tfbundle::WriteOptions wo;
  wo.compact = o.compact;
  wo.link_data = o.link_data;
  wo.index_compression = o.index_compression == "none"     ? tfbundle::IndexCompression::kNone
                         : o.index_compression == "snappy" ? tfbundle::IndexCompression::kSnappy
                                                           : tfbundle::IndexCompression::kKeep;
  if (source.format == "tf_v1") result.notes.push_back("V1 input written as a V2 tensor bundle");
  if (!state_dir.empty()) {
    std::error_code ec;
    fs::create_directories(state_dir, ec);
    if (ec) return Status::IOError(state_dir + ": cannot create directory: " + ec.message());
  }
  auto report = tfbundle::WriteTfBundle(source, store, prefix, wo);
  if (!report.ok()) return report.status();
  result.output = prefix;
  result.files = report->files;
  if (report->graph_rewritten) result.notes.push_back("TF2 object graph rewritten");
  if (same) RemoveStaleShards(source, report->files);
  if (!state_dir.empty()) {
    auto updated = UpdateStateFile(state_dir, fs::path(prefix).filename().string());
    if (!updated.ok()) return updated.status();
    if (*updated) result.files.push_back((fs::path(state_dir) / "checkpoint").string());
  }
  return result;
}

std::string WrittenSummary(const WrittenCheckpoint& written) {
  if (written.files.size() == 1 && written.files[0] == written.output) {
    return "wrote " + written.output;
  }
  const fs::path dir = fs::path(written.output).parent_path();
  std::string names;
  for (const std::string& f : written.files) {
    const fs::path p(f);
    names += (names.empty() ? "" : ", ") + (p.parent_path() == dir ? p.filename().string() : f);
  }
  return "wrote " + written.output + " (" + std::to_string(written.files.size()) +
         (written.files.size() == 1 ? " file: " : " files: ") + names + ")";
}

}  // namespace rescope::cli
