// SPDX-License-Identifier: Apache-2.0
// TensorFlow's row of the format table (formats/format_table.h): tensor bundles, and V1
// checkpoints, which are read through the same path resolution and written as bundles.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>

#include "core/values/tensor_transform.h"
#include "formats/atomic_output.h"
#include "formats/format_table.h"
#include "formats/mapped_file.h"
#include "formats/name_table_writer.h"
#include "formats/tf_bundle/checkpoint_path.h"
#include "formats/tf_bundle/tf_bundle_reader.h"
#include "formats/tf_bundle/tf_bundle_writer.h"
#include "formats/tf_v1/tf_v1_reader.h"

namespace rescope {
namespace {
namespace fs = std::filesystem;

constexpr std::string_view kStateFile = "checkpoint";

Result<Checkpoint> Open(const std::string& path, const OpenOptions& options) {
  auto resolved = tfbundle::ResolveCheckpointPath(path, {options.step});
  if (!resolved.ok()) return resolved.status();
  if (resolved->kind == tfbundle::ResolvedPath::Kind::kV1) {
    return tfv1::OpenTfV1(resolved->prefix, resolved->v1_files);
  }
  return tfbundle::OpenTfBundle(resolved->prefix);
}

// TF prefixes as Saver, Estimators, tf.train.Checkpoint and Keras write them:
// model.ckpt, model.ckpt-1000, cp-0005.ckpt, weights.tf, P.index, P.data-00000-of-00001.
bool ClaimsOutputName(const std::string& base_name) {
  static const std::regex tf_re(R"(.*(\.ckpt(-\d+)?|\.tf|\.index|\.data-\d{5,}-of-\d{5,}))");
  return std::regex_match(base_name, tf_re);
}

// A renamed model.ckpt-1000 keeps its step.
std::string SameFormatFileName(const Checkpoint& source) {
  const std::string base = fs::path(source.path).filename().string();
  return base.empty() ? "ckpt" : base;
}

// `-o P.index` names the index file of prefix P, as an input path may; without this the
// output would be `P.index.index` and escape the same-as-input check.
std::string OutputPath(const std::string& path) {
  constexpr std::string_view kIndex = ".index";
  return path.ends_with(kIndex) ? path.substr(0, path.size() - kIndex.size()) : path;
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
  const std::string final_path = (fs::path(dir) / kStateFile).string();
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

// Mirrors tfbundle::WriteTfBundle's choice of its pass-through (whole-shard) writer.
bool WritesByShardCopy(const Checkpoint& source, const TensorStore& store,
                       const FormatWriteRequest& request) {
  if (source.format != "tf_bundle" || request.compact) return false;
  return std::none_of(store.begin(), store.end(),
                      [](const auto& item) { return item.second.bytes_transformed; });
}

// What no tensor-bundle write may do in place, store or name table alike.
Status CheckInPlace(const std::string& prefix, const FormatWriteRequest& request,
                    bool transformed) {
  if (!request.same_as_input) return Status::Ok();
  if (transformed) {
    // Transformed values force a new data shard, with the same hazard as --compact below.
    return Status::InvalidArgument(
        prefix +
        ": --in-place cannot be combined with value transforms (transpose/permute): "
        "the data shard would be replaced before the index, so a run stopped "
        "half-way would destroy the input; write to a new prefix instead");
  }
  if (request.compact) {
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
  if (request.link_data) {
    return Status::InvalidArgument("--in-place with --link-data would link files to themselves");
  }
  return Status::Ok();
}

tfbundle::WriteOptions BundleWriteOptions(const FormatWriteRequest& request) {
  tfbundle::WriteOptions options;
  options.compact = request.compact;
  options.link_data = request.link_data;
  options.index_compression =
      request.index_compression == "none"     ? tfbundle::IndexCompression::kNone
      : request.index_compression == "snappy" ? tfbundle::IndexCompression::kSnappy
                                              : tfbundle::IndexCompression::kKeep;
  return options;
}

FormatWriteResult ResultOf(const Checkpoint& source, const std::string& prefix,
                           const tfbundle::WriteReport& report) {
  FormatWriteResult result;
  if (source.format == "tf_v1") result.notes.push_back("V1 input written as a V2 tensor bundle");
  result.output = prefix;
  result.files = report.files;
  if (report.graph_rewritten) result.notes.push_back("TF2 object graph rewritten");
  return result;
}

Result<FormatWriteResult> Write(const Checkpoint& source, const TensorStore& store,
                                const std::string& prefix, const FormatWriteRequest& request) {
  RESCOPE_RETURN_IF_ERROR(CheckInPlace(prefix, request, AnyBytesTransformed(store)));
  RESCOPE_ASSIGN_OR_RETURN(
      tfbundle::WriteReport report,
      tfbundle::WriteTfBundle(source, store, prefix, BundleWriteOptions(request)));
  return ResultOf(source, prefix, report);
}

bool WritesNameTable(const Checkpoint& source, const FormatWriteRequest& request) {
  return tfbundle::WritesNameTable(source, BundleWriteOptions(request));
}

Result<FormatWriteResult> WriteNameTable(const Checkpoint& source, const RenameTable& table,
                                         const std::string& prefix,
                                         const FormatWriteRequest& request) {
  RESCOPE_RETURN_IF_ERROR(CheckInPlace(prefix, request, /*transformed=*/false));
  RESCOPE_ASSIGN_OR_RETURN(
      tfbundle::WriteReport report,
      tfbundle::WriteTfBundle(source, table, prefix, BundleWriteOptions(request)));
  return ResultOf(source, prefix, report);
}

}  // namespace

const FormatDescriptor& TfBundleFormat() {
  static const FormatDescriptor kFormat{
      .name = "tf_bundle",
      .display_name = "TF tensor bundle",
      .variants = {{"tf_bundle", "TF tensor bundle"}, {"tf_v1", "TF V1 checkpoint"}},
      .name_separator = '/',
      .resolves_paths = true,
      .open = Open,
      .writer =
          {
              .claims_output_name = ClaimsOutputName,
              .takes_any_name = true,
              .bare_name_is_prefix = true,
              .directory_file_name = "model.ckpt",
              .same_format_file_name = SameFormatFileName,
              .output_help = "a prefix (model.ckpt, model.ckpt-1000, ckpt, P.index) or a directory",
              .output_path = OutputPath,
              .removes_stale_shards = true,
              .record_in_directory = UpdateStateFile,
              .state_file = kStateFile,
              .check = tfbundle::CheckTfBundleWrite,
              .writes_by_shard_copy = WritesByShardCopy,
              .write = Write,
          },
      .capabilities =
          {
              .checksums = "CRC32C of every tensor (V2 bundles)",
              .dtypes = "TensorFlow's numeric dtypes and strings",
              .strings = true,
              .partitioned = true,
              .object_graph = true,
          },
  };
  return kFormat;
}

const NameTableWriter& TfBundleNameTableWriter() {
  static const NameTableWriter kWriter{
      .accepts = WritesNameTable,
      .check = tfbundle::CheckTfBundleWrite,
      .write = WriteNameTable,
  };
  return kWriter;
}

}  // namespace rescope
