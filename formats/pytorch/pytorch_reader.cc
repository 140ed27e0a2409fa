// SPDX-License-Identifier: Apache-2.0
// Opening torch.save zip and legacy files: container parsing, persistent ids, and turning the
// object graph into named TensorEntries (PYTORCH.md §2–§5).
#include "formats/pytorch/pytorch_reader.h"

#include <algorithm>
#include <cstring>
#include <set>
#include <unordered_map>

#include "core/store/strided_source.h"
#include "formats/mapped_file.h"
#include "formats/pytorch/torch_zip.h"

namespace rescope::pytorch {

Result<Checkpoint> OpenPyTorchIndex(const std::string& index_path, const ReadOptions& options);

namespace {

constexpr uint8_t kLegacyMagic[] = {0x80, 0x02, 0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46,
                                    0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19, 0x2E};

bool HasLegacyMagic(ByteView bytes) {
  return bytes.size >= sizeof(kLegacyMagic) &&
         std::memcmp(bytes.data, kLegacyMagic, sizeof(kLegacyMagic)) == 0;
}

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix.data(), suffix.size()) == 0;
}

std::string Join(const std::string& path, const std::string& segment) {
  return path.empty() ? segment : path + "." + segment;
}

std::string ShapeText(const std::vector<int64_t>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "]";
}

// Pid tuple fields shared by the zip (5-tuple) and legacy (6-tuple) forms.
struct PidFields {
  std::string type_name;
  bool untyped = false;
  std::string key, location;
  uint64_t count = 0;
};

PidFields ParsePid(const PyNode* pid, size_t arity, const std::string& where) {
  auto fail = [&](const std::string& what) { ThrowCorruption(where + ": persistent id: " + what); };
  if (pid->kind != PyKind::kTuple || pid->items.size() != arity) {
    fail("expected a " + std::to_string(arity) + "-tuple (found " + KindName(*pid) + " of " +
         std::to_string(pid->items.size()) + ")");
  }
  const auto& it = pid->items;
  if (it[0]->kind == PyKind::kStr && it[0]->text == "module") {
    ThrowStatus(Status::NotSupported(where + ": a pickled nn.Module class, not a checkpoint"));
  }
  if (it[0]->kind != PyKind::kStr || it[0]->text != "storage") fail("first item is not 'storage'");
  PidFields f;
  if (it[1]->kind != PyKind::kGlobal) fail("storage type " + it[1]->text + " is not allowed");
  if (it[1]->text == "torch.storage.UntypedStorage") {
    f.untyped = true;
    f.type_name = "UntypedStorage";
  } else if (it[1]->text.starts_with("torch.") && EndsWith(it[1]->text, "Storage")) {
    f.type_name = it[1]->text.substr(6);
  } else {
    fail("storage type " + it[1]->text + " is not a storage class");
  }
  if (it[2]->kind != PyKind::kStr) fail("key is not a str");
  if (it[3]->kind != PyKind::kStr) fail("location is not a str");
  if (it[4]->kind != PyKind::kInt || it[4]->integer < 0) fail("numel is not a non-negative int");
  f.key = it[2]->text;
  f.location = it[3]->text;
  f.count = static_cast<uint64_t>(it[4]->integer);
  return f;
}

// Storage bytes implied by a pid: count elements of the class's dtype, or count bytes.
std::optional<uint64_t> PidBytes(const PidFields& f) {
  if (f.untyped) return f.count;
  const std::optional<TorchLayout> layout = TorchLayoutOf(DTypeForTorchName(f.type_name));
  if (!layout) return std::nullopt;
  if (f.count > (uint64_t{1} << 62) / layout->element_bytes) return std::nullopt;
  return f.count * layout->element_bytes;
}

