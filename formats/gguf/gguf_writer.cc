// SPDX-License-Identifier: Apache-2.0
// GGUF output: header serialization, tensor layout at the alignment, streamed tensor bytes.
#include "formats/gguf/gguf_writer.h"

#include <algorithm>
#include <filesystem>
#include <unordered_map>

#include "formats/atomic_output.h"
#include "formats/gguf/gguf_split_name.h"
#include "formats/mapped_file.h"
#include "formats/unwritable_tensors.h"

namespace rescope::gguf {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kDefaultAlignment = 32;
constexpr std::string_view kAlignmentKey = "general.alignment";
// split.count is a uint16.
constexpr size_t kMaxSplitParts = 65535;

// ggml_type values of the plain (non-block) types.
constexpr std::pair<DType, uint32_t> kPlainTypes[] = {
    {DType::kFloat32, 0}, {DType::kFloat16, 1}, {DType::kInt8, 24},    {DType::kInt16, 25},
    {DType::kInt32, 26},  {DType::kInt64, 27},  {DType::kFloat64, 28}, {DType::kBFloat16, 30},
};

void PutU32(std::string& out, uint32_t v) {
  uint8_t b[4];
  StoreLE32(b, v);
  out.append(reinterpret_cast<const char*>(b), 4);
}
void PutU64(std::string& out, uint64_t v) {
  uint8_t b[8];
  StoreLE64(b, v);
  out.append(reinterpret_cast<const char*>(b), 8);
}
void PutString(std::string& out, std::string_view s) {
  PutU64(out, s.size());
  out.append(s);
}

// The elements of an array value (its type and count are written by the caller).
void PutArrayElements(std::string& out, const Value& v);

void PutValue(std::string& out, const Value& v) {
  if (v.type == ValueType::kString) {
    PutString(out, v.text);
    return;
  }
  if (v.type == ValueType::kArray) {
    PutU32(out, static_cast<uint32_t>(v.element_type));
    PutU64(out, v.count);
    PutArrayElements(out, v);
    return;
  }
  const uint32_t size = FixedValueSize(v.type).value_or(0);
  for (uint32_t i = 0; i < size; ++i) out.push_back(static_cast<char>(v.bits >> (8 * i)));
}

void PutArrayElements(std::string& out, const Value& v) {
  if (v.element_type == ValueType::kString) {
    for (const std::string& s : v.strings) PutString(out, s);
  } else if (v.element_type == ValueType::kArray) {
    for (const Value& a : v.arrays) PutValue(out, a);
  } else {
    out.append(v.packed);
  }
}

uint64_t AlignUp(uint64_t n, uint64_t alignment) {
  return (n + alignment - 1) / alignment * alignment;
}

// A tensor to write and the source split part it came from (0 for anything else).
struct OutTensor {
  const TensorEntry* entry;
  size_t source_part;
};

// Tensors in output order: a GGUF source's file order first (split files in order), then
// everything else by name (their part: the source's last).
Result<std::vector<OutTensor>> OrderedTensors(const Checkpoint& source, const TensorStore& store,
                                              const std::string& path) {
  std::vector<const TensorEntry*> all;
  std::vector<std::string> problems;
  for (const auto& [name, e] : store) {
    if (e.kind == EntryKind::kTensor && !e.data) {
      return Status::NotFound(path + ": tensor \"" + name + "\" has no data (" + e.data_error() +
                              ")");
    }
    if (auto why = WhyNotWritable(e)) {
      problems.push_back(TensorProblem(e.name, *why));
    } else {
      all.push_back(&e);
    }
  }
  if (!problems.empty()) return UnwritableTensorsError(path, "GGUF", problems);
  std::vector<OutTensor> out;
  const auto* state = dynamic_cast<const GgufState*>(source.state.get());
  if (state == nullptr) {
    for (const TensorEntry* e : all) out.push_back({e, 0});
    return out;
  }
  struct Place {
    size_t rank;
    size_t part;
  };
  std::unordered_map<std::string_view, Place> place;
  for (size_t part = 0; part < state->headers.size(); ++part) {
    for (const TensorInfo& t : state->headers[part].tensors) {
      place.emplace(t.name, Place{place.size(), part});
    }
  }
  const Place elsewhere{place.size(), state->headers.empty() ? 0 : state->headers.size() - 1};
  auto place_of = [&](const TensorEntry* e) {
    auto it = place.find(e->SourceName());
    return it == place.end() ? elsewhere : it->second;
  };
  std::stable_sort(all.begin(), all.end(), [&](const TensorEntry* a, const TensorEntry* b) {
    return place_of(a).rank < place_of(b).rank;
  });
  for (const TensorEntry* e : all) out.push_back({e, place_of(e).part});
  return out;
}

// The parts of a size-limited output, as gguf-split --split-max-size cuts them: tensors in
// order, a new part when the next tensor (padded to 32 bytes) would take the current one past
// `max_bytes`; a tensor larger than the limit gets a part of its own (gguf-split would stop).
std::vector<std::vector<const TensorEntry*>> PartsBySize(const std::vector<OutTensor>& tensors,
                                                         uint64_t max_bytes) {
  std::vector<std::vector<const TensorEntry*>> parts(1);
  uint64_t current = 0;
  for (const OutTensor& t : tensors) {
    const uint64_t bytes = AlignUp(t.entry->byte_size, kDefaultAlignment);
    if (!parts.back().empty() && current + bytes > max_bytes) {
      parts.emplace_back();
      current = 0;
    }
    parts.back().push_back(t.entry);
    current += bytes;
  }
  return parts;
}

// The source's partition: part i holds the tensors of source part i, in source order.
std::vector<std::vector<const TensorEntry*>> PartsOfSource(const std::vector<OutTensor>& tensors,
                                                           size_t count) {
  std::vector<std::vector<const TensorEntry*>> parts(count);
  for (const OutTensor& t : tensors) parts[std::min(t.source_part, count - 1)].push_back(t.entry);
  return parts;
}

// The split parts of the GGUF source, 0 for a single file or another format.
size_t SourceSplitParts(const Checkpoint& source) {
  const auto* state = dynamic_cast<const GgufState*>(source.state.get());
  return state != nullptr && state->headers.size() > 1 ? state->headers.size() : 0;
}

std::string PartsText(uint64_t n) { return std::to_string(n) + (n == 1 ? " part" : " parts"); }

// How `path` is written: one file, or the parts of a split set (with their file names).
struct PartPlan {
  std::vector<std::vector<const TensorEntry*>> parts;  // one: a single file, no split keys
  std::vector<std::string> paths;
  bool split = false;
};

Result<PartPlan> PlanParts(const Checkpoint& source, const std::vector<OutTensor>& tensors,
                           const std::string& path, uint64_t max_part_bytes) {
  PartPlan plan;
  const std::optional<SplitName> named = ParseSplitName(path);
  if (named && named->number != 1) {
    return Status::InvalidArgument(path + ": names part " + std::to_string(named->number) +
                                   " of a split set; name its first part (" +
                                   SplitPartPath(named->prefix, 1, named->count) + ")");
  }
  const size_t source_parts = SourceSplitParts(source);
  if (max_part_bytes > 0) {
    plan.parts = PartsBySize(tensors, max_part_bytes);
    if (named && named->count != plan.parts.size()) {
      return Status::InvalidArgument(path + ": the name says " + PartsText(named->count) +
                                     ", but --max-shard-size cuts the tensors into " +
                                     PartsText(plan.parts.size()) + "; name the output " +
                                     SplitPartPath(named->prefix, 1, plan.parts.size()) + " or " +
                                     named->prefix + ".gguf (the parts are then named after it)");
    }
  } else if (named) {
    if (source_parts == 0) {
      return Status::InvalidArgument(
          path + ": names part 1 of a " + std::to_string(named->count) +
          "-part split set, but the source (" + source.path +
          ") is not a GGUF split set, so there is no partition to keep; pass --max-shard-size "
          "SIZE to cut the parts by size (gguf-split's rule), or name one file (" +
          named->prefix + ".gguf)");
    }
    if (named->count != source_parts) {
      return Status::InvalidArgument(
          path + ": the name says " + PartsText(named->count) + ", but the source split set " +
          source.path + " has " + PartsText(source_parts) +
          " and each part keeps its tensors; name the output " +
          SplitPartPath(named->prefix, 1, source_parts) + ", or one file (" + named->prefix +
          ".gguf) to merge the parts");
    }
    plan.parts = PartsOfSource(tensors, source_parts);
  } else {
    plan.parts.emplace_back();
    for (const OutTensor& t : tensors) plan.parts.back().push_back(t.entry);
  }
  plan.split = named.has_value() || plan.parts.size() > 1;
  if (!plan.split) {
    plan.paths.push_back(path);
    return plan;
  }
  if (plan.parts.size() > kMaxSplitParts) {
    return Status::InvalidArgument(path + ": " + PartsText(plan.parts.size()) +
                                   "; split.count is a uint16, so a split set has at most " +
                                   std::to_string(kMaxSplitParts));
  }
  const std::string prefix =
      named ? named->prefix : (path.ends_with(".gguf") ? path.substr(0, path.size() - 5) : path);
  for (size_t i = 0; i < plan.parts.size(); ++i) {
    plan.paths.push_back(SplitPartPath(prefix, i + 1, plan.parts.size()));
  }
  return plan;
}

// Parts of another split set under the same prefix (another part count): writing beside them
// would leave two sets under one name, and replacing them means deleting files the user did
// not name, so the write is refused and names them.
Status RefuseOtherSplitSet(const std::string& first_part, size_t count) {
  const SplitName named = *ParseSplitName(first_part);
  const fs::path dir = fs::path(first_part).parent_path();
  std::error_code ec;
  std::vector<std::string> others;
  for (const auto& f : fs::directory_iterator(dir.empty() ? fs::path(".") : dir, ec)) {
    const std::string candidate = (dir / f.path().filename()).string();
    const std::optional<SplitName> other = ParseSplitName(candidate);
    if (other && other->prefix == named.prefix && other->count != count) {
      others.push_back(f.path().filename().string());
    }
  }
  if (others.empty()) return Status::Ok();
  std::sort(others.begin(), others.end());
  std::string listed;
  for (const std::string& o : others) listed += (listed.empty() ? "" : ", ") + o;
  return Status::InvalidArgument(first_part + ": another split set of this name is there (" +
                                 listed + "); writing a " + std::to_string(count) +
                                 "-part set beside it would leave two sets under one name: "
                                 "remove it, or choose another output name");
}

// The split keys llama.cpp's gguf-split writes into every part (after the first part's
// other metadata): split.no (uint16, 0-based), split.count (uint16), split.tensors.count
// (int32, all parts together).
void AppendSplitKeys(std::vector<KeyValue>& metadata, size_t number, size_t count, size_t tensors) {
  auto scalar = [](std::string key, ValueType type, uint64_t bits) {
    KeyValue kv;
    kv.key = std::move(key);
    kv.value.type = type;
    kv.value.bits = bits;
    return kv;
  };
  metadata.push_back(scalar("split.no", ValueType::kUInt16, number));
  metadata.push_back(scalar("split.count", ValueType::kUInt16, count));
  metadata.push_back(scalar("split.tensors.count", ValueType::kInt32, tensors));
}

// Lays out and appends one GGUF file: header, padding, each tensor padded to the alignment.
Status WriteOneFile(AtomicOutput& out, const std::string& path,
                    const std::vector<KeyValue>& metadata,
                    const std::vector<const TensorEntry*>& entries) {
  auto alignment = AlignmentOf(metadata);
  if (!alignment.ok()) return alignment.status().WithContext(path);
  std::vector<TensorInfo> infos;
  uint64_t offset = 0;
  for (const TensorEntry* e : entries) {
    TensorInfo t;
    t.name = e->name;
    t.dims.assign(e->shape.rbegin(), e->shape.rend());
    t.ggml_type = *GgmlTypeFor(e->dtype);
    t.offset = offset;
    offset = AlignUp(offset + e->byte_size, *alignment);
    infos.push_back(std::move(t));
  }
  std::string header = SerializeHeader(metadata, infos);
  header.resize(AlignUp(header.size(), *alignment), '\0');
  RESCOPE_ASSIGN_OR_RETURN(OutputFile * file, out.Create(path));
  RESCOPE_RETURN_IF_ERROR(file->Append(header));
  const std::string zeros(*alignment, '\0');
  for (const TensorEntry* e : entries) {
    RESCOPE_RETURN_IF_ERROR(file->AppendFrom(*e->data, e->data_offset, e->byte_size));
    const uint64_t pad = AlignUp(e->byte_size, *alignment) - e->byte_size;
    RESCOPE_RETURN_IF_ERROR(file->Append(zeros.data(), pad));
  }
  return Status::Ok();
}

}  // namespace

