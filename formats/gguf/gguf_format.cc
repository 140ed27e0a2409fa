// SPDX-License-Identifier: Apache-2.0
// GGUF's row of the format table (formats/format_table.h).
#include <spdlog/spdlog.h>

#include "formats/format_table.h"
#include "formats/gguf/gguf_metadata_edit.h"
#include "formats/gguf/gguf_reader.h"
#include "formats/gguf/gguf_split_name.h"
#include "formats/gguf/gguf_writer.h"

namespace rescope {
namespace {

Result<Checkpoint> Open(const std::string& path, const OpenOptions&) {
  return gguf::OpenGguf(path);
}

std::string SameFormatFileName(const Checkpoint& source) {
  return CheckpointStem(source.path) + ".gguf";
}

// "00003": a part count as llama.cpp's part names spell it.
std::string SplitCountDigits(size_t count) {
  const std::string name = gguf::SplitPartPath("", 1, count);  // "-00001-of-00003.gguf"
  return name.substr(10, name.size() - 15);
}

// The output's metadata: a GGUF source's, after the user's --set/--delete-key edits.
Result<std::vector<gguf::KeyValue>> OutputMetadata(const Checkpoint& source,
                                                   const MetadataEdits& edits) {
  std::vector<gguf::KeyValue> metadata = gguf::SourceMetadata(source);
  RESCOPE_RETURN_IF_ERROR(gguf::ApplyMetadataEdits(metadata, edits));
  return metadata;
}

Status CheckMetadataEdits(const Checkpoint& source, const MetadataEdits& edits) {
  return OutputMetadata(source, edits).status();
}

Result<FormatWriteResult> Write(const Checkpoint& source, const TensorStore& store,
                                const std::string& path, const FormatWriteRequest& request) {
  RESCOPE_ASSIGN_OR_RETURN(const std::vector<gguf::KeyValue> metadata,
                           OutputMetadata(source, request.metadata_edits));
  RESCOPE_ASSIGN_OR_RETURN(std::vector<std::string> files,
                           gguf::WriteGguf(source, store, path, metadata,
                                           {.max_part_bytes = request.max_shard_size,
                                            .replaces_input = request.same_as_input}));
  FormatWriteResult result;
  result.output = files.front();  // a split set is opened through its first part
  const auto* state = dynamic_cast<const gguf::GgufState*>(source.state.get());
  if (state != nullptr && state->headers.size() > 1 && files.size() == 1) {
    // On stderr, as a warning: the output has another shape than the input.
    spdlog::warn(
        "{}: the {} parts of the split set {} are merged into this one file (their "
        "split.* keys left out); name the output <name>-00001-of-{}.gguf to keep the "
        "parts",
        files.front(), state->headers.size(), source.path, SplitCountDigits(state->headers.size()));
  }
  result.files = std::move(files);
  return result;
}

}  // namespace

// No `why_not_writable`: gguf::WriteGguf refuses, before writing anything, every tensor GGUF
// has no type for (naming each), instead of convert leaving them out with a note: a GGUF
// loader finds tensors by name and a missing one fails late.
const FormatDescriptor& GgufFormat() {
  static const FormatDescriptor kFormat{
      .name = "gguf",
      .display_name = "GGUF",
      .variants = {{"gguf", "GGUF"}},
      .name_separator = '.',
      .sniff_file = gguf::SniffGguf,
      .name_hints = {".gguf"},
      .open = Open,
      .writer =
          {
              .output_suffixes = {".gguf"},
              .directory_file_name = "model.gguf",
              .same_format_file_name = SameFormatFileName,
              .output_help = ".gguf (split: NAME-00001-of-0000N.gguf, --max-shard-size)",
              .shards_by_size = true,
              .check_metadata_edits = CheckMetadataEdits,
              .write = Write,
          },
      .capabilities =
          {
              .checksums = "",
              .dtypes = "F32, F16, BF16, F64, I8-I64 and GGML block-quantized types",
              .metadata = true,
              .ggml_blocks = true,
          },
  };
  return kFormat;
}

}  // namespace rescope
