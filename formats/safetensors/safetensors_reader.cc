// SPDX-License-Identifier: Apache-2.0
// Opening safetensors files and sharded sets into a Checkpoint.
#include "formats/safetensors/safetensors_reader.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "formats/mapped_file.h"
#include "formats/safetensors/safetensors_index.h"

namespace rescope::safetensors {
namespace {

namespace fs = std::filesystem;

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

TensorEntry MakeEntry(const SourceFile& file, const HeaderTensor& t, int32_t shard) {
  TensorEntry e;
  e.name = t.name;
  e.SetSourceName(t.name);
  e.dtype = t.dtype->dtype;
  e.shape = t.shape;
  e.byte_size = t.end - t.begin;
  e.data = file.data;
  e.data_offset = file.header.DataStart() + t.begin;
  e.shard = shard;
  return e;
}

Status AddEntries(const SourceFile& file, int32_t shard, Checkpoint& ckpt) {
  for (const HeaderTensor& t : file.header.tensors) {
    TensorEntry e = MakeEntry(file, t, shard);
    if (shard >= 0)
      e.mutable_notes().emplace_back("shard", fs::path(file.path).filename().string());
    RESCOPE_RETURN_IF_ERROR(ckpt.store.Add(std::move(e)).WithContext(file.path));
  }
  return Status::Ok();
}

void AddMetadataProperties(const SourceFile& file, const Metadata* first, Checkpoint& ckpt) {
  if (!file.header.metadata) return;
  for (const auto& [k, v] : *file.header.metadata) {
    if (first == nullptr) {
      ckpt.properties.emplace_back("metadata." + k, v);
      continue;
    }
    // Later shards: show only what differs from the first shard's metadata.
    const bool same = std::find(first->begin(), first->end(), std::pair{k, v}) != first->end();
    if (!same) {
      ckpt.properties.emplace_back(
          "metadata." + k + " (" + fs::path(file.path).filename().string() + ")", v);
    }
  }
}

Result<SourceFile> OpenFile(const std::string& path) {
  RESCOPE_ASSIGN_OR_RETURN(std::shared_ptr<MappedFile> mapped, MappedFile::Open(path));
  SourceFile file;
  file.path = path;
  RESCOPE_ASSIGN_OR_RETURN(file.header, ParseHeader(*mapped));
  file.data = std::move(mapped);
  return file;
}

// Checks that the index and the shard headers agree on where every tensor lives.
Status CrossCheck(const std::string& index_path, const ShardIndex& index,
                  const std::vector<SourceFile>& files) {
  std::map<std::string, std::string, std::less<>> where(index.weight_map.begin(),
                                                        index.weight_map.end());
  for (size_t i = 0; i < files.size(); ++i) {
    const std::string& shard = index.shard_files[i];
    if (!files[i].data) continue;
    std::set<std::string_view> present;
    for (const HeaderTensor& t : files[i].header.tensors) {
      present.insert(t.name);
      auto it = where.find(t.name);
      if (it == where.end()) {
        return Status::Corruption(files[i].path + ": tensor \"" + t.name + "\" is not in " +
                                  index_path + " weight_map");
      }
      if (it->second != shard) {
        return Status::Corruption(files[i].path + ": tensor \"" + t.name + "\" is mapped to \"" +
                                  it->second + "\" in " + index_path + " weight_map");
      }
    }
    for (const auto& [tensor, file] : index.weight_map) {
      if (file == shard && !present.count(tensor)) {
        return Status::Corruption(index_path + ": weight_map: \"" + tensor + "\" is mapped to \"" +
                                  shard + "\", which has no such tensor");
      }
    }
  }
  return Status::Ok();
}

// Entries of a shard that is not on disk: names from the index, nothing else known.
Status AddMissing(const ShardIndex& index, size_t shard, const std::string& path,
                  Checkpoint& ckpt) {
  for (const auto& [tensor, file] : index.weight_map) {
    if (file != index.shard_files[shard]) continue;
    TensorEntry e;
    e.name = tensor;
    e.shard = static_cast<int32_t>(shard);
    e.set_data_error("data shard missing: " + path);
    e.mutable_notes().emplace_back("shard", file);
    RESCOPE_RETURN_IF_ERROR(ckpt.store.Add(std::move(e)));
  }
  return Status::Ok();
}

std::string ShownJson(const std::string& json_text) {
  // A dumped string without backslashes has no escapes, so its text is between the quotes;
  // anything else is shown as JSON.
  if (json_text.size() >= 2 && json_text.front() == '"' &&
      json_text.find('\\') == std::string::npos) {
    return json_text.substr(1, json_text.size() - 2);
  }
  return json_text;
}

Result<Checkpoint> OpenIndex(const std::string& index_path) {
  RESCOPE_ASSIGN_OR_RETURN(std::shared_ptr<MappedFile> mapped, MappedFile::Open(index_path));
  if (mapped->size() > kMaxIndexSize) {
    return Status::NotSupported(index_path + ": index is " + std::to_string(mapped->size()) +
                                " bytes (limit " + std::to_string(kMaxIndexSize) + ")");
  }
  RESCOPE_ASSIGN_OR_RETURN(ShardIndex index,
                           ParseShardIndex(index_path, mapped->All().AsStringView()));
  auto state = std::make_shared<SafetensorsState>();
  state->index_path = index_path;
  state->index_metadata = index.metadata;
  Checkpoint ckpt;
  ckpt.format = kFormatName;
  ckpt.path = index_path;
  ckpt.files.push_back({index_path, "index", true, mapped->size()});
  const fs::path dir = fs::path(index_path).parent_path();
  const size_t n = index.shard_files.size();
  for (size_t i = 0; i < n; ++i) {
    const std::string path = (dir / index.shard_files[i]).string();
    SourceFile file;
    file.path = path;
    if (FileExists(path)) {
      RESCOPE_ASSIGN_OR_RETURN(file, OpenFile(path));
    }
    ckpt.files.push_back({path, "shard " + std::to_string(i) + " of " + std::to_string(n),
                          file.data != nullptr, file.data ? file.data->size() : 0});
    state->files.push_back(std::move(file));
  }
  RESCOPE_RETURN_IF_ERROR(CrossCheck(index_path, index, state->files));
  const Metadata* first_metadata = nullptr;
  ckpt.format_version = "safetensors (" + std::to_string(n) + " shards)";
  ckpt.properties.emplace_back("shards", std::to_string(n));
  for (const auto& [k, v] : index.metadata) {
    ckpt.properties.emplace_back("index metadata." + k, ShownJson(v));
  }
  for (size_t i = 0; i < n; ++i) {
    const SourceFile& file = state->files[i];
    if (!file.data) {
      RESCOPE_RETURN_IF_ERROR(AddMissing(index, i, file.path, ckpt));
      continue;
    }
    RESCOPE_RETURN_IF_ERROR(AddEntries(file, static_cast<int32_t>(i), ckpt));
    AddMetadataProperties(file, first_metadata, ckpt);
    if (first_metadata == nullptr && file.header.metadata) first_metadata = &*file.header.metadata;
  }
  ckpt.state = std::move(state);
  ckpt.store.set_separator(DottedNamesSeparator(ckpt.store));
  return ckpt;
}

// Files directly inside `dir` whose names end with `suffix`, sorted.
std::vector<std::string> ListBySuffix(const std::string& dir, std::string_view suffix) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (EndsWith(name, suffix) && entry.is_regular_file(ec)) out.push_back(entry.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string JoinNames(const std::vector<std::string>& paths) {
  std::string out;
  for (const std::string& p : paths) {
    if (!out.empty()) out += ", ";
    out += fs::path(p).filename().string();
  }
  return out;
}

}  // namespace

Result<std::string> ResolveSafetensorsDirectory(const std::string& dir) {
  const std::vector<std::string> indexes = ListBySuffix(dir, kIndexSuffix);
  if (indexes.size() == 1) return indexes[0];
  if (indexes.size() > 1) {
    return Status::InvalidArgument(dir + ": " + std::to_string(indexes.size()) +
                                   " safetensors index files (" + JoinNames(indexes) +
                                   "); name the one to open");
  }
  const std::vector<std::string> files = ListBySuffix(dir, ".safetensors");
  if (files.size() == 1) return files[0];
  if (files.empty()) return Status::NotFound(dir + ": no .safetensors file or index in directory");
  return Status::InvalidArgument(dir + ": " + std::to_string(files.size()) +
                                 " .safetensors files and no index (" + JoinNames(files) +
                                 "); name the one to open");
}

bool SniffSafetensors(const std::string& path) {
  if (IsDirectory(path)) return ResolveSafetensorsDirectory(path).ok();
  if (EndsWith(path, kIndexSuffix)) return FileExists(path);
  auto mapped = MappedFile::Open(path);
  if (!mapped.ok() || (*mapped)->size() < 9) return false;
  const ByteView all = (*mapped)->All();
  const uint64_t n = LoadLE64(all.data);
  if (n == 0 || n > kMaxHeaderSize || n > all.size - 8) return false;
  for (uint64_t i = 8; i < 8 + n; ++i) {
    const uint8_t c = all[i];
    if (c == '{') return true;
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return false;
  }
  return false;
}

Result<Checkpoint> OpenSafetensorsSource(std::shared_ptr<const ByteSource> data) {
  SourceFile file;
  file.path = data->name();
  RESCOPE_ASSIGN_OR_RETURN(file.header, ParseHeader(*data));
  file.data = std::move(data);
  Checkpoint ckpt;
  ckpt.format = kFormatName;
  ckpt.format_version = "safetensors";
  ckpt.path = file.path;
  ckpt.files.push_back({file.path, "weights", true, file.data->size()});
  ckpt.properties.emplace_back("shards", "1");
  ckpt.properties.emplace_back("header length", std::to_string(file.header.length));
  AddMetadataProperties(file, nullptr, ckpt);
  RESCOPE_RETURN_IF_ERROR(AddEntries(file, -1, ckpt));
  auto state = std::make_shared<SafetensorsState>();
  state->files.push_back(std::move(file));
  ckpt.state = std::move(state);
  ckpt.store.set_separator(DottedNamesSeparator(ckpt.store));
  return ckpt;
}

Result<Checkpoint> OpenSafetensors(const std::string& path) {
  std::string resolved = path;
  if (IsDirectory(path)) {
    RESCOPE_ASSIGN_OR_RETURN(resolved, ResolveSafetensorsDirectory(path));
  }
  if (EndsWith(resolved, ".json")) return OpenIndex(resolved);
  RESCOPE_ASSIGN_OR_RETURN(std::shared_ptr<MappedFile> mapped, MappedFile::Open(resolved));
  return OpenSafetensorsSource(std::move(mapped));
}

}  // namespace rescope::safetensors
