// Output path handling and writer dispatch.
#include "cli/write_checkpoint.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string_view>

#include "cli/created_directories.h"
#include "cli/stored_checksums.h"
#include "core/tensor_transform.h"
#include "formats/atomic_output.h"
#include "formats/keras_h5/keras_h5_writer.h"
#include "formats/mapped_file.h"
#include "formats/pytorch/pytorch_writer.h"
#include "formats/safetensors/safetensors_writer.h"
#include "formats/tf_bundle/checkpoint_path.h"
#include "formats/tf_bundle/tf_bundle_writer.h"

namespace rescope::cli {
namespace fs = std::filesystem;
namespace {

std::string Canonical(const std::string& p) {
  std::error_code ec;
  fs::path c = fs::weakly_canonical(fs::absolute(p), ec);
  return ec ? p : c.string();
}

std::string BaseName(const std::string& prefix) {
  std::string base = fs::path(prefix).filename().string();
  return base.empty() ? "ckpt" : base;
}

Status WriteStateFile(const std::string& dir, const std::string& base) {
  const std::string final_path = (fs::path(dir) / "checkpoint").string();
  // Unique per process: two runs writing into one directory must not share a temporary.
  const std::string temp = TempPathFor(final_path);
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << "model_checkpoint_path: \"" << base << "\"\n"
        << "all_model_checkpoint_paths: \"" << base << "\"\n";
    if (!out) return Status::IOError(temp + ": cannot write checkpoint state file");
  }
  if (::rename(temp.c_str(), final_path.c_str()) != 0) {
    ::unlink(temp.c_str());
    return Status::IOError(final_path + ": cannot rename checkpoint state file into place");
  }
  return Status::Ok();
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
  for (const char* suffix : {".safetensors.index.json", ".bin.index.json", ".index.json",
                             ".safetensors", ".bin", ".pt", ".pth", ".h5", ".keras", ".ckpt"}) {
    if (EndsWith(base, suffix)) {
      base.resize(base.size() - std::string_view(suffix).size());
      break;
    }
  }
  return base.empty() ? "model" : base;
}

Result<WrittenCheckpoint> WriteSafetensorsOutput(const Checkpoint& source, const TensorStore& store,
                                                 const std::string& output,
                                                 const WriteCheckpointOptions& o) {
  WrittenCheckpoint result;
  std::string path = output;
  if (IsDirectory(output) || (!output.empty() && output.back() == '/')) {
    path = (fs::path(output) / (SafetensorsStem(source.path) + ".safetensors")).string();
  }
  if (Canonical(path) == Canonical(source.path) && !o.in_place) {
    return Status::InvalidArgument(path +
                                   ": output is the input checkpoint; pass --in-place "
                                   "to replace it (it is swapped in only when complete)");
  }
  safetensors::WriteOptions so;
  if (!o.max_shard_size.empty()) {
    auto size = ParseSize(o.max_shard_size);
    if (!size.ok()) return size.status();
    so.max_shard_size = *size;
  }
  auto files = safetensors::WriteSafetensors(source, store, path, so);
  if (!files.ok()) return files.status();
  result.output = path;
  result.files = std::move(files).value();
  return result;
}

}  // namespace

std::string FormatForOutputName(const std::string& output) {
  if (EndsWith(output, ".safetensors")) return "safetensors";
  if (EndsWith(output, ".pt") || EndsWith(output, ".pth") || EndsWith(output, ".bin")) {
    return "pytorch";
  }
  if (EndsWith(output, ".h5") || EndsWith(output, ".hdf5") || EndsWith(output, ".keras")) {
    return "keras_h5";
  }
  return "";
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
  if (target == "tf_bundle") return tfbundle::CheckTfBundleWrite(source, store);
  if (target == "keras_h5") return CheckKerasH5Write(source, store);
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
  }
  CreatedDirectories created(output);
  auto written = WriteCheckpointFiles(source, store, output, o);
  if (written.ok()) created.Keep();
  return written;
}