std::optional<uint32_t> GgmlTypeFor(DType dtype) {
  for (const auto& [d, t] : kPlainTypes) {
    if (d == dtype) return t;
  }
  if (IsGgmlBlockDType(dtype)) return static_cast<uint32_t>(DTypeValue(dtype) - kGgmlTypeBase);
  return std::nullopt;
}

std::optional<std::string> WhyNotWritable(const TensorEntry& e) {
  if (e.kind == EntryKind::kPartitioned)
    return "partitioned variable (its slices are stored separately)";
  if (e.kind == EntryKind::kSlice) return "stored slice of a partitioned variable";
  if (e.is_metadata) return "checkpoint metadata, not a tensor";
  if (e.name.size() > kMaxTensorNameBytes) {
    return "the name has " + std::to_string(e.name.size()) + " bytes; ggml allows at most " +
           std::to_string(kMaxTensorNameBytes);
  }
  if (e.name.empty()) return "the name is empty";
  const auto type = GgmlTypeFor(e.dtype);
  if (!type) return "dtype " + DTypeName(e.dtype) + " has no GGUF tensor type";
  if (e.shape.size() > kMaxDims) {
    return "rank " + std::to_string(e.shape.size()) + " (shape " + ShapeToString(e.shape) +
           "); ggml tensors have at most 4 dims";
  }
  const auto elements = ShapeNumElements(e.shape);
  if (IsGgmlBlockDType(e.dtype)) {
    // ggml quantizes along rows: the innermost dim (GGUF's dims[0]) holds whole blocks.
    const auto block = DTypeBlock(e.dtype);
    const int64_t row = e.shape.empty() ? 1 : e.shape.back();
    if (!block || row % block->block_elements != 0) {
      return "shape " + ShapeToString(e.shape) + ": rows are not whole " + DTypeName(e.dtype) +
             " blocks";
    }
  }
  const auto bytes = elements ? DTypeStoredBytes(e.dtype, *elements) : std::nullopt;
  if (!bytes)
    return "shape " + ShapeToString(e.shape) + " is not storable as " + DTypeName(e.dtype);
  if (*bytes != e.byte_size) {
    return DTypeName(e.dtype) + " " + ShapeToString(e.shape) + " is stored in " +
           std::to_string(e.byte_size) + " bytes; GGUF needs " + std::to_string(*bytes);
  }
  return std::nullopt;
}

