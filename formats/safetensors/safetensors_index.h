// SPDX-License-Identifier: Apache-2.0
// The index of a sharded safetensors set, `<stem>.safetensors.index.json` as written by
// Hugging Face tools: {"metadata": {"total_size": N, ...}, "weight_map": {tensor: file}}.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/store/status.h"

namespace rescope::safetensors {

inline constexpr std::string_view kIndexSuffix = ".safetensors.index.json";
// Index files are JSON read whole into memory; refuse anything past this size.
inline constexpr uint64_t kMaxIndexSize = 256ull << 20;

struct ShardIndex {
  // `metadata` members in file order: key and the value as compact JSON text (a string
  // value keeps its quotes). Empty when the index has no `metadata`.
  std::vector<std::pair<std::string, std::string>> metadata;
  // tensor name -> shard file name (relative to the index's directory), sorted by name.
  std::vector<std::pair<std::string, std::string>> weight_map;
  // The distinct shard file names, sorted; a tensor's shard number is its file's position.
  std::vector<std::string> shard_files;
};

// Parses index JSON `text` read from `name` (used in messages). Requires an object with a
// `weight_map` object of strings; `metadata`, when present, must be an object. Shard file
// names must be relative paths without ".." components. Errors are kCorruption.
Result<ShardIndex> ParseShardIndex(const std::string& name, std::string_view text);

// Serializes an index like transformers' save_pretrained (Python json.dumps with indent=2,
// sort_keys=True, ASCII-only escapes, then "\n"). `metadata` values are JSON texts as in
// ShardIndex::metadata; `weight_map` need not be sorted. Fails only on metadata values that
// are not valid JSON.
Result<std::string> SerializeShardIndex(
    const std::vector<std::pair<std::string, std::string>>& metadata,
    const std::vector<std::pair<std::string, std::string>>& weight_map);

}  // namespace rescope::safetensors
