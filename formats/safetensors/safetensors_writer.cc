// SPDX-License-Identifier: Apache-2.0
// safetensors output: shard planning, reference-order layout or header-only pass-through.
#include "formats/safetensors/safetensors_writer.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <set>
#include <unordered_map>

#include "formats/atomic_output.h"
#include "formats/mapped_file.h"
#include "formats/safetensors/safetensors_header.h"
#include "formats/safetensors/safetensors_index.h"
#include "formats/safetensors/safetensors_reader.h"
#include "formats/unwritable_tensors.h"

namespace rescope::safetensors {
namespace {

namespace fs = std::filesystem;

struct OutTensor {
  const TensorEntry* entry;
  const DtypeInfo* dtype;
};
using Group = std::vector<OutTensor>;

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

Result<std::string> OutputStem(const std::string& path) {
  if (EndsWith(path, kIndexSuffix)) return path.substr(0, path.size() - kIndexSuffix.size());
  constexpr std::string_view kExt = ".safetensors";
  if (EndsWith(path, kExt) && path.size() > kExt.size() &&
      path[path.size() - kExt.size() - 1] != '/') {
    return path.substr(0, path.size() - kExt.size());
  }
  return Status::InvalidArgument(path + ": a safetensors output path must end in \".safetensors\"");
}

Result<std::vector<OutTensor>> CollectTensors(const TensorStore& store, const std::string& path) {
  std::vector<OutTensor> out;
  std::vector<std::string> problems;
  for (const auto& [name, e] : store) {
    if (e.kind == EntryKind::kTensor && !e.data) {
      return Status::NotFound(path + ": tensor \"" + name + "\" has no data (" + e.data_error() +
                              ")");
    }
    if (auto why = WhyNotWritable(e)) {
      problems.push_back(TensorProblem(name, *why));
      continue;
    }
    out.push_back({&e, FindDtypeFor(e.dtype)});
  }
  if (!problems.empty()) return UnwritableTensorsError(path, "safetensors", problems);
  return out;
}

std::optional<Metadata> MergeMetadata(const SafetensorsState* state, const WriteOptions& options) {
  std::optional<Metadata> md;
  if (state != nullptr && options.keep_source_metadata) {
    for (const SourceFile& f : state->files) {
      if (f.header.metadata) {
        md = f.header.metadata;
        break;
      }
    }
  }
  for (const auto& kv : options.metadata) {
    if (!md) md.emplace();
    const std::string& key = kv.first;
    auto it = std::find_if(md->begin(), md->end(), [&](const auto& m) { return m.first == key; });
    if (it != md->end()) {
      it->second = kv.second;
    } else {
      md->push_back(kv);
    }
  }
  if (!md && !options.default_metadata.empty()) {
    md.emplace(options.default_metadata.begin(), options.default_metadata.end());
  }
  return md;
}

// Hugging Face's greedy split, over the tensors in name order.
std::vector<Group> SplitBySize(const std::vector<OutTensor>& items, uint64_t max_size) {
  std::vector<Group> groups;
  Group current;
  uint64_t current_size = 0;
  for (const OutTensor& t : items) {
    const uint64_t size = t.entry->byte_size;
    if (size > max_size) {
      groups.push_back({t});
      continue;
    }
    if (current_size + size > max_size) {
      groups.push_back(std::move(current));
      current.clear();
      current_size = 0;
    }
    current.push_back(t);
    current_size += size;
  }
  if (!current.empty()) groups.push_back(std::move(current));
  std::erase_if(groups, [](const Group& g) { return g.empty(); });
  if (groups.empty()) groups.emplace_back();
  return groups;
}

std::vector<Group> PlanShards(const std::vector<OutTensor>& items, const SafetensorsState* state,
                              const WriteOptions& options) {
  if (options.max_shard_size > 0) return SplitBySize(items, options.max_shard_size);
  if (state == nullptr || !state->sharded() || !options.keep_source_shards) return {items};
  // Keep each tensor in its source shard; tensors from elsewhere join the last one.
  std::vector<Group> groups(state->files.size());
  for (const OutTensor& t : items) {
    const int32_t s = t.entry->shard;
    const bool known = s >= 0 && static_cast<size_t>(s) < groups.size();
    groups[known ? static_cast<size_t>(s) : groups.size() - 1].push_back(t);
  }
  std::erase_if(groups, [](const Group& g) { return g.empty(); });
  if (groups.empty()) groups.emplace_back();
  return groups;
}

// The source file whose tensors are exactly `group` (same bytes, possibly renamed), mapping
// each output tensor to its source record; nullptr when there is none.
const SourceFile* FindPassThrough(const Group& group, const SafetensorsState* state,
                                  std::vector<const HeaderTensor*>& records) {
  if (state == nullptr || group.empty()) return nullptr;
  const ByteSource* data = group[0].entry->data.get();
  const SourceFile* file = nullptr;
  for (const SourceFile& f : state->files) {
    if (f.data.get() == data) file = &f;
  }
  if (file == nullptr || file->header.tensors.size() != group.size()) return nullptr;
  std::unordered_map<std::string_view, const HeaderTensor*> by_name;
  for (const HeaderTensor& t : file->header.tensors) by_name.emplace(t.name, &t);
  std::set<const HeaderTensor*> used;
  records.clear();
  for (const OutTensor& o : group) {
    const TensorEntry& e = *o.entry;
    auto it = by_name.find(e.SourceName());
    if (it == by_name.end() || e.data.get() != data || e.bytes_transformed) return nullptr;
    const HeaderTensor* t = it->second;
    if (e.data_offset != file->header.DataStart() + t->begin || e.byte_size != t->end - t->begin ||
        !used.insert(t).second) {
      return nullptr;
    }
    records.push_back(t);
  }
  return file;
}

std::vector<HeaderTensor> LayOut(Group& group) {
  std::sort(group.begin(), group.end(), [](const OutTensor& a, const OutTensor& b) {
    if (a.dtype->rank != b.dtype->rank) return a.dtype->rank > b.dtype->rank;
    return a.entry->name < b.entry->name;
  });
  std::vector<HeaderTensor> out;
  uint64_t offset = 0;
  for (const OutTensor& t : group) {
    out.push_back({t.entry->name, t.dtype, t.entry->shape, offset, offset + t.entry->byte_size});
    offset += t.entry->byte_size;
  }
  return out;
}

Status WriteFile(AtomicOutput& out, const std::string& final_path, Group group,
                 const std::optional<Metadata>& metadata, const SafetensorsState* state) {
  std::vector<const HeaderTensor*> records;
  const SourceFile* source = FindPassThrough(group, state, records);
  std::vector<HeaderTensor> tensors;
  if (source != nullptr) {
    for (size_t i = 0; i < group.size(); ++i) {
      const OutTensor& o = group[i];
      tensors.push_back(
          {o.entry->name, o.dtype, o.entry->shape, records[i]->begin, records[i]->end});
    }
    std::sort(tensors.begin(), tensors.end(),
              [](const HeaderTensor& a, const HeaderTensor& b) { return a.begin < b.begin; });
  } else {
    tensors = LayOut(group);
  }
  const std::string header = SerializeHeader(metadata, tensors);
  RESCOPE_ASSIGN_OR_RETURN(OutputFile * file, out.Create(final_path));
  uint8_t length[8];
  StoreLE64(length, header.size());
  RESCOPE_RETURN_IF_ERROR(file->Append(length, sizeof(length)));
  RESCOPE_RETURN_IF_ERROR(file->Append(header));
  if (source != nullptr) {
    const uint64_t start = source->header.DataStart(), size = source->header.DataSize();
    if (dynamic_cast<const MappedFile*>(source->data.get()) != nullptr) {
      return file->AppendFileRange(source->path, start, size);
    }
    return file->AppendFrom(*source->data, start, size);
  }
  // Tensors that follow each other in the source too are copied as one range: a TF data
  // shard holds its tensors in name order, as the reference layout does within a dtype, so a
  // converted bundle is usually a handful of in-kernel copies instead of one per tensor.
  for (size_t i = 0; i < group.size();) {
    const TensorEntry& first = *group[i].entry;
    uint64_t end = first.data_offset + first.byte_size;
    size_t j = i + 1;
    for (; j < group.size(); ++j) {
      const TensorEntry& next = *group[j].entry;
      if (next.data != first.data || next.data_offset != end) break;
      end += next.byte_size;
    }
    RESCOPE_RETURN_IF_ERROR(
        file->AppendFrom(*first.data, first.data_offset, end - first.data_offset));
    i = j;
  }
  return Status::Ok();
}

std::string ShardPath(const std::string& stem, size_t index, size_t count) {
  char suffix[64];
  std::snprintf(suffix, sizeof(suffix), "-%05zu-of-%05zu.safetensors", index + 1, count);
  return stem + suffix;
}

Result<std::string> IndexText(const std::vector<Group>& groups,
                              const std::vector<std::string>& paths, const SafetensorsState* state,
                              const WriteOptions& options) {
  std::vector<std::pair<std::string, std::string>> weight_map;
  uint64_t total = 0;
  for (size_t i = 0; i < groups.size(); ++i) {
    const std::string file = fs::path(paths[i]).filename().string();
    for (const OutTensor& t : groups[i]) {
      weight_map.emplace_back(t.entry->name, file);
      total += t.entry->byte_size;
    }
  }
  std::vector<std::pair<std::string, std::string>> metadata;
  if (state != nullptr && options.keep_source_metadata) metadata = state->index_metadata;
  std::erase_if(metadata, [](const auto& kv) { return kv.first == "total_size"; });
  metadata.emplace_back("total_size", std::to_string(total));
  return SerializeShardIndex(metadata, weight_map);
}

Status EnsureParentDirectory(const std::string& path) {
  const fs::path dir = fs::path(path).parent_path();
  if (dir.empty()) return Status::Ok();
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::IOError(dir.string() + ": cannot create directory: " + ec.message());
  return Status::Ok();
}

}  // namespace

std::optional<std::string> WhyNotWritable(const TensorEntry& e) {
  if (e.kind == EntryKind::kPartitioned)
    return "partitioned variable (its slices are stored separately)";
  if (e.kind == EntryKind::kSlice) return "stored slice of a partitioned variable";
  if (e.name == "__metadata__") return "the name \"__metadata__\" is reserved by safetensors";
  if (!IsValidUtf8(e.name)) return "the name is not valid UTF-8";
  const DtypeInfo* info = FindDtypeFor(e.dtype);
  if (info == nullptr) return "dtype " + DTypeName(e.dtype) + " has no safetensors equivalent";
  const auto elements = ShapeNumElements(e.shape);
  const auto bytes = elements ? DtypeByteSize(*info, *elements) : std::nullopt;
  if (!bytes)
    return "shape " + ShapeToString(e.shape) + " is not a whole number of " +
           std::string(info->name) + " bytes";
  if (*bytes != e.byte_size) {
    return DTypeName(e.dtype) + " " + ShapeToString(e.shape) + " is stored in " +
           std::to_string(e.byte_size) + " bytes; safetensors " + std::string(info->name) +
           " needs " + std::to_string(*bytes);
  }
  return std::nullopt;
}

Result<std::vector<std::string>> WriteSafetensors(const Checkpoint& source,
                                                  const TensorStore& store, const std::string& path,
                                                  const WriteOptions& options) {
  RESCOPE_ASSIGN_OR_RETURN(const std::string stem, OutputStem(path));
  RESCOPE_ASSIGN_OR_RETURN(const std::vector<OutTensor> items, CollectTensors(store, path));
  const auto* state = source.format == kFormatName
                          ? dynamic_cast<const SafetensorsState*>(source.state.get())
                          : nullptr;
  const std::optional<Metadata> metadata = MergeMetadata(state, options);
  if (metadata) {
    for (const auto& [k, v] : *metadata) {
      if (!IsValidUtf8(k) || !IsValidUtf8(v)) {
        return Status::InvalidArgument(path + ": __metadata__ \"" + k + "\": not valid UTF-8");
      }
    }
  }
  const std::vector<Group> groups = PlanShards(items, state, options);
  RESCOPE_RETURN_IF_ERROR(EnsureParentDirectory(path));
  AtomicOutput out;
  std::vector<std::string> written;
  if (groups.size() == 1) {
    written.push_back(stem + ".safetensors");
    RESCOPE_RETURN_IF_ERROR(WriteFile(out, written[0], groups[0], metadata, state));
  } else {
    for (size_t i = 0; i < groups.size(); ++i) {
      written.push_back(ShardPath(stem, i, groups.size()));
      RESCOPE_RETURN_IF_ERROR(WriteFile(out, written.back(), groups[i], metadata, state));
    }
    RESCOPE_ASSIGN_OR_RETURN(const std::string index, IndexText(groups, written, state, options));
    written.push_back(stem + std::string(kIndexSuffix));
    RESCOPE_ASSIGN_OR_RETURN(OutputFile * file, out.Create(written.back()));
    RESCOPE_RETURN_IF_ERROR(file->Append(index));
  }
  RESCOPE_RETURN_IF_ERROR(out.Commit());
  return written;
}

}  // namespace rescope::safetensors