// Shared storage objects by key, as torch's persistent_load caches them.
class StorageTable {
 public:
  std::shared_ptr<TorchStorage> Get(const PidFields& f, const std::string& where) {
    auto [it, inserted] = by_key_.emplace(f.key, nullptr);
    if (!inserted) {
      if (it->second->type_name != f.type_name && it->second->count != 0 && f.count != 0) {
        ThrowCorruption(where + ": storage '" + f.key + "' used as " + it->second->type_name +
                        " and as " + f.type_name);
      }
      return it->second;
    }
    auto storage = std::make_shared<TorchStorage>();
    storage->key = f.key;
    storage->type_name = f.type_name;
    storage->untyped = f.untyped;
    storage->count = f.count;
    storage->location = f.location;
    it->second = storage;
    order_.push_back(storage);
    return storage;
  }
  const std::vector<std::shared_ptr<TorchStorage>>& order() const { return order_; }
  std::shared_ptr<TorchStorage> Find(const std::string& key) const {
    auto it = by_key_.find(key);
    return it == by_key_.end() ? nullptr : it->second;
  }

 private:
  std::unordered_map<std::string, std::shared_ptr<TorchStorage>> by_key_;
  std::vector<std::shared_ptr<TorchStorage>> order_;
};

// Walks the object graph and builds entries.
class EntryBuilder {
 public:
  EntryBuilder(const std::string& file, const ReadOptions& options, Checkpoint& ckpt,
               PyTorchState& state)
      : file_(file), options_(options), ckpt_(ckpt), state_(state) {}

  void Walk(const PyNode* node, const std::string& path, const TensorSlot& slot, int depth);
  void Finish();

 private:
  void AddTensor(const PyNode* node, const std::string& name, const TensorSlot& slot);
  void Leaf(const PyNode* node, const std::string& path);

  const std::string& file_;
  const ReadOptions& options_;
  Checkpoint& ckpt_;
  PyTorchState& state_;
  std::vector<TensorEntry> entries_;
  std::unordered_map<const PyNode*, std::string> first_name_;
  std::unordered_map<const TorchStorage*, std::vector<size_t>> by_storage_;
};

void EntryBuilder::Leaf(const PyNode* node, const std::string& path) {
  const std::string where = path.empty() ? std::string("top-level object") : path;
  if (node->kind == PyKind::kOpaque) {
    if (!options_.lenient) {
      ThrowStatus(Status::NotSupported(file_ + ": " + where + ": GLOBAL " + node->text +
                                       " is not allowed (data.pkl @" + Hex(node->offset) +
                                       "); --lenient lists and skips it"));
    }
    ckpt_.properties.emplace_back("skipped", where + ": " + node->text + " (not loaded)");
    return;
  }
  // Ints, floats, strings, None, empty containers and allowlisted values (a training
  // checkpoint's epoch and loss, an optimizer's param_groups) are data the restricted
  // pickle machine built without running anything: skipped and listed, never refused.
  if (!options_.lenient && node->kind == PyKind::kStorage) {
    ThrowStatus(Status::NotSupported(file_ + ": " + where + ": non-tensor value of type " +
                                     KindName(*node) + "; --lenient lists and skips it"));
  }
  ckpt_.properties.emplace_back("skipped", where + ": " + KindName(*node));
}

