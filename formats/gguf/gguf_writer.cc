// SPDX-License-Identifier: Apache-2.0
// GGUF output: header serialization, tensor layout at the alignment, streamed tensor bytes.
#include "formats/gguf/gguf_writer.h"

#include <algorithm>
#include <unordered_map>

#include "formats/atomic_output.h"
#include "formats/mapped_file.h"

namespace rescope::gguf {
namespace {

constexpr size_t kMaxListedProblems = 20;
constexpr uint64_t kDefaultAlignment = 32;
constexpr std::string_view kAlignmentKey = "general.alignment";

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

const TensorEntry* CheckedEntry(const TensorEntry& e, std::string& problems, size_t& count) {
  if (auto why = WhyNotWritable(e)) {
    if (++count <= kMaxListedProblems) problems += "\n  \"" + e.name + "\": " + *why;
    return nullptr;
  }
  return &e;
}

// Tensors in output order: a GGUF source's file order first (split files in order), then
// everything else by name.
Result<std::vector<const TensorEntry*>> OrderedTensors(const Checkpoint& source,
                                                       const TensorStore& store,
                                                       const std::string& path) {
  std::vector<const TensorEntry*> all;
  std::string problems;
  size_t count = 0;
  for (const auto& [name, e] : store) {
    if (e.kind == EntryKind::kTensor && !e.data) {
      return Status::NotFound(path + ": tensor \"" + name + "\" has no data (" + e.data_error() +
                              ")");
    }
    if (const TensorEntry* ok = CheckedEntry(e, problems, count)) all.push_back(ok);
  }
  if (count > kMaxListedProblems) {
    problems += "\n  ... and " + std::to_string(count - kMaxListedProblems) + " more";
  }
  if (count > 0) {
    return Status::NotSupported(path + ": " + std::to_string(count) +
                                (count == 1 ? " tensor" : " tensors") +
                                " cannot be written as GGUF:" + problems);
  }
  const auto* state = dynamic_cast<const GgufState*>(source.state.get());
  if (state == nullptr) return all;
  std::unordered_map<std::string_view, size_t> rank;
  for (const Header& h : state->headers) {
    for (const TensorInfo& t : h.tensors) rank.emplace(t.name, rank.size());
  }
  auto rank_of = [&](const TensorEntry* e) {
    auto it = rank.find(e->SourceName());
    return it == rank.end() ? rank.size() : it->second;
  };
  std::stable_sort(all.begin(), all.end(), [&](const TensorEntry* a, const TensorEntry* b) {
    return rank_of(a) < rank_of(b);
  });
  return all;
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
                                           const std::vector<KeyValue>& metadata) {
  RESCOPE_ASSIGN_OR_RETURN(const std::vector<const TensorEntry*> entries,
                           OrderedTensors(source, store, path));
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
  AtomicOutput out;
  RESCOPE_ASSIGN_OR_RETURN(OutputFile * file, out.Create(path));
  RESCOPE_RETURN_IF_ERROR(file->Append(header));
  const std::string zeros(*alignment, '\0');
  for (const TensorEntry* e : entries) {
    RESCOPE_RETURN_IF_ERROR(file->AppendFrom(*e->data, e->data_offset, e->byte_size));
    const uint64_t pad = AlignUp(e->byte_size, *alignment) - e->byte_size;
    RESCOPE_RETURN_IF_ERROR(file->Append(zeros.data(), pad));
  }
  RESCOPE_RETURN_IF_ERROR(out.Commit());
  return std::vector<std::string>{path};
}

}  // namespace rescope::gguf