Result<uint64_t> AlignmentOf(const std::vector<KeyValue>& metadata) {
  for (const KeyValue& kv : metadata) {
    if (kv.key != kAlignmentKey) continue;
    if (kv.value.type != ValueType::kUInt32) {
      return Status::InvalidArgument(std::string(kAlignmentKey) + " is " +
                                     ValueTypeName(kv.value.type) + "; GGUF needs uint32");
    }
    const uint64_t a = kv.value.bits;
    if (a == 0 || (a & (a - 1)) != 0) {
      return Status::InvalidArgument(std::string(kAlignmentKey) + " = " + std::to_string(a) +
                                     ": must be a power of two");
    }
    return a;
  }
  return kDefaultAlignment;
}

std::string SerializeHeader(const std::vector<KeyValue>& metadata,
                            const std::vector<TensorInfo>& tensors) {
  std::string out = "GGUF";
  PutU32(out, 3);
  PutU64(out, tensors.size());
  PutU64(out, metadata.size());
  for (const KeyValue& kv : metadata) {
    PutString(out, kv.key);
    PutU32(out, static_cast<uint32_t>(kv.value.type));
    PutValue(out, kv.value);
  }
  for (const TensorInfo& t : tensors) {
    PutString(out, t.name);
    PutU32(out, static_cast<uint32_t>(t.dims.size()));
    for (uint64_t d : t.dims) PutU64(out, d);
    PutU32(out, t.ggml_type);
    PutU64(out, t.offset);
  }
  return out;
}

