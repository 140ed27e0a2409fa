// SPDX-License-Identifier: Apache-2.0
// Output path handling and writer dispatch, asking the format table (formats/format_table.h).
#include "cli/write_checkpoint.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <set>
#include <string_view>
#include <utility>

#include "cli/cli_common.h"
#include "cli/created_directories.h"
#include "cli/model_config_copy.h"
#include "cli/stored_checksums.h"
#include "formats/format_table.h"
#include "formats/mapped_file.h"
#include "formats/name_table_writer.h"

namespace rescope::cli {
namespace fs = std::filesystem;
namespace {

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
  const FormatDescriptor* family = FormatOfCheckpoint(format);
  return family ? std::string(family->name) : format;
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

// "outputs are:" and what each takes, for errors about output names.
std::string OutputFormatList() {
  std::string list;
  for (const FormatDescriptor* f : WritableFormats()) {
    std::string name(f->name);
    name.resize(std::max<size_t>(name.size(), 11), ' ');
    list += "\n  " + name + "  " + std::string(f->writer.output_help);
  }
  return list;
}

// The name a checkpoint gets inside a directory output: the input's own name when the
// format stays (a renamed model.ckpt-1000 keeps its step), else the name the target
// framework saves under.
std::string FileInDirectory(const Checkpoint& source, const FormatDescriptor& target) {
  if (FamilyOf(source.format) != target.name || !target.writer.same_format_file_name) {
    return std::string(target.writer.directory_file_name);
  }
  return target.writer.same_format_file_name(source);
}

}  // namespace

OutputName ClassifyOutputName(const std::string& output) {
  if (IsDirectory(output) || (!output.empty() && output.back() == '/')) {
    return OutputName::kDirectory;
  }
  const std::string base = fs::path(output).filename().string();
  // Every extension a format claims has a dot.
  if (base.find('.') == std::string::npos) return OutputName::kBare;
  return FormatNamedBy(base) ? OutputName::kFormat : OutputName::kUnknown;
}

Result<std::string> ResolveOutputFormat(const std::string& output, const std::string& requested,
                                        const std::string& input_family) {
  const OutputName kind = ClassifyOutputName(output);
  const FormatDescriptor* named =
      kind == OutputName::kFormat ? FormatNamedBy(fs::path(output).filename().string()) : nullptr;
  std::string target = requested.empty() ? input_family : requested;
  const std::string why = !requested.empty() ? "--to " + requested
                                             : "rename writes the input's format (" + target +
                                                   "); use `rescope convert` to change it";
  // Some formats (TF prefixes, torch.save files) take any name once chosen (by --to, or by
  // rename keeping the input's); a name alone must say its format.
  const FormatDescriptor* chosen = FindFormat(target);
  const bool any_name = chosen != nullptr && chosen->writer.takes_any_name;
  if (kind == OutputName::kUnknown && !any_name) {
    const std::string_view fallback = DefaultOutputFormat().name;
    return Status::InvalidArgument(
        output + ": the extension names no format rescope writes" +
        (target.empty() ? "" : " as " + target) + "; outputs are:" + OutputFormatList() +
        (requested.empty() && input_family.empty()
             ? "\n(a TF bundle may take any name: pass --to " + std::string(fallback) + ")"
             : ""));
  }
  if (target.empty()) target = named ? named->name : DefaultOutputFormat().name;
  chosen = FindFormat(target);
  // PyTorch Lightning saves torch.save files as `.ckpt`: such names are no conflict.
  const bool shared_name = named != nullptr && chosen != nullptr &&
                           std::ranges::find(chosen->writer.shares_names_with, named->name) !=
                               chosen->writer.shares_names_with.end();
  if (named != nullptr && named->name != target && !shared_name) {
    return Status::InvalidArgument(output + ": the name says " + std::string(named->name) +
                                   ", but " + why + "; outputs are:" + OutputFormatList());
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
      "safetensors/pytorch/GGUF output: split into shards of at most this size (5GB, 500MiB)");
  AddIgnoreChecksumsFlag(app, o.ignore_checksums);
}

namespace {

// The target's descriptor: --to, else the input's family. Null for a format rescope does
// not know (WriteCheckpointFiles says so).
const FormatDescriptor* TargetFormat(const Checkpoint& source, const WriteCheckpointOptions& o) {
  return FindFormat(o.to_format.empty() ? FamilyOf(source.format) : o.to_format);
}

FormatWriteRequest WriteRequest(const WriteCheckpointOptions& o) {
  FormatWriteRequest request;
  request.compact = o.compact;
  request.metadata_edits = o.metadata_edits;
  request.link_data = o.link_data;
  request.index_compression = o.index_compression;
  return request;
}

bool WritesByShardCopy(const Checkpoint& source, const TensorStore& store,
                       const WriteCheckpointOptions& o) {
  const FormatDescriptor* target = TargetFormat(source, o);
  return target != nullptr && target->writer.writes_by_shard_copy != nullptr &&
         target->writer.writes_by_shard_copy(source, store, WriteRequest(o));
}

// --set/--delete-key: refused unless the target takes them.
Status CheckMetadataEdits(const FormatDescriptor& target, const Checkpoint& source,
                          const WriteCheckpointOptions& o) {
  if (o.metadata_edits.empty()) return Status::Ok();
  if (target.writer.check_metadata_edits == nullptr) {
    return Status::InvalidArgument(
        "--set and --delete-key edit metadata of formats that have typed metadata keys "
        "(GGUF); the output is " +
        std::string(target.name));
  }
  return target.writer.check_metadata_edits(source, o.metadata_edits);
}

}  // namespace

Status CheckCheckpointWrite(const Checkpoint& source, const TensorStore& store,
                            const WriteCheckpointOptions& o) {
  const FormatDescriptor* target = TargetFormat(source, o);
  if (target == nullptr) return Status::Ok();
  RESCOPE_RETURN_IF_ERROR(CheckMetadataEdits(*target, source, o));
  if (target->writer.check == nullptr) return Status::Ok();
  return target->writer.check(source, store);
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
      if (e.bytes_transformed) transformed_sources.insert(e.SourceName());
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

namespace {

// What WriteCheckpointFiles asks of the format's writer once the output path is settled:
// write the renamed store, or the name table, to `path`.
using WriteFn = std::function<Result<FormatWriteResult>(
    const FormatWriter& writer, const std::string& path, const FormatWriteRequest& request)>;

Result<WrittenCheckpoint> WriteFilesWith(const Checkpoint& source, const std::string& output,
                                         const WriteCheckpointOptions& o, const WriteFn& write) {
  auto resolved =
      ResolveOutputFormat(output, o.to_format, o.to_format.empty() ? FamilyOf(source.format) : "");
  if (!resolved.ok()) return resolved.status();
  const FormatDescriptor* target = FindFormat(*resolved);
  if (target == nullptr || !target->writable()) {
    return Status::NotSupported("writing " + *resolved + " is not supported yet");
  }
  const FormatWriter& writer = target->writer;
  const OutputName kind = ClassifyOutputName(output);
  // A bare name is a prefix for formats that have prefixes; for others it can only be a
  // directory.
  const bool into_directory =
      kind == OutputName::kDirectory || (kind == OutputName::kBare && !writer.bare_name_is_prefix);
  const std::string path =
      into_directory ? (fs::path(output) / FileInDirectory(source, *target)).string() : output;
  if (into_directory && !writer.bare_name_is_prefix) {
    std::error_code ec;
    fs::create_directories(output, ec);  // removed again on failure (CreatedDirectories)
    if (ec) return Status::IOError(output + ": cannot create directory: " + ec.message());
  } else if (const fs::path parent = fs::path(path).parent_path(); !parent.empty()) {
    // Every writer gets its directory, as the TF bundle and safetensors writers always had.
    std::error_code ec;
    fs::create_directories(parent, ec);  // removed again on failure (CreatedDirectories)
    if (ec) return Status::IOError(parent.string() + ": cannot create directory: " + ec.message());
  }
  // The Hugging Face layout: the model's config.json goes along with its weights.
  std::optional<std::string> config;
  if (writer.copies_model_config && into_directory) {
    RESCOPE_ASSIGN_OR_RETURN(config, ModelConfigToCopy(source, output));
  }
  const std::string written_path = writer.output_path ? writer.output_path(path) : path;
  FormatWriteRequest request = WriteRequest(o);
  request.same_as_input = CanonicalPath(written_path) == CanonicalPath(source.path);
  if (request.same_as_input && !o.in_place) return RefuseSameAsInput(written_path);
  if (writer.shards_by_size) {
    RESCOPE_ASSIGN_OR_RETURN(request.max_shard_size, MaxShardBytes(o));
  }
  RESCOPE_ASSIGN_OR_RETURN(FormatWriteResult report, write(writer, written_path, request));
  WrittenCheckpoint result{std::move(report.output), std::move(report.files),
                           std::move(report.notes)};
  if (request.same_as_input && writer.removes_stale_shards) RemoveStaleShards(source, result.files);
  if (config) {
    RESCOPE_ASSIGN_OR_RETURN(std::string copied, CopyModelConfig(*config, output));
    result.files.push_back(std::move(copied));
  }
  if (into_directory && writer.record_in_directory) {
    RESCOPE_ASSIGN_OR_RETURN(
        bool recorded,
        writer.record_in_directory(output, fs::path(written_path).filename().string()));
    if (recorded) {
      result.files.push_back((fs::path(output) / std::string(writer.state_file)).string());
    }
  }
  return result;
}

}  // namespace

Result<WrittenCheckpoint> WriteCheckpointFiles(const Checkpoint& source, const TensorStore& store,
                                               const std::string& output,
                                               const WriteCheckpointOptions& o) {
  return WriteFilesWith(
      source, output, o,
      [&](const FormatWriter& writer, const std::string& path, const FormatWriteRequest& request) {
        return writer.write(source, store, path, request);
      });
}

namespace {

// The name-table writer of the output's format when it takes this request, else null.
const NameTableWriter* NameTableWriterFor(const Checkpoint& source,
                                          const WriteCheckpointOptions& o) {
  const FormatDescriptor* target = TargetFormat(source, o);
  const NameTableWriter* writer = target ? FindNameTableWriter(target->name) : nullptr;
  return writer != nullptr && writer->accepts(source, WriteRequest(o)) ? writer : nullptr;
}

Status NoNameTableWriter() {
  return Status::InvalidArgument("the output format does not take a rename as a name table");
}

}  // namespace

bool WritesNameTable(const Checkpoint& source, const WriteCheckpointOptions& o) {
  return NameTableWriterFor(source, o) != nullptr;
}

Status CheckCheckpointWrite(const Checkpoint& source, const RenameTable& table,
                            const WriteCheckpointOptions& o) {
  const NameTableWriter* writer = NameTableWriterFor(source, o);
  if (writer == nullptr) return NoNameTableWriter();
  RESCOPE_RETURN_IF_ERROR(CheckMetadataEdits(*TargetFormat(source, o), source, o));
  return writer->check(source, table);
}

Result<WrittenCheckpoint> WriteCheckpoint(const Checkpoint& source, const RenameTable& table,
                                          const std::string& output,
                                          const WriteCheckpointOptions& o) {
  RESCOPE_RETURN_IF_ERROR(CheckCheckpointWrite(source, table, o));
  // No stored-checksum pass: a writer that takes a name table keeps the source's bytes
  // where they are (whole shards copied or linked with their stored CRCs), as
  // WritesByShardCopy does for a store.
  CreatedDirectories created(output);
  const NameTableWriter* writer = NameTableWriterFor(source, o);
  auto written = WriteFilesWith(
      source, output, o,
      [&](const FormatWriter&, const std::string& path, const FormatWriteRequest& request) {
        return writer->write(source, table, path, request);
      });
  if (written.ok()) created.Keep();
  return written;
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
