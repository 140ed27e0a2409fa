// SPDX-License-Identifier: Apache-2.0
// PyTorch's row of the format table (formats/format_table.h).
#include "formats/format_table.h"
#include "formats/pytorch/pytorch_reader.h"
#include "formats/pytorch/pytorch_writer.h"

namespace rescope {
namespace {

Result<Checkpoint> Open(const std::string& path, const OpenOptions& options) {
  return pytorch::OpenPyTorch(path, {options.lenient});
}

// A renamed pytorch_model.bin stays the file transformers looks for.
std::string SameFormatFileName(const Checkpoint& source) {
  const bool hugging_face =
      source.path.ends_with(".bin") || source.path.ends_with(".bin.index.json");
  return CheckpointStem(source.path) + (hugging_face ? ".bin" : ".pt");
}

Result<FormatWriteResult> Write(const Checkpoint& source, const TensorStore& store,
                                const std::string& path, const FormatWriteRequest& request) {
  pytorch::WriteOptions options;
  options.max_shard_size = request.max_shard_size;
  RESCOPE_ASSIGN_OR_RETURN(std::vector<std::string> files,
                           pytorch::WritePyTorch(source, store, path, options));
  return WrittenFileSet(path, std::move(files));
}

}  // namespace

const FormatDescriptor& PyTorchFormat() {
  static const FormatDescriptor kFormat{
      .name = "pytorch",
      .display_name = "PyTorch",
      .variants = {{"pytorch_zip", "PyTorch zip (torch.save)", "storage record",
                    "zip records (tensor storages and metadata)"},
                   {"pytorch_legacy", "PyTorch legacy (torch.save before 1.6)"}},
      .name_separator = '.',
      .sniff_file = pytorch::SniffPyTorch,
      .sniff_directory = pytorch::SniffPyTorch,
      .open = Open,
      .writer =
          {
              .output_suffixes = {".bin.index.json", ".bin", ".pt", ".pth"},
              .takes_any_name = true,
              // PyTorch Lightning saves torch.save files as `.ckpt`.
              .shares_names_with = {"tf_bundle"},
              .directory_file_name = "pytorch_model.bin",
              .same_format_file_name = SameFormatFileName,
              .output_help = ".pt .pth .bin (sharded: --max-shard-size)",
              .copies_model_config = true,
              .shards_by_size = true,
              .why_not_writable = pytorch::WhyNotWritable,
              .write = Write,
          },
      .capabilities =
          {
              .checksums = "zip CRC-32 of every storage record (zip files)",
              .dtypes = "bool, (u)int8-64, F16, BF16, F32, F64, complex, 8-bit floats",
              .metadata = true,
              .selectable = true,
          },
  };
  return kFormat;
}

}  // namespace rescope
