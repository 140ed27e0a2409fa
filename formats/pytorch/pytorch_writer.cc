// SPDX-License-Identifier: Apache-2.0
// Writing torch.save zip files: planning renames/drops on the source object graph, keeping
// `_metadata` in step with key renames, and laying out the zip (PYTORCH.md §6).
#include "formats/pytorch/pytorch_writer.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string_view>
#include <tuple>
#include <unordered_map>

#include "core/values/tensor_transform.h"
#include "formats/atomic_output.h"
#include "formats/pytorch/pickle_writer.h"
#include "formats/pytorch/pytorch_reader.h"
#include "formats/pytorch/torch_zip.h"

namespace rescope::pytorch {
namespace {

std::string ModuleOf(const std::string& key) {
  const size_t dot = key.rfind('.');
  return dot == std::string::npos ? "" : key.substr(0, dot);
}

std::vector<std::string> Segments(const std::string& s) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  size_t start = 0;
  for (size_t dot; (dot = s.find('.', start)) != std::string::npos; start = dot + 1) {
    out.push_back(s.substr(start, dot - start));
  }
  out.push_back(s.substr(start));
  return out;
}

std::string JoinSegments(const std::vector<std::string>& segs, size_t begin, size_t end) {
  std::string out;
  for (size_t i = begin; i < end; ++i) out += (i > begin ? "." : "") + segs[i];
  return out;
}

// Replaces the leading module path `from` of `key` by `to` (whole segments only).
std::optional<std::string> ApplyLead(const std::string& key, const std::string& from,
                                     const std::string& to) {
  std::string rest;
  if (from.empty()) {
    rest = key;
  } else if (key == from) {
    rest = "";
  } else if (key.size() > from.size() && key.compare(0, from.size(), from) == 0 &&
             key[from.size()] == '.') {
    rest = key.substr(from.size() + 1);
  } else {
    return std::nullopt;
  }
  if (to.empty()) return rest;
  return rest.empty() ? to : to + "." + rest;
}

// A copy of `meta` (OrderedDict prefix -> {'version': N}) whose prefixes follow the key
// renames of its state_dict: exact module renames first, then the leading-path rule each
// rename implies (`module.embed` -> `embed` gives `module` -> ``), longest rule first.
const PyNode* RenameMetadata(const PyNode& meta,
                             const std::vector<std::pair<std::string, std::string>>& renames,
                             PickleGraph& scratch) {
  std::map<std::string, std::string> exact;
  std::map<std::string, std::string> leads;
  for (const auto& [old_key, new_key] : renames) {
    const std::string om = ModuleOf(old_key), nm = ModuleOf(new_key);
    if (om == nm) continue;
    exact.emplace(om, nm);
    const auto os = Segments(om), ns = Segments(nm);
    size_t common = 0;
    while (common < os.size() && common < ns.size() &&
           os[os.size() - 1 - common] == ns[ns.size() - 1 - common]) {
      ++common;
    }
    leads.emplace(JoinSegments(os, 0, os.size() - common), JoinSegments(ns, 0, ns.size() - common));
  }
  PyNode* out = scratch.New(PyKind::kDict, meta.offset);
  out->ordered = meta.ordered;
  if (exact.empty()) return &meta;
  struct Item {
    std::string key;
    PyNode* value;
    bool renamed;
  };
  std::vector<Item> items;
  std::set<std::string> renamed_targets;
  for (const auto& [key, value] : meta.entries) {
    if (key->kind != PyKind::kStr) {
      items.push_back({"", value, false});
      continue;
    }
    std::optional<std::string> mapped;
    if (auto it = exact.find(key->text); it != exact.end()) mapped = it->second;
    for (auto it = leads.rbegin(); !mapped && it != leads.rend(); ++it) {
      mapped = ApplyLead(key->text, it->first, it->second);
    }
    const bool renamed = mapped.has_value() && *mapped != key->text;
    items.push_back({mapped.value_or(key->text), value, renamed});
    if (renamed) renamed_targets.insert(items.back().key);
  }
  for (const Item& item : items) {
    // A renamed module wins over an unrenamed one that now has its name (DataParallel's ''
    // versus the inner model's root after stripping `module.`).
    if (!item.renamed && renamed_targets.count(item.key)) continue;
    DictSet(*out, scratch.NewStr(item.key, meta.offset), item.value);
  }
  return out;
}

class SourcePlan {
 public:
  SourcePlan(const PyTorchState& state, PickleWriter& writer, PickleGraph& scratch)
      : state_(state), writer_(writer), scratch_(scratch) {}