void EntryBuilder::Walk(const PyNode* node, const std::string& path, const TensorSlot& slot,
                        int depth) {
  if (depth > kMaxPickleDepth) {
    ThrowCorruption(file_ + ": " + path + ": objects nested deeper than " +
                    std::to_string(kMaxPickleDepth) + " levels");
  }
  switch (node->kind) {
    case PyKind::kTensor:
      AddTensor(node, path.empty() ? "tensor" : path, slot);
      return;
    case PyKind::kDict: {
      if (node->entries.empty() && !path.empty()) {
        Leaf(node, path);
        return;
      }
      if (node->attributes != nullptr && node->attributes->kind == PyKind::kDict) {
        if (const PyNode* meta = DictGet(*node->attributes, "_metadata")) {
          state_.metadata[path] = meta;
        }
      }
      for (size_t i = 0; i < node->entries.size(); ++i) {
        const auto& [key, value] = node->entries[i];
        std::string segment;
        if (key->kind == PyKind::kStr) {
          segment = key->text;
        } else if (key->kind == PyKind::kInt) {
          segment = std::to_string(key->integer);
        } else {
          Leaf(value, Join(path, "<" + KindName(*key) + " key>"));
          continue;
        }
        Walk(value, Join(path, segment), {node, i, nullptr, path}, depth + 1);
      }
      return;
    }
    case PyKind::kList:
    case PyKind::kTuple:
    case PyKind::kSet:
      if (node->items.empty()) {
        if (!path.empty()) Leaf(node, path);
        return;
      }
      for (size_t i = 0; i < node->items.size(); ++i) {
        Walk(node->items[i], Join(path, std::to_string(i)), {node, i, nullptr, path}, depth + 1);
      }
      return;
    default:
      Leaf(node, path);
  }
}

void EntryBuilder::AddTensor(const PyNode* node, const std::string& name, const TensorSlot& slot) {
  const TorchTensor& t = *node->tensor;
  const std::string where = file_ + ": " + name;
  const DType dtype = DTypeForTorchName(t.dtype_name);
  const std::optional<TorchLayout> layout = TorchLayoutOf(dtype);
  if (!layout) {
    ThrowStatus(Status::NotSupported(where + ": unsupported torch dtype " + t.dtype_name));
  }
  const uint32_t esize = layout->element_bytes;
  const TorchStorage& s = *t.storage;
  if (!s.resolved) ThrowCorruption(where + ": storage '" + s.key + "' has no data");
  TensorEntry e;
  e.name = name;
  e.dtype = dtype;
  e.shape = t.size;
  if (layout->last_dim_factor != 1) {
    // Packed dtypes count values, not bytes, in rescope's shape (as safetensors does).
    if (e.shape.empty()) {
      ThrowStatus(Status::NotSupported(
          where + ": 0-d " + t.dtype_name + " tensor: its byte holds " +
          std::to_string(layout->last_dim_factor) + " values and no shape of values describes it"));
    }
    if (e.shape.back() > (int64_t{1} << 61)) {
      ThrowCorruption(where + ": shape " + ShapeText(t.size) + " overflows");
    }
    e.shape.back() *= layout->last_dim_factor;
  }
  auto numel = ShapeNumElements(t.size);
  auto spanned = ElementsSpanned(t.storage_offset, t.size, t.stride);
  if (!numel || *numel > (uint64_t{1} << 62) / esize || !spanned) {
    ThrowCorruption(where + ": shape " + ShapeText(t.size) + " / stride " + ShapeText(t.stride) +
                    " overflows");
  }
  if (*spanned > s.nbytes / esize) {
    ThrowCorruption(where + ": elements up to index " + std::to_string(*spanned - 1) + " (offset " +
                    std::to_string(t.storage_offset) + ", size " + ShapeText(t.size) + ", stride " +
                    ShapeText(t.stride) + ") lie outside storage '" + s.key + "' (" +
                    std::to_string(s.nbytes) + " bytes)");
  }
  e.byte_size = *numel * esize;
  const uint64_t start = s.source_offset + static_cast<uint64_t>(t.storage_offset) * esize;
  if (*numel == 0 || IsRowMajor(t.size, t.stride)) {
    e.data = s.source;
    e.data_offset = start;
  } else {
    e.data = std::make_shared<StridedByteSource>(file_ + ": " + name, s.source, s.source_offset,
                                                 esize, t.storage_offset, t.size, t.stride, *numel);
    e.mutable_notes().emplace_back("stride", ShapeText(t.stride));
  }
  e.mutable_notes().emplace_back("storage", s.key);
  if (t.storage_offset != 0)
    e.mutable_notes().emplace_back("storage_offset", std::to_string(t.storage_offset));
  if (t.is_parameter) e.mutable_notes().emplace_back("parameter", "true");
  if (s.location != "cpu") e.mutable_notes().emplace_back("location", s.location);
  auto [first, inserted] = first_name_.emplace(node, name);
  if (!inserted) e.mutable_notes().emplace_back("alias_of", first->second);
  by_storage_[t.storage.get()].push_back(entries_.size());
  state_.slots[name] = {slot.container, slot.index, node, slot.container_path};
  state_.key_order.push_back(name);
  entries_.push_back(std::move(e));
}

