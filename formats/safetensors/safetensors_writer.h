// SPDX-License-Identifier: Apache-2.0
// Writer for safetensors files and sharded sets, laid out like the reference writer
// (FORMATS.md §6.4): tensors sorted by dtype (widest first, in the reference enum's order)
// then by name, compact header JSON padded with spaces to a multiple of 8, `__metadata__`
// first. A safetensors file read and written back unchanged comes out byte for byte.
//
// Two ways to produce an output file:
//  * pass-through: the output file holds exactly the tensors of one source safetensors file
//    (renamed or not, same bytes): only the header is rewritten, keeping the source's data
//    order and offsets, and the data area is copied in-kernel (copy_file_range);
//  * streaming: tensors are laid out in reference order and their bytes streamed from
//    wherever the store says they are.
// Every file is written under a temporary name and renamed into place only when all are
// complete; a sharded set's index is renamed last.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/store/tensor_store.h"

namespace rescope::safetensors {

struct WriteOptions {
  // Start a new shard before a tensor that would take the current one past this many tensor
  // bytes (Hugging Face's split_state_dict_into_shards rule; a larger tensor gets a shard of
  // its own). 0 = no size-based split.
  uint64_t max_shard_size = 0;
  // Extra `__metadata__` members; they replace source members with the same key.
  std::map<std::string, std::string> metadata;
  // Keep the `__metadata__` of a safetensors source (and its index metadata).
  bool keep_source_metadata = true;
  // `__metadata__` written when neither the source nor `metadata` gives any (the CLI passes
  // {"format": "pt"}, as transformers' save_pretrained writes: it refuses files without it).
  std::map<std::string, std::string> default_metadata;
  // With max_shard_size 0, a sharded safetensors source keeps its tensor-to-shard layout
  // (so renaming a sharded set gives a sharded set); false writes one file.
  bool keep_source_shards = true;
};

// Why `entry` cannot be written as a safetensors tensor (its dtype has no safetensors
// equivalent, it is a partitioned variable or slice, its byte size does not match the
// safetensors packing, its name is not UTF-8 or is "__metadata__"), or nullopt when it can.
std::optional<std::string> WhyNotWritable(const TensorEntry& entry);

// Writes `store` as safetensors at `path`, which must end in ".safetensors". When the
// tensors are split over several shards the files are "<stem>-00001-of-00003.safetensors"
// ... plus "<stem>.safetensors.index.json" in the same directory (created if needed);
// when they fit in one, the single file `path` is written and no index. `source` is the
// checkpoint the store came from (entries carry their original names in source_name).
// Returns the paths written, index last. Errors: kNotSupported listing every tensor that
// cannot be carried (see WhyNotWritable) before anything is written; kNotFound for a tensor
// without data; kIOError from the file system.
Result<std::vector<std::string>> WriteSafetensors(const Checkpoint& source,
                                                  const TensorStore& store, const std::string& path,
                                                  const WriteOptions& options);

}  // namespace rescope::safetensors
