// Writing torch.save zip files: planning renames/drops on the source object graph, keeping
// `_metadata` in step with key renames, and laying out the zip (PYTORCH.md §6).
#include "formats/pytorch/pytorch_writer.h"

#include <algorithm>

#include <map>
#include <set>
#include <unordered_map>

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
    auto it = state_.slots.find(entry.source_name);
    if (it == state_.slots.end()) {
      ThrowStatus(Status::NotSupported(name + ": not in the source PyTorch checkpoint (only "
                                              "its own tensors can be written back)"));
    }
    kept.insert(entry.source_name);
    if (name == entry.source_name) continue;
    const TensorSlot& slot = it->second;
    const std::string prefix = slot.container_path.empty() ? "" : slot.container_path + ".";
    if (slot.container == nullptr || slot.container->kind != PyKind::kDict ||
        name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) {
      ThrowStatus(Status::NotSupported(
          entry.source_name + " -> " + name + ": a rename must stay inside its container" +
          (slot.container_path.empty() ? std::string() : " '" + slot.container_path + "'")));
    }
    const std::string key = name.substr(prefix.size());
    PyNode* copy = CopyOf(slot.container);
    copy->entries[slot.index].first = scratch_.NewStr(key, 0);
    renames[slot.container_path].emplace_back(entry.source_name.substr(prefix.size()), key);
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

// A fresh OrderedDict of contiguous tensors, one storage each (PYTORCH.md §8.3).
const PyNode* FreshStateDict(const TensorStore& store, PickleGraph& scratch) {
  PyNode* root = scratch.New(PyKind::kDict, 0);
  root->ordered = true;
  for (const auto& [name, entry] : store) {
    if (entry.kind != EntryKind::kTensor) {
      ThrowStatus(Status::NotSupported(name + ": partitioned variables cannot be written to a "
                                              "PyTorch file"));
    }
    const std::string dtype = TorchDTypeName(entry.dtype);
    auto esize = DTypeElementSize(entry.dtype);
    if (dtype.empty() || !esize) {
      ThrowStatus(Status::NotSupported(name + ": dtype " + DTypeName(entry.dtype) +
                                       " has no PyTorch equivalent"));
    }
    if (!entry.data) ThrowStatus(Status::NotFound(name + ": no data (" + entry.data_error + ")"));
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
    tensor->stride.assign(entry.shape.size(), 1);
    for (size_t k = entry.shape.size(); k > 1; --k) {
      tensor->stride[k - 2] = tensor->stride[k - 1] * std::max<int64_t>(entry.shape[k - 1], 1);
    }
    PyNode* node = scratch.New(PyKind::kTensor, 0);
    node->tensor = tensor;
    DictSet(*root, scratch.NewStr(name, 0), node);
  }
  return root;
}

std::string ArchiveName(const std::string& path) {
  std::string base = path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
  const size_t dot = base.rfind('.');
  if (dot != std::string::npos && dot > 0) base = base.substr(0, dot);
  return base.empty() ? "archive" : base;
}

}  // namespace

Result<std::vector<std::string>> WritePyTorch(const Checkpoint& source, const TensorStore& store,
                                              const std::string& path) {
  try {
    PickleGraph scratch;
    PickleWriter writer;
    const PyNode* root = nullptr;
    auto state = std::dynamic_pointer_cast<const PyTorchState>(source.state);
    // A transformed tensor has no storage in the source file, so the source's object tree
    // cannot be re-emitted around it: such stores are written as a fresh state_dict.
    const bool transformed = std::any_of(
        store.begin(), store.end(), [](const auto& kv) { return kv.second.bytes_transformed; });
    if (state != nullptr && state->root != nullptr && !transformed) {
      SourcePlan plan(*state, writer, scratch);
      plan.Build(store);
      root = state->root;
    } else {
      root = FreshStateDict(store, scratch);
    }
    const std::string pickle = writer.Emit(root);
    AtomicOutput output;
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
    RESCOPE_RETURN_IF_ERROR(zip.Finish());
    RESCOPE_RETURN_IF_ERROR(output.Commit());
    return std::vector<std::string>{path};
  } catch (const FormatError& e) {
    return e.status().WithContext(path);
  }
}

}  // namespace rescope::pytorch