void EntryBuilder::Finish() {
  for (const auto& [storage, indices] : by_storage_) {
    if (indices.size() < 2) continue;
    for (size_t i : indices) {
      for (size_t j : indices) {
        if (i != j)
          entries_[i].mutable_notes().emplace_back("shares_storage_with", entries_[j].name);
      }
    }
  }
  for (TensorEntry& e : entries_) {
    const std::string name = e.name;
    Status st = ckpt_.store.Add(std::move(e));
    if (!st.ok()) ThrowCorruption(file_ + ": " + name + ": two tensors have this name");
  }
}

std::string TopLevelKind(const PyNode* root) { return KindName(*root); }

std::shared_ptr<PyTorchState> NewState(const std::string& file) {
  auto state = std::make_shared<PyTorchState>();
  state->path = file;
  state->graph = std::make_shared<PickleGraph>();
  return state;
}

void BuildEntries(const std::string& file, const ReadOptions& options, Checkpoint& ckpt,
                  PyTorchState& state, size_t storages) {
  ckpt.properties.emplace_back("top-level object", TopLevelKind(state.root));
  ckpt.properties.emplace_back("storages", std::to_string(storages));
  EntryBuilder builder(file, options, ckpt, state);
  builder.Walk(state.root, "", {}, 0);
  builder.Finish();
}

std::string RecordText(ByteView bytes, const ZipDirectory& dir, const std::string& name) {
  const ZipRecord* rec = dir.Find(name);
  if (rec == nullptr || rec->method != 0 || rec->size > 64) return {};
  return std::string(bytes.Sub(rec->data_offset, rec->size).AsStringView());
}