  // Throws FormatError for renames the graph cannot express.
  void Build(const TensorStore& store);

 private:
  struct Presence {
    bool had = false;  // held a tensor in the source
    bool has = false;  // still holds one after drops
  };
  PyNode* CopyOf(const PyNode* container);
  Presence Prune(const PyNode* node, int depth);

  const PyTorchState& state_;
  PickleWriter& writer_;
  PickleGraph& scratch_;
  std::unordered_map<const PyNode*, PyNode*> copies_;
  std::set<std::pair<const PyNode*, size_t>> dropped_;
  std::unordered_map<const PyNode*, Presence> presence_;
};

PyNode* SourcePlan::CopyOf(const PyNode* container) {
  auto [it, inserted] = copies_.emplace(container, nullptr);
  if (inserted) {
    it->second = scratch_.New(container->kind, container->offset);
    *it->second = *container;
    writer_.Replace(container, it->second);
  }
  return it->second;
}

SourcePlan::Presence SourcePlan::Prune(const PyNode* node, int depth) {
  if (node->kind == PyKind::kTensor) return {true, true};
  const bool is_dict = node->kind == PyKind::kDict;
  if (depth > kMaxPickleDepth ||
      (!is_dict && node->kind != PyKind::kList && node->kind != PyKind::kTuple)) {
    return {};
  }
  if (auto known = presence_.find(node); known != presence_.end()) return known->second;
  presence_[node] = {};  // cycle guard
  Presence p;
  const size_t n = is_dict ? node->entries.size() : node->items.size();
  for (size_t i = 0; i < n; ++i) {
    const PyNode* child = is_dict ? node->entries[i].second : node->items[i];
    const Presence c = Prune(child, depth + 1);
    if (dropped_.count({node, i}) || (c.had && !c.has)) {
      if (!dropped_.count({node, i})) writer_.Skip(CopyOf(node), i);
      p.had = true;
      continue;
    }
    p.had = p.had || c.had;
    p.has = p.has || c.has;
  }
  presence_[node] = p;
  return p;
}

void SourcePlan::Build(const TensorStore& store) {
  std::set<std::string> kept;
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> renames;
  for (const auto& [name, entry] : store) {
    auto it = state_.slots.find(entry.SourceName());
    if (it == state_.slots.end()) {
      ThrowStatus(Status::NotSupported(name + ": not in the source PyTorch checkpoint (only "
                                              "its own tensors can be written back)"));
    }
    kept.insert(entry.SourceName());
    if (name == entry.SourceName()) continue;
    const TensorSlot& slot = it->second;
    const std::string prefix = slot.container_path.empty() ? "" : slot.container_path + ".";
    if (slot.container == nullptr || slot.container->kind != PyKind::kDict ||
        name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) {
      ThrowStatus(Status::NotSupported(
          entry.SourceName() + " -> " + name + ": a rename must stay inside its container" +
          (slot.container_path.empty() ? std::string() : " '" + slot.container_path + "'")));
    }
    const std::string key = name.substr(prefix.size());
    PyNode* copy = CopyOf(slot.container);
    copy->entries[slot.index].first = scratch_.NewStr(key, 0);
    renames[slot.container_path].emplace_back(entry.SourceName().substr(prefix.size()), key);
  }
  for (const auto& [name, slot] : state_.slots) {
    if (kept.count(name)) continue;
    if (slot.container == nullptr) ThrowStatus(Status::NotSupported("nothing left to write"));
    dropped_.insert({slot.container, slot.index});
    writer_.Skip(CopyOf(slot.container), slot.index);
  }
  Prune(state_.root, 0);
  for (const auto& [path, meta] : state_.metadata) {
    auto it = renames.find(path);
    if (it != renames.end() && meta->kind == PyKind::kDict) {
      writer_.Replace(meta, RenameMetadata(*meta, it->second, scratch_));
    }
  }
}

// Two entries are one tensor (a tie such as `decoder.weight = embed.weight`, or the same
// tensor reached twice) when they read the same bytes as the same dtype and shape.
// torch.save writes a state_dict's tied parameters as two tensor objects over one storage,
// so the reader's alias_of note alone would miss them; written as two fresh tensors, the
// tie would be lost (transformers groups shared storages the same way when sharding).
using TieKey = std::tuple<const ByteSource*, uint64_t, uint64_t, DType, std::vector<int64_t>>;

std::optional<TieKey> TieKeyOf(const TensorEntry& e) {
  if (!e.data || e.byte_size == 0) return std::nullopt;
  return TieKey{e.data.get(), e.data_offset, e.byte_size, e.dtype, e.shape};
}

PyNode* FreshTensor(const TensorEntry& entry, PickleGraph& scratch) {
  const std::string& name = entry.name;
  if (entry.kind != EntryKind::kTensor) {
    ThrowStatus(Status::NotSupported(name + ": partitioned variables cannot be written to a "
                                            "PyTorch file"));
  }
  const std::string dtype = TorchDTypeName(entry.dtype);
  if (std::optional<std::string> why = WhyNotWritable(entry)) {
    ThrowStatus(Status::NotSupported(name + ": " + *why));
  }
  const TorchLayout layout = *TorchLayoutOf(entry.dtype);
  const std::optional<uint32_t> esize = layout.element_bytes;
  if (!entry.data) ThrowStatus(Status::NotFound(name + ": no data (" + entry.data_error() + ")"));
  auto storage = std::make_shared<TorchStorage>();
  storage->type_name = StorageClassName(entry.dtype);
  storage->untyped = storage->type_name.empty();
  storage->count = storage->untyped ? entry.byte_size : entry.byte_size / *esize;
  storage->location = "cpu";
  storage->source = entry.data;
  storage->source_offset = entry.data_offset;
  storage->nbytes = entry.byte_size;
  storage->resolved = true;
  auto tensor = std::make_shared<TorchTensor>();
  tensor->storage = storage;
  tensor->dtype_name = dtype;
  tensor->size = entry.shape;
  if (!tensor->size.empty()) tensor->size.back() /= layout.last_dim_factor;  // checked above
  tensor->stride.assign(tensor->size.size(), 1);
  for (size_t k = tensor->size.size(); k > 1; --k) {
    tensor->stride[k - 2] = tensor->stride[k - 1] * std::max<int64_t>(tensor->size[k - 1], 1);
  }
  PyNode* node = scratch.New(PyKind::kTensor, 0);
  node->tensor = tensor;
  return node;
}

// A fresh dict of contiguous tensors, one storage each (PYTORCH.md §8.3), except that a tie
// (an entry whose alias_of names another entry of the dict with the same bytes) stays one
// tensor, pickled once and referenced twice, as torch.save does.
const PyNode* FreshDict(const std::vector<const TensorEntry*>& entries, bool ordered,
                        PickleGraph& scratch) {
  PyNode* root = scratch.New(PyKind::kDict, 0);
  root->ordered = ordered;
  std::map<TieKey, PyNode*> written;
  for (const TensorEntry* e : entries) {
    PyNode* node = nullptr;
    const std::optional<TieKey> key = TieKeyOf(*e);
    if (key) {
      if (auto it = written.find(*key); it != written.end()) node = it->second;
    }
    if (node == nullptr) {
      node = FreshTensor(*e, scratch);
      if (key) written.emplace(*key, node);
    }
    DictSet(*root, scratch.NewStr(e->name, 0), node);
  }
  return root;
}

std::string ArchiveName(const std::string& path) {
  std::string base = path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
  const size_t dot = base.rfind('.');
  if (dot != std::string::npos && dot > 0) base = base.substr(0, dot);
  return base.empty() ? "archive" : base;
}

// Emits `root` and lays out the zip of one torch.save file at `path` inside `output`.
Status WriteZip(AtomicOutput& output, const std::string& path, const PyNode* root,
                PickleWriter& writer) {
  const std::string pickle = writer.Emit(root);
  RESCOPE_ASSIGN_OR_RETURN(OutputFile * file, output.Create(path));
  TorchZipWriter zip(file);
  const std::string dir = ArchiveName(path) + "/";
  RESCOPE_RETURN_IF_ERROR(zip.Add(dir + "data.pkl", ByteView(pickle)));
  RESCOPE_RETURN_IF_ERROR(zip.Add(dir + ".format_version", ByteView(std::string_view("1"))));
  RESCOPE_RETURN_IF_ERROR(zip.Add(dir + ".storage_alignment", ByteView(std::string_view("64"))));
  RESCOPE_RETURN_IF_ERROR(zip.Add(dir + "byteorder", ByteView(std::string_view("little"))));
  const auto& storages = writer.storages();
  for (size_t i = 0; i < storages.size(); ++i) {
    const TorchStorage& s = *storages[i];
    RESCOPE_RETURN_IF_ERROR(
        zip.AddFrom(dir + "data/" + std::to_string(i), *s.source, s.source_offset, s.nbytes));
  }
  RESCOPE_RETURN_IF_ERROR(zip.Add(dir + "version", ByteView(std::string_view("3\n"))));
  return zip.Finish();
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// "dir/pytorch_model" for "dir/pytorch_model.bin", "dir/pytorch_model.bin.index.json",
// "dir/pytorch_model.pt" (shards are always ".bin": the index readers require it).
std::string ShardStem(const std::string& path) {
  for (std::string_view ext : {".bin.index.json", ".index.json", ".bin", ".pt", ".pth"}) {
    if (EndsWith(path, ext) && path.size() > ext.size() &&
        path[path.size() - ext.size() - 1] != '/') {
      return path.substr(0, path.size() - ext.size());
    }
  }
  return path;
}

std::string ShardPath(const std::string& stem, size_t index, size_t count) {
  char suffix[64];
  std::snprintf(suffix, sizeof(suffix), "-%05zu-of-%05zu.bin", index + 1, count);
  return stem + suffix;
}

using Group = std::vector<const TensorEntry*>;

// The store's entries in the order a state_dict would list them: the source file's key
// order for a single PyTorch file, shard then name for a PyTorch shard set, else name order.
Group TensorOrder(const Checkpoint& source, const TensorStore& store, const PyTorchState* state) {
  Group out;
  if (state != nullptr) {
    std::unordered_map<std::string_view, const TensorEntry*> by_source;
    for (const auto& [name, e] : store) by_source.emplace(e.SourceName(), &e);
    std::set<const TensorEntry*> placed;
    for (const std::string& key : state->key_order) {
      auto it = by_source.find(key);
      if (it != by_source.end() && placed.insert(it->second).second) out.push_back(it->second);
    }
    for (const auto& [name, e] : store) {
      if (!placed.count(&e)) out.push_back(&e);
    }
    return out;
  }
  for (const auto& [name, e] : store) out.push_back(&e);
  if (source.format.rfind("pytorch", 0) == 0) {
    std::stable_sort(out.begin(), out.end(), [](const TensorEntry* a, const TensorEntry* b) {
      return a->shard < b->shard;
    });
  }
  return out;
}

// Hugging Face's split (split_state_dict_into_shards_factory, PYTORCH.md §7.3): in order, a
// new shard when the next tensor would take the current one past `max_size`; a larger tensor
// gets a shard of its own at once while the current shard stays open; a tie joins its first
// name's shard afterwards and is not counted again.
std::vector<Group> SplitBySize(const Group& order, uint64_t max_size) {
  std::vector<Group> groups;
  std::map<TieKey, const TensorEntry*> first_of;  // tensors placed, by their bytes
  std::vector<std::pair<const TensorEntry*, const TensorEntry*>> ties;  // (tie, its first)
  Group current;
  uint64_t current_size = 0;
  for (const TensorEntry* e : order) {
    if (const std::optional<TieKey> key = TieKeyOf(*e)) {
      if (auto it = first_of.find(*key); it != first_of.end()) {
        ties.emplace_back(e, it->second);
        continue;
      }
      first_of.emplace(*key, e);
    }
    if (e->byte_size > max_size) {
      groups.push_back({e});
      continue;
    }
    if (current_size + e->byte_size > max_size && !current.empty()) {
      groups.push_back(std::move(current));
      current.clear();
      current_size = 0;
    }
    current.push_back(e);
    current_size += e->byte_size;
  }
  if (!current.empty()) groups.push_back(std::move(current));
  std::unordered_map<const TensorEntry*, size_t> group_of;
  for (size_t i = 0; i < groups.size(); ++i) {
    for (const TensorEntry* e : groups[i]) group_of.emplace(e, i);
  }
  for (const auto& [tie, first] : ties) groups[group_of.at(first)].push_back(tie);
  return groups;
}

// Keeps each tensor in its source shard (tensors of unknown shard join the last one).
std::vector<Group> SourceShards(const Group& order, size_t count) {
  std::vector<Group> groups(count);
  for (const TensorEntry* e : order) {
    const bool known = e->shard >= 0 && static_cast<size_t>(e->shard) < count;
    groups[known ? static_cast<size_t>(e->shard) : count - 1].push_back(e);
  }
  std::erase_if(groups, [](const Group& g) { return g.empty(); });
  return groups;
}

// The shard count of a PyTorch shard set read through its index, 0 otherwise.
size_t SourceShardCount(const Checkpoint& source) {
  if (source.format.rfind("pytorch", 0) != 0) return 0;
  for (const auto& [key, value] : source.properties) {
    if (key == "shards") return static_cast<size_t>(std::stoull(value));
  }
  return 0;
}

// pytorch_model.bin.index.json as transformers writes it: json.dumps(index, indent=2,
// sort_keys=True) + "\n". total_size counts a tied tensor once.
std::string IndexJson(const std::vector<Group>& groups, const std::vector<std::string>& paths) {
  nlohmann::json map = nlohmann::json::object();
  uint64_t total = 0;
  for (size_t i = 0; i < groups.size(); ++i) {
    const std::string file = paths[i].substr(paths[i].rfind('/') + 1);
    std::set<TieKey> counted;
    for (const TensorEntry* e : groups[i]) {
      map[e->name] = file;
      const std::optional<TieKey> key = TieKeyOf(*e);
      if (!key || counted.insert(*key).second) total += e->byte_size;
    }
  }
  nlohmann::json index = nlohmann::json::object();
  index["metadata"] = {{"total_size", total}};
  index["weight_map"] = std::move(map);
  return index.dump(2, ' ', /*ensure_ascii=*/true) + "\n";
}

Status EnsureParentDirectory(const std::string& path) {
  const std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (dir.empty()) return Status::Ok();
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IOError(dir.string() + ": cannot create directory: " + ec.message());
  return Status::Ok();
}

Result<std::vector<std::string>> WriteShards(const std::vector<Group>& groups,
                                             const std::string& path) {
  const std::string stem = ShardStem(path);
  RESCOPE_RETURN_IF_ERROR(EnsureParentDirectory(stem));
  AtomicOutput output;
  std::vector<std::string> written;
  for (size_t i = 0; i < groups.size(); ++i) {
    written.push_back(ShardPath(stem, i, groups.size()));
    PickleGraph scratch;
    PickleWriter writer;
    // Hugging Face shards are torch.save of a plain dict (PYTORCH.md §7.3).
    const PyNode* root = FreshDict(groups[i], /*ordered=*/false, scratch);
    RESCOPE_RETURN_IF_ERROR(WriteZip(output, written.back(), root, writer));
  }
  written.push_back(stem + ".bin.index.json");
  RESCOPE_ASSIGN_OR_RETURN(OutputFile * index, output.Create(written.back()));
  RESCOPE_RETURN_IF_ERROR(index->Append(IndexJson(groups, written)));
  RESCOPE_RETURN_IF_ERROR(output.Commit());
  return written;
}

}  // namespace

std::optional<std::string> WhyNotWritable(const TensorEntry& entry) {
  if (entry.kind == EntryKind::kPartitioned) return "partitioned variable";
  if (entry.kind == EntryKind::kSlice) return "stored slice of a partitioned variable";
  const std::optional<TorchLayout> layout = TorchLayoutOf(entry.dtype);
  if (!layout) return "dtype " + DTypeName(entry.dtype) + " has no PyTorch equivalent";
  if (layout->last_dim_factor != 1 &&
      (entry.shape.empty() || entry.shape.back() % layout->last_dim_factor != 0)) {
    // torch.float4_e2m1fn_x2 holds two values per element: [.., 2c] values are [.., c] bytes.
    return DTypeName(entry.dtype) + " " + ShapeToString(entry.shape) + ": PyTorch stores " +
           std::to_string(layout->last_dim_factor) +
           " values per element, so the last dimension must be a multiple of " +
           std::to_string(layout->last_dim_factor);
  }
  return std::nullopt;
}

Result<std::vector<std::string>> WritePyTorch(const Checkpoint& source, const TensorStore& store,
                                              const std::string& path,
                                              const WriteOptions& options) {
  try {
    auto state = std::dynamic_pointer_cast<const PyTorchState>(source.state);
    if (state != nullptr && state->root == nullptr) state = nullptr;
    const size_t source_shards = SourceShardCount(source);
    std::vector<Group> groups;
    if (options.max_shard_size > 0) {
      groups = SplitBySize(TensorOrder(source, store, state.get()), options.max_shard_size);
    } else if (options.keep_source_shards && source_shards > 1) {
      groups = SourceShards(TensorOrder(source, store, state.get()), source_shards);
    }
    if (groups.size() > 1) return WriteShards(groups, path);
    // One file. A path naming an index becomes the single file HF would write instead.
    const std::string single = EndsWith(path, ".index.json") ? ShardStem(path) + ".bin" : path;
    PickleGraph scratch;
    PickleWriter writer;
    const PyNode* root = nullptr;
    // A transformed tensor has no storage in the source file, so the source's object tree
    // cannot be re-emitted around it: such stores are written as a fresh state_dict.
    const bool transformed = AnyBytesTransformed(store);
    if (state != nullptr && !transformed) {
      SourcePlan plan(*state, writer, scratch);
      plan.Build(store);
      root = state->root;
    } else {
      root = FreshDict(TensorOrder(source, store, nullptr), /*ordered=*/true, scratch);
    }
    RESCOPE_RETURN_IF_ERROR(EnsureParentDirectory(single));
    AtomicOutput output;
    RESCOPE_RETURN_IF_ERROR(WriteZip(output, single, root, writer));
    RESCOPE_RETURN_IF_ERROR(output.Commit());
    return std::vector<std::string>{single};
  } catch (const FormatError& e) {
    return e.status().WithContext(path);
  }
}

}  // namespace rescope::pytorch