Result<WrittenCheckpoint> WriteCheckpointFiles(const Checkpoint& source, const TensorStore& store,
                                               const std::string& output,
                                               const WriteCheckpointOptions& o) {
  WrittenCheckpoint result;
  std::string prefix = output;
  std::string state_dir;
  if (IsDirectory(output) || (!output.empty() && output.back() == '/')) {
    state_dir = output;
    prefix = (fs::path(output) / BaseName(source.path)).string();
  } else if (constexpr std::string_view kIndex = ".index"; output.ends_with(kIndex)) {
    // `-o P.index` names the index file of prefix P, as an input path may; without this
    // the output would be `P.index.index` and escape the same-as-input check.
    prefix = output.substr(0, output.size() - kIndex.size());
  }
  const bool same = Canonical(prefix) == Canonical(source.path);
  if (same && !o.in_place) {
    return Status::InvalidArgument(prefix +
                                   ": output is the input checkpoint; pass --in-place "
                                   "to replace it (it is swapped in only when complete)");
  }
  const std::string target = o.to_format.empty() ? FamilyOf(source.format) : o.to_format;
  const bool transformed = AnyBytesTransformed(store);
  if (same && transformed && target == "tf_bundle") {
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
  if (target == "safetensors") return WriteSafetensorsOutput(source, store, output, o);
  if (target == "pytorch") {
    std::string path = output;
    if (IsDirectory(output) || (!output.empty() && output.back() == '/')) {
      // Hugging Face names (pytorch_model.bin, its shards) stay .bin.
      const bool hf = EndsWith(source.path, ".bin") || EndsWith(source.path, ".bin.index.json");
      path = (fs::path(output) / (SafetensorsStem(source.path) + (hf ? ".bin" : ".pt"))).string();
    }
    if (Canonical(path) == Canonical(source.path) && !o.in_place) {
      return Status::InvalidArgument(path + ": output is the input checkpoint; pass --in-place");
    }
    pytorch::WriteOptions po;
    if (!o.max_shard_size.empty()) {
      auto size = ParseSize(o.max_shard_size);
      if (!size.ok()) return size.status();
      po.max_shard_size = *size;
    }
    auto files = pytorch::WritePyTorch(source, store, path, po);
    if (!files.ok()) return files.status();
    result.output = path;
    result.files = std::move(files).value();
    // A sharded set is opened through its index: that is the path to report.
    for (const std::string& f : result.files) {
      if (EndsWith(f, ".index.json")) result.output = f;
    }
    return result;
  }
  if (target == "keras_h5") {
    std::string path = output;
    if (IsDirectory(output) || (!output.empty() && output.back() == '/')) {
      // A .keras archive stays one (the Keras writer gives other names HDF5).
      const char* ext = source.format == "keras_zip" ? ".keras" : ".h5";
      path = (fs::path(output) / (SafetensorsStem(source.path) + ext)).string();
    }
    if (Canonical(path) == Canonical(source.path) && !o.in_place) {
      return Status::InvalidArgument(path +
                                     ": output is the input checkpoint; pass --in-place "
                                     "to replace it (it is swapped in only when complete)");
    }
    std::vector<std::string> notes;
    auto files = WriteKerasH5(source, store, path, &notes);
    if (!files.ok()) return files.status();
    result.output = path;
    result.files = std::move(files).value();
    result.notes.insert(result.notes.end(), notes.begin(), notes.end());
    return result;
  }
  if (target != "tf_bundle") {
    return Status::NotSupported("writing " + target + " is not supported yet");
  }
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
    RESCOPE_RETURN_IF_ERROR(WriteStateFile(state_dir, BaseName(source.path)));
    result.files.push_back((fs::path(state_dir) / "checkpoint").string());
  }
  return result;
}

}  // namespace rescope::cli