Checkpoint OpenZip(std::shared_ptr<const ByteSource> source, ByteView bytes,
                   const ReadOptions& options) {
  const std::string& file = source->name();
  ZipDirectory dir = ReadZipDirectory(bytes, file).ValueOrThrow();
  if (dir.Find("constants.pkl") != nullptr) {
    ThrowStatus(Status::NotSupported(file + ": a TorchScript archive (torch.jit.save), not a "
                                            "checkpoint"));
  }
  const ZipRecord* pkl = dir.Find("data.pkl");
  if (pkl == nullptr) ThrowCorruption(file + ": zip has no " + dir.archive + "/data.pkl record");
  std::string version = RecordText(bytes, dir, "version");
  if (version.empty()) version = RecordText(bytes, dir, ".data/version");
  while (!version.empty() && (version.back() == '\n' || version.back() == '\r')) version.pop_back();
  if (version.empty() || version.size() > 2 ||
      !std::all_of(version.begin(), version.end(), ::isdigit) || std::stoi(version) < 1 ||
      std::stoi(version) > 10) {
    ThrowCorruption(file + ": " + dir.archive +
                    "/version: missing or not a version in 1..10 (found '" + version + "')");
  }
  const std::string byteorder = RecordText(bytes, dir, "byteorder");
  if (byteorder == "big") {
    ThrowStatus(Status::NotSupported(file + ": byteorder: big-endian storages are not supported"));
  }
  if (!byteorder.empty() && byteorder != "little") {
    ThrowCorruption(file + ": byteorder: unknown endianness '" + byteorder + "'");
  }
  for (const ZipRecord* rec : {pkl}) {
    if (rec->method != 0) {
      ThrowStatus(Status::NotSupported(file + ": " + rec->name + ": compressed record (method " +
                                       std::to_string(rec->method) +
                                       "); torch writes stored records: the file was re-zipped"));
    }
  }
  Checkpoint ckpt;
  ckpt.format = "pytorch_zip";
  ckpt.path = file;
  // torch stores every record uncompressed with its CRC-32: the only checksum a PyTorch
  // file carries, over whole storages (verify recomputes them).
  for (const ZipRecord& rec : dir.records) {
    if (rec.method == 0) {
      ckpt.region_checksums.push_back({rec.name, source, rec.data_offset, rec.size, rec.crc32, ""});
    }
  }
  ckpt.regions_cover_all_entries = true;  // compressed storage records are refused below
  auto state = NewState(file);
  state->archive = dir.archive;
  for (const ZipRecord& rec : dir.records)
    state->record_order.push_back(rec.name.substr(dir.archive.size() + 1));
  state->serialization_id = RecordText(bytes, dir, ".data/serialization_id");
  StorageTable storages;
  PersistentLoad load = [&](PickleGraph& graph, PyNode* pid, uint64_t offset) {
    const std::string where = file + ": data.pkl @" + Hex(offset);
    PidFields f = ParsePid(pid, 5, where);
    auto storage = storages.Get(f, where);
    if (!storage->resolved) {
      const ZipRecord* rec = dir.Find("data/" + f.key);
      if (rec == nullptr) ThrowCorruption(where + ": no record " + dir.archive + "/data/" + f.key);
      if (rec->method != 0) {
        ThrowStatus(Status::NotSupported(file + ": " + rec->name + ": compressed record"));
      }
      auto expected = PidBytes(f);
      if (expected && *expected != rec->size) {
        ThrowCorruption(where + ": storage '" + f.key + "' of " + std::to_string(f.count) + " " +
                        f.type_name + " elements needs " + std::to_string(*expected) +
                        " bytes but record " + rec->name + " has " + std::to_string(rec->size));
      }
      storage->source = source;
      storage->source_offset = rec->data_offset;
      storage->nbytes = rec->size;
      storage->resolved = true;
    }
    PyNode* node = graph.New(PyKind::kStorage, offset);
    node->storage = storage;
    return node;
  };
  PickleOptions popts;
  popts.allow_protocol4 = options.lenient;
  PickleRun run = RunPickle(bytes.Sub(pkl->data_offset, pkl->size), file, "data.pkl", 0,
                            *state->graph, load, popts);
  state->root = run.root;
  ckpt.format_version =
      "torch.save zip, version " + version + ", pickle protocol " + std::to_string(run.protocol);
  ckpt.properties.emplace_back("archive", dir.archive);
  std::string layout = "torch 1.6-2.0";
  if (dir.Find(".format_version")) {
    layout = "torch >= 2.7";
  } else if (dir.Find("byteorder")) {
    layout = "torch 2.1-2.6";
  }
  ckpt.properties.emplace_back("record layout", layout);
  BuildEntries(file, options, ckpt, *state, storages.order().size());
  ckpt.state = state;
  return ckpt;
}