std::vector<KeyValue> SourceMetadata(const Checkpoint& source) {
  const auto* state = dynamic_cast<const GgufState*>(source.state.get());
  if (state == nullptr || state->headers.empty()) return {};
  std::vector<KeyValue> md = state->headers.front().metadata;
  if (state->headers.size() > 1) {
    std::erase_if(md, [](const KeyValue& kv) { return kv.key.starts_with("split."); });
  }
  return md;
}

Result<std::vector<std::string>> WriteGguf(const Checkpoint& source, const TensorStore& store,
                                           const std::string& path,
                                           const std::vector<KeyValue>& metadata,
                                           const WriteOptions& options) {
  RESCOPE_ASSIGN_OR_RETURN(const std::vector<OutTensor> tensors,
                           OrderedTensors(source, store, path));
  RESCOPE_ASSIGN_OR_RETURN(const PartPlan plan,
                           PlanParts(source, tensors, path, options.max_part_bytes));
  if (auto alignment = AlignmentOf(metadata); !alignment.ok()) {
    return alignment.status().WithContext(path);
  }
  AtomicOutput out;
  if (!plan.split) {
    RESCOPE_RETURN_IF_ERROR(WriteOneFile(out, path, metadata, plan.parts.front()));
    RESCOPE_RETURN_IF_ERROR(out.Commit());
    return plan.paths;
  }
  RESCOPE_RETURN_IF_ERROR(RefuseOtherSplitSet(plan.paths.front(), plan.parts.size()));
  // The CLI compares only the output's name with the input's (part 1 here); a set opened
  // through another part would be replaced without --in-place.
  if (!options.replaces_input) {
    for (const std::string& part : plan.paths) {
      for (const CheckpointFile& f : source.files) {
        std::error_code ec;
        if (fs::equivalent(part, f.path, ec)) {
          return Status::InvalidArgument(
              part +
              ": output is a part of the input checkpoint; to replace the input, name "
              "it as the input (" +
              source.path + ") and pass --in-place (it is swapped in only when complete)");
        }
      }
    }
  }
  // The first part carries the model's metadata; a split source's own split.* keys describe
  // its old partition and are replaced by this one's.
  std::vector<KeyValue> first = metadata;
  std::erase_if(first, [](const KeyValue& kv) { return kv.key.starts_with("split."); });
  const size_t count = plan.parts.size();
  // Later parts first: the first part is the one a loader opens, so it is renamed into place
  // last (all of them go through one journaled commit either way).
  for (size_t i = count; i-- > 0;) {
    std::vector<KeyValue> part_metadata = i == 0 ? first : std::vector<KeyValue>{};
    AppendSplitKeys(part_metadata, i, count, tensors.size());
    RESCOPE_RETURN_IF_ERROR(WriteOneFile(out, plan.paths[i], part_metadata, plan.parts[i]));
  }
  RESCOPE_RETURN_IF_ERROR(out.Commit());
  return plan.paths;
}

}  // namespace rescope::gguf
