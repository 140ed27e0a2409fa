// SPDX-License-Identifier: Apache-2.0
// safetensors' row of the format table (formats/format_table.h).
#include "formats/format_table.h"
#include "formats/safetensors/safetensors_reader.h"
#include "formats/safetensors/safetensors_writer.h"

namespace rescope {
namespace {

constexpr std::string_view kIndexSuffix = ".safetensors.index.json";

Result<Checkpoint> Open(const std::string& path, const OpenOptions&) {
  return safetensors::OpenSafetensors(path);
}

std::string SameFormatFileName(const Checkpoint& source) {
  return CheckpointStem(source.path) + ".safetensors";
}

// An index name stands for its set: the writer takes the single file's name.
std::string OutputPath(const std::string& path) {
  if (!path.ends_with(kIndexSuffix)) return path;
  return path.substr(0, path.size() - kIndexSuffix.size()) + ".safetensors";
}

Result<FormatWriteResult> Write(const Checkpoint& source, const TensorStore& store,
                                const std::string& path, const FormatWriteRequest& request) {
  safetensors::WriteOptions options;
  // transformers' save_pretrained writes it, and its loader refuses files without it.
  options.default_metadata = {{"format", "pt"}};
  options.max_shard_size = request.max_shard_size;
  RESCOPE_ASSIGN_OR_RETURN(std::vector<std::string> files,
                           safetensors::WriteSafetensors(source, store, path, options));
  return WrittenFileSet(path, std::move(files));
}

}  // namespace

const FormatDescriptor& SafetensorsFormat() {
  static const FormatDescriptor kFormat{
      .name = "safetensors",
      .display_name = "safetensors",
      .variants = {{"safetensors", "safetensors"}},
      .name_separator = '.',
      .sniff_file = safetensors::SniffSafetensors,
      .name_hints = {".safetensors"},
      .sniff_directory = safetensors::SniffSafetensors,
      .open = Open,
      .writer =
          {
              .output_suffixes = {kIndexSuffix, ".safetensors"},
              .directory_file_name = "model.safetensors",
              .same_format_file_name = SameFormatFileName,
              .output_help = ".safetensors (sharded: --max-shard-size)",
              .copies_model_config = true,
              .shards_by_size = true,
              .output_path = OutputPath,
              .why_not_writable = safetensors::WhyNotWritable,
              .write = Write,
          },
      .capabilities =
          {
              .checksums = "",
              .dtypes = "bool, (u)int8-64, F16, BF16, F32, F64, C64, 8-bit and 4-bit floats",
              .metadata = true,
          },
  };
  return kFormat;
}

}  // namespace rescope