Checkpoint OpenLegacy(std::shared_ptr<const ByteSource> source, ByteView bytes,
                      const ReadOptions& options) {
  const std::string& file = source->name();
  auto state = NewState(file);
  state->legacy = true;
  PickleGraph& graph = *state->graph;
  PickleOptions popts;
  popts.allow_protocol4 = options.lenient;
  PersistentLoad no_pids = [&](PickleGraph&, PyNode*, uint64_t offset) -> PyNode* {
    ThrowCorruption(file + " @" + Hex(offset) + ": persistent id outside the object pickle");
  };
  uint64_t pos = 0;
  auto run = [&](const char* what, const PersistentLoad& load) {
    PickleRun r = RunPickle(bytes.Sub(pos, bytes.size - pos), file, what, pos, graph, load, popts);
    pos += r.end;
    return r;
  };
  run("magic number", no_pids);
  PickleRun proto = run("protocol version", no_pids);
  if (proto.root->kind != PyKind::kInt || proto.root->integer != 1001) {
    ThrowCorruption(file + ": legacy protocol version: invalid (expected 1001)");
  }
  PickleRun info = run("sys_info", no_pids);
  if (info.root->kind == PyKind::kDict) {
    const PyNode* little = DictGet(*info.root, "little_endian");
    if (little != nullptr && little->kind == PyKind::kBool && !little->boolean) {
      ThrowStatus(Status::NotSupported(file + ": sys_info: big-endian legacy file"));
    }
  }
  StorageTable storages;
  PersistentLoad load = [&](PickleGraph& g, PyNode* pid, uint64_t offset) {
    const std::string where = file + ": object pickle @" + Hex(offset);
    PidFields f = ParsePid(pid, 6, where);
    if (pid->items[5]->kind != PyKind::kNone) {
      ThrowStatus(
          Status::NotSupported(where + ": storage views (view_metadata) are not supported"));
    }
    PyNode* node = g.New(PyKind::kStorage, offset);
    node->storage = storages.Get(f, where);
    return node;
  };
  state->root = run("object pickle", load).root;
  PickleRun keys = run("storage key list", no_pids);
  if (keys.root->kind != PyKind::kList) {
    ThrowCorruption(file + ": storage key list: not a list (found " + KindName(*keys.root) + ")");
  }
  for (const PyNode* key : keys.root->items) {
    if (key->kind != PyKind::kStr) ThrowCorruption(file + ": storage key list: a key is not a str");
    auto storage = storages.Find(key->text);
    const std::string where = file + ": storage '" + key->text + "' @" + Hex(pos);
    if (storage == nullptr) ThrowCorruption(where + ": key not used by the object pickle");
    if (storage->resolved) ThrowCorruption(where + ": key listed twice");
    if (!RangeFits(pos, 8, bytes.size)) ThrowCorruption(where + ": truncated element count");
    const uint64_t count = LoadLE64(bytes.data + pos);
    if (count != storage->count) {
      ThrowCorruption(where + ": " + std::to_string(count) +
                      " elements stored but the pickle says " + std::to_string(storage->count));
    }
    PidFields f{storage->type_name, storage->untyped, storage->key, storage->location, count};
    auto nbytes = PidBytes(f);
    if (!nbytes) {
      ThrowStatus(Status::NotSupported(where + ": unsupported storage type " + f.type_name));
    }
    if (!RangeFits(pos + 8, *nbytes, bytes.size)) {
      ThrowCorruption(where + ": " + std::to_string(*nbytes) +
                      " bytes of data run past end of file (" + Hex(bytes.size) + ")");
    }
    storage->source = source;
    storage->source_offset = pos + 8;
    storage->nbytes = *nbytes;
    storage->resolved = true;
    pos += 8 + *nbytes;
  }
  Checkpoint ckpt;
  ckpt.format = "pytorch_legacy";
  ckpt.format_version = "legacy torch.save stream (protocol 1001)";
  ckpt.path = file;
  if (pos != bytes.size) {
    ckpt.properties.emplace_back("trailing bytes", std::to_string(bytes.size - pos));
  }
  for (const auto& s : storages.order()) {
    if (!s->resolved) ThrowCorruption(file + ": storage '" + s->key + "' is not in the key list");
  }
  BuildEntries(file, options, ckpt, *state, storages.order().size());
  ckpt.state = state;
  return ckpt;
}

