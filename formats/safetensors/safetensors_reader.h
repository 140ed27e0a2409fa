// SPDX-License-Identifier: Apache-2.0
// Reader for safetensors checkpoints: a single `.safetensors` file, or a sharded set named by
// its `<stem>.safetensors.index.json` (FORMATS.md §6; index format in safetensors_index.h).
//
// Opening maps each file and parses only its header; tensor entries point into the mapped
// files (data_offset = 8 + header length + BEGIN) and their bytes are read only when a
// command asks for them. Every header is fully validated (safetensors_header.h). In a
// sharded set, a shard file that is missing is not an error: the tensors the index maps
// to it are listed with dtype kInvalid, no data and a data_error.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/store/tensor_store.h"
#include "formats/safetensors/safetensors_header.h"

namespace rescope::safetensors {

inline constexpr char kFormatName[] = "safetensors";

// One safetensors file of an opened checkpoint.
struct SourceFile {
  std::string path;
  std::shared_ptr<const ByteSource> data;  // null when the file is missing
  Header header;                           // empty when the file is missing
};

// What the writer needs from an opened safetensors checkpoint.
struct SafetensorsState : FormatState {
  std::vector<SourceFile> files;  // the single file, or the shards in index order
  std::string index_path;         // empty for a single file
  // The index's `metadata` members (key, compact JSON text), in file order.
  std::vector<std::pair<std::string, std::string>> index_metadata;

  bool sharded() const { return !index_path.empty(); }
};

// True if `path` looks like safetensors without parsing the whole header: a file whose
// first 8 bytes are a little-endian header length that fits in the file and the 100 MB
// limit, followed (after optional JSON whitespace) by '{'; a file named
// *.safetensors.index.json; or a directory that ResolveSafetensorsDirectory accepts.
bool SniffSafetensors(const std::string& path);

// Picks the checkpoint inside a directory: its only *.safetensors.index.json, or, when it
// has no index, its only *.safetensors file. Errors (kNotFound / kInvalidArgument) list
// what was found.
Result<std::string> ResolveSafetensorsDirectory(const std::string& dir);

// Opens a safetensors file, an index json (any name ending in ".json"), or a directory
// holding one (see ResolveSafetensorsDirectory). The Checkpoint has format "safetensors",
// properties "shards", "header length" (single file), "metadata.<key>" for each
// `__metadata__` member and "index metadata.<key>" for the index's metadata.
Result<Checkpoint> OpenSafetensors(const std::string& path);

// Opens one safetensors file from an already-open source (tests, fuzzing).
Result<Checkpoint> OpenSafetensorsSource(std::shared_ptr<const ByteSource> file);

}  // namespace rescope::safetensors
