// SPDX-License-Identifier: Apache-2.0
// Hugging Face sharded PyTorch checkpoints: pytorch_model.bin.index.json plus its .bin shards
// (PYTORCH.md §7), merged into one Checkpoint.
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "formats/mapped_file.h"
#include "formats/pytorch/pytorch_reader.h"

namespace rescope::pytorch {

Result<Checkpoint> OpenPyTorchIndex(const std::string& index_path, const ReadOptions& options) {
  std::ifstream in(index_path, std::ios::binary);
  if (!in) return Status::NotFound(index_path + ": cannot open");
  std::stringstream text;
  text << in.rdbuf();
  nlohmann::json index = nlohmann::json::parse(text.str(), nullptr, false);
  if (index.is_discarded() || !index.is_object()) {
    return Status::Corruption(index_path + ": not a JSON object");
  }
  auto map_it = index.find("weight_map");
  if (map_it == index.end() || !map_it->is_object()) {
    return Status::Corruption(index_path + ": weight_map: missing or not an object");
  }
  const size_t slash = index_path.rfind('/');
  const std::string dir = slash == std::string::npos ? "" : index_path.substr(0, slash + 1);
  std::map<std::string, std::string> weight_map;  // tensor -> shard
  std::set<std::string> shards;
  for (auto it = map_it->begin(); it != map_it->end(); ++it) {
    if (!it.value().is_string()) {
      return Status::Corruption(index_path + ": weight_map." + it.key() + ": not a string");
    }
    const std::string shard = it.value().get<std::string>();
    if (shard.empty() || shard.find('/') != std::string::npos ||
        shard.find('\\') != std::string::npos || shard.find("..") != std::string::npos) {
      return Status::Corruption(index_path + ": weight_map." + it.key() + ": shard name '" + shard +
                                "' must be a bare file name");
    }
    if (shard.size() < 4 || shard.compare(shard.size() - 4, 4, ".bin") != 0) {
      return Status::Corruption(index_path + ": weight_map." + it.key() + ": shard '" + shard +
                                "' is not a .bin file");
    }
    weight_map[it.key()] = shard;
    shards.insert(shard);
  }
  Checkpoint merged;
  merged.path = index_path;
  merged.files.push_back({index_path, "index", true, FileSize(index_path).value_or(0)});
  int32_t shard_index = 0;
  std::map<std::string, std::string> found;  // tensor -> shard it was found in
  for (const std::string& shard : shards) {
    const std::string shard_path = dir + shard;
    const std::string role =
        "shard " + std::to_string(shard_index) + " of " + std::to_string(shards.size());
    if (!FileExists(shard_path)) {
      return Status::NotFound(index_path + ": shard " + shard + " does not exist");
    }
    RESCOPE_ASSIGN_OR_RETURN(Checkpoint part, OpenPyTorch(shard_path, options));
    if (merged.format.empty()) {
      merged.format = part.format;
      merged.format_version = part.format_version + ", " + std::to_string(shards.size()) +
                              " shards (" + index_path.substr(slash + 1) + ")";
    }
    merged.files.push_back({shard_path, role, true, FileSize(shard_path).value_or(0)});
    for (auto& prop : part.properties) {
      if (prop.first == "skipped")
        merged.properties.emplace_back(prop.first, shard + ": " + prop.second);
    }
    for (const auto& [name, entry] : part.store) {
      auto wm = weight_map.find(name);
      if (wm == weight_map.end()) {
        return Status::Corruption(shard_path + ": " + name +
                                  ": not listed in the index's "
                                  "weight_map");
      }
      if (wm->second != shard) {
        return Status::Corruption(shard_path + ": " + name + ": the index maps it to " +
                                  wm->second);
      }
      TensorEntry copy = entry;
      copy.shard = shard_index;
      RESCOPE_RETURN_IF_ERROR(merged.store.Add(std::move(copy)));
      found[name] = shard;
    }
    ++shard_index;
  }
  for (const auto& [name, shard] : weight_map) {
    if (found.count(name) == 0) {
      return Status::Corruption(index_path + ": weight_map." + name + ": not found in shard " +
                                shard);
    }
  }
  if (merged.format.empty()) merged.format = "pytorch_zip";
  merged.store.set_separator(DottedNamesSeparator(merged.store));
  merged.properties.emplace_back("shards", std::to_string(shards.size()));
  if (auto meta = index.find("metadata"); meta != index.end() && meta->is_object()) {
    if (auto ts = meta->find("total_size"); ts != meta->end() && ts->is_number_integer()) {
      merged.properties.emplace_back("index total_size", std::to_string(ts->get<int64_t>()));
    }
  }
  return merged;
}

}  // namespace rescope::pytorch