Result<Checkpoint> OpenSource(std::shared_ptr<const ByteSource> source,
                              const ReadOptions& options) {
  try {
    std::vector<uint8_t> scratch;
    ByteView bytes = source->Read(0, source->size(), scratch).ValueOrThrow();
    if (!scratch.empty()) {
      // The source copied: keep the bytes alive in a memory source the entries can share.
      source = std::make_shared<MemoryByteSource>(source->name(), std::move(scratch));
      std::vector<uint8_t> unused;
      bytes = source->Read(0, source->size(), unused).ValueOrThrow();
    }
    CheckpointFile cf{source->name(), "weights", true, source->size()};
    Result<Checkpoint> ckpt = Status::Corruption("");
    if (LooksLikeZip(bytes)) {
      ckpt = OpenZip(source, bytes, options);
    } else if (HasLegacyMagic(bytes)) {
      ckpt = OpenLegacy(source, bytes, options);
    } else if (bytes.size > 262 && std::memcmp(bytes.data + 257, "ustar", 5) == 0) {
      return Status::NotSupported(source->name() +
                                  ": the earliest PyTorch tar format is not supported");
    } else if (bytes.size >= 2 && bytes[0] == 0x80) {
      return Status::NotSupported(source->name() +
                                  ": a plain pickle, not a torch.save file (no legacy magic)");
    } else {
      return Status::Corruption(source->name() +
                                ": not a PyTorch checkpoint (no zip or legacy "
                                "magic)");
    }
    ckpt->files.push_back(cf);
    if (ckpt.ok()) ckpt->store.set_separator(DottedNamesSeparator(ckpt->store));
    return ckpt;
  } catch (const FormatError& e) {
    return e.status();
  }
}

}  // namespace

// The name in the first local file header (zip APPNOTE 4.3.7: 30 fixed bytes, then the name)
// ends in "/data.pkl".
bool FirstZipRecordIsDataPkl(ByteView bytes) {
  constexpr uint64_t kFixed = 30;
  if (bytes.size < kFixed) return false;
  const uint64_t name_length = static_cast<uint64_t>(bytes[26]) | (uint64_t{bytes[27]} << 8);
  if (name_length > bytes.size - kFixed) return false;
  const std::string_view name(reinterpret_cast<const char*>(bytes.data) + kFixed, name_length);
  return name.ends_with("/data.pkl");
}

bool SniffPyTorch(const std::string& path) {
  if (IsDirectory(path)) {
    return FileExists(path + "/pytorch_model.bin.index.json") ||
           FileExists(path + "/pytorch_model.bin");
  }
  if (EndsWith(path, ".bin.index.json")) return FileExists(path);
  auto file = MappedFile::Open(path);
  if (!file.ok()) return false;
  const ByteView bytes = (*file)->All();
  if (HasLegacyMagic(bytes)) return true;
  if (!LooksLikeZip(bytes)) return false;
  auto dir = ReadZipDirectory(bytes, path);
  if (dir.ok()) return dir->Find("data.pkl") != nullptr;
  // No readable central directory (a truncated copy): torch.save writes
  // "<folder>/data.pkl" as the first record, so its local header still says what this is,
  // and the reader then reports the damage instead of "not a checkpoint".
  return FirstZipRecordIsDataPkl(bytes);
}

Result<Checkpoint> OpenPyTorchBytes(std::shared_ptr<const ByteSource> bytes,
                                    const ReadOptions& options) {
  return OpenSource(std::move(bytes), options);
}

Result<Checkpoint> OpenPyTorch(const std::string& path, const ReadOptions& options) {
  if (IsDirectory(path)) {
    if (FileExists(path + "/pytorch_model.bin.index.json")) {
      return OpenPyTorchIndex(path + "/pytorch_model.bin.index.json", options);
    }
    return OpenPyTorch(path + "/pytorch_model.bin", options);
  }
  if (EndsWith(path, ".index.json")) return OpenPyTorchIndex(path, options);
  RESCOPE_ASSIGN_OR_RETURN(auto file, MappedFile::Open(path));
  return OpenSource(std::move(file), options);
}

}  // namespace rescope::pytorch
