// SPDX-License-Identifier: Apache-2.0
// Opening GGUF files and split sets into a Checkpoint.
#include "formats/gguf/gguf_reader.h"

#include <cstring>
#include <filesystem>
#include <map>

#include "core/values/float_repr.h"
#include "formats/gguf/gguf_header.h"
#include "formats/gguf/gguf_split_name.h"
#include "formats/mapped_file.h"

namespace rescope::gguf {
namespace {

namespace fs = std::filesystem;

struct Part {
  std::string path;
  std::shared_ptr<const ByteSource> data;
  Header header;
};

Result<Part> OpenPart(const std::string& path) {
  RESCOPE_ASSIGN_OR_RETURN(std::shared_ptr<MappedFile> mapped, MappedFile::Open(path));
  Part part;
  part.path = path;
  RESCOPE_ASSIGN_OR_RETURN(part.header, ParseHeader(*mapped));
  part.data = std::move(mapped);
  return part;
}

std::string DimsText(const std::vector<uint64_t>& dims) {
  std::string out = "[";
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i > 0) out += ", ";
    out += std::to_string(dims[i]);
  }
  return out + "]";
}

Status AddEntries(const Part& part, int32_t shard, TensorStore& store) {
  for (const TensorInfo& t : part.header.tensors) {
    if (store.Find(t.name) != nullptr) {
      return Status::Corruption(part.path + ": tensor \"" + t.name +
                                "\" is also in an earlier part of the split set");
    }
    TensorEntry e;
    e.name = t.name;
    e.dtype = *DTypeOfGgmlType(t.ggml_type);  // the header parser refused unknown types
    for (auto it = t.dims.rbegin(); it != t.dims.rend(); ++it) {
      e.shape.push_back(static_cast<int64_t>(*it));
    }
    e.byte_size = *TensorByteSize(t);  // checked by the header parser
    e.data = part.data;
    e.data_offset = part.header.data_offset + t.offset;
    e.shard = shard;
    e.mutable_notes().emplace_back("ggml_type", GgmlTypeName(t.ggml_type));
    e.mutable_notes().emplace_back("gguf_dims", DimsText(t.dims));
    if (shard >= 0)
      e.mutable_notes().emplace_back("split", fs::path(part.path).filename().string());
    RESCOPE_RETURN_IF_ERROR(store.Add(std::move(e)).WithContext(part.path));
  }
  return Status::Ok();
}

std::string QuotedText(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string ScalarText(ValueType type, uint64_t bits) {
  switch (type) {
    case ValueType::kUInt8:
    case ValueType::kUInt16:
    case ValueType::kUInt32:
    case ValueType::kUInt64:
      return std::to_string(bits);
    case ValueType::kInt8:
      return std::to_string(static_cast<int8_t>(bits));
    case ValueType::kInt16:
      return std::to_string(static_cast<int16_t>(bits));
    case ValueType::kInt32:
      return std::to_string(static_cast<int32_t>(bits));
    case ValueType::kInt64:
      return std::to_string(static_cast<int64_t>(bits));
    case ValueType::kFloat32: {
      float f;
      const auto b = static_cast<uint32_t>(bits);
      std::memcpy(&f, &b, 4);
      return ShortestText(f, DType::kFloat32);
    }
    case ValueType::kFloat64: {
      double d;
      std::memcpy(&d, &bits, 8);
      return ShortestText(d, DType::kFloat64);
    }
    case ValueType::kBool:
      if (bits > 1) return "true (stored as " + std::to_string(bits) + ")";
      return bits ? "true" : "false";
    default:
      return "";
  }
}

uint64_t PackedElementBits(const Value& v, uint64_t i) {
  const uint32_t size = *FixedValueSize(v.element_type);
  uint64_t bits = 0;
  for (uint32_t k = 0; k < size; ++k) {
    bits |= static_cast<uint64_t>(static_cast<uint8_t>(v.packed[i * size + k])) << (8 * k);
  }
  return bits;
}

void AddTypeMix(const std::vector<Part>& parts, Checkpoint& ckpt) {
  struct Mix {
    uint64_t tensors = 0, bytes = 0;
  };
  std::map<uint32_t, Mix> mix;
  for (const Part& part : parts) {
    for (const TensorInfo& t : part.header.tensors) {
      mix[t.ggml_type].tensors += 1;
      mix[t.ggml_type].bytes += *TensorByteSize(t);
    }
  }
  for (const auto& [type, m] : mix) {
    ckpt.properties.emplace_back(
        "tensor type " + GgmlTypeName(type),
        std::to_string(m.tensors) + " tensors, " + std::to_string(m.bytes) + " bytes");
  }
}

void AddTokenizer(const Header& h, Checkpoint& ckpt) {
  if (const Value* model = FindValue(h, "tokenizer.ggml.model");
      model && model->type == ValueType::kString) {
    ckpt.properties.emplace_back("tokenizer model", model->text);
  }
  for (const char* key : {"tokenizer.ggml.tokens", "tokenizer.ggml.merges"}) {
    const Value* v = FindValue(h, key);
    if (v && v->type == ValueType::kArray) {
      ckpt.properties.emplace_back(
          std::string("tokenizer ") + (std::strstr(key, "tokens") ? "tokens" : "merges"),
          std::to_string(v->count));
    }
  }
}

void AddMetadata(const Part& part, const Header* first, Checkpoint& ckpt) {
  for (const KeyValue& kv : part.header.metadata) {
    const std::string text = DescribeValue(kv.value);
    if (first == nullptr) {
      ckpt.properties.emplace_back("metadata." + kv.key, text);
      continue;
    }
    // Later split parts: only what differs from the first part.
    const Value* in_first = FindValue(*first, kv.key);
    if (in_first == nullptr || DescribeValue(*in_first) != text) {
      ckpt.properties.emplace_back(
          "metadata." + kv.key + " (" + fs::path(part.path).filename().string() + ")", text);
    }
  }
}

Checkpoint Assemble(std::vector<Part> parts, const std::string& path) {
  Checkpoint ckpt;
  ckpt.format = kFormatName;
  ckpt.path = path;
  const Header& first = parts[0].header;
  const size_t n = parts.size();
  ckpt.format_version = "GGUF v" + std::to_string(first.version);
  if (n > 1) ckpt.format_version += " (" + std::to_string(n) + " split files)";
  ckpt.properties.emplace_back("GGUF version", std::to_string(first.version));
  if (const Value* arch = FindValue(first, "general.architecture");
      arch && arch->type == ValueType::kString) {
    ckpt.properties.emplace_back("architecture", arch->text);
  }
  ckpt.properties.emplace_back("alignment", std::to_string(first.alignment));
  if (n > 1) ckpt.properties.emplace_back("split files", std::to_string(n));
  AddTypeMix(parts, ckpt);
  AddTokenizer(first, ckpt);
  for (size_t i = 0; i < n; ++i) {
    ckpt.files.push_back(
        {parts[i].path,
         n > 1 ? "split " + std::to_string(i + 1) + " of " + std::to_string(n) : "weights", true,
         parts[i].data->size()});
    AddMetadata(parts[i], i == 0 ? nullptr : &first, ckpt);
  }
  auto state = std::make_shared<GgufState>();
  for (Part& part : parts) {
    state->paths.push_back(part.path);
    state->headers.push_back(std::move(part.header));
  }
  ckpt.state = std::move(state);
  return ckpt;
}

Result<Checkpoint> FromParts(std::vector<Part> parts, const std::string& path) {
  TensorStore store;
  const bool split = parts.size() > 1;
  for (size_t i = 0; i < parts.size(); ++i) {
    RESCOPE_RETURN_IF_ERROR(AddEntries(parts[i], split ? static_cast<int32_t>(i) : -1, store));
  }
  Checkpoint ckpt = Assemble(std::move(parts), path);
  ckpt.store = std::move(store);
  ckpt.store.set_separator('.');
  return ckpt;
}

// Opens every part of the split set `first_opened` belongs to and checks that they agree.
Result<std::vector<Part>> OpenSplitSet(Part opened, uint64_t count) {
  const std::string& path = opened.path;
  const std::optional<SplitName> name = ParseSplitName(path);
  if (!name) {
    return Status::NotSupported(
        path + ": key split.count is " + std::to_string(count) +
        ", but the file name does not end in -NNNNN-of-NNNNN.gguf, so the other parts of the "
        "split set cannot be found; give the parts their llama.cpp names");
  }
  if (name->count != count) {
    // The count as the name spells it ("00002"): the name ends in "NNNNN.gguf".
    return Status::Corruption(path + ": the name says " + path.substr(path.size() - 10, 5) +
                              " parts, but key split.count is " + std::to_string(count));
  }
  const std::string& prefix = name->prefix;
  std::vector<Part> parts;
  uint64_t tensors = 0;
  const std::optional<uint64_t> total = UnsignedValue(opened.header, "split.tensors.count");
  for (uint64_t i = 0; i < count; ++i) {
    const std::string part_path = SplitPartPath(prefix, i + 1, count);
    Part part;
    if (part_path == path) {
      part = std::move(opened);
    } else {
      if (!FileExists(part_path)) {
        return Status::NotFound(part_path + ": part " + std::to_string(i + 1) + " of " +
                                std::to_string(count) + " of the split set of " + path +
                                " is missing");
      }
      RESCOPE_ASSIGN_OR_RETURN(part, OpenPart(part_path));
    }
    const std::optional<uint64_t> no = UnsignedValue(part.header, "split.no");
    const std::optional<uint64_t> its_count = UnsignedValue(part.header, "split.count");
    if (no != i || its_count != count) {
      return Status::Corruption(part_path + ": expected part " + std::to_string(i + 1) + " of " +
                                std::to_string(count) + " (split.no " + std::to_string(i) +
                                ", split.count " + std::to_string(count) + "), found split.no " +
                                (no ? std::to_string(*no) : "absent") + ", split.count " +
                                (its_count ? std::to_string(*its_count) : "absent"));
    }
    if (UnsignedValue(part.header, "split.tensors.count") != total) {
      return Status::Corruption(part_path + ": key split.tensors.count differs from " + path);
    }
    tensors += part.header.tensors.size();
    parts.push_back(std::move(part));
  }
  if (total && *total != tensors) {
    return Status::Corruption(path + ": key split.tensors.count is " + std::to_string(*total) +
                              ", but the " + std::to_string(count) + " parts hold " +
                              std::to_string(tensors) + " tensors");
  }
  return parts;
}

}  // namespace

std::string DescribeValue(const Value& value, size_t max_elements) {
  if (value.type == ValueType::kString) return value.text;
  if (value.type != ValueType::kArray) return ScalarText(value.type, value.bits);
  std::string out =
      "array of " + std::to_string(value.count) + " " + ValueTypeName(value.element_type);
  if (value.count == 0) return out;
  out += ": [";
  const uint64_t shown = std::min<uint64_t>(value.count, max_elements);
  for (uint64_t i = 0; i < shown; ++i) {
    if (i > 0) out += ", ";
    if (value.element_type == ValueType::kString) {
      out += QuotedText(value.strings[i]);
    } else if (value.element_type == ValueType::kArray) {
      out += "(" + DescribeValue(value.arrays[i], max_elements) + ")";
    } else {
      out += ScalarText(value.element_type, PackedElementBits(value, i));
    }
  }
  if (shown < value.count) out += ", ...";
  return out + "]";
}

bool SniffGguf(const std::string& path) {
  if (!FileExists(path)) return false;
  auto mapped = MappedFile::Open(path);
  return mapped.ok() && HasGgufMagic(**mapped);
}

Result<Checkpoint> OpenGgufSource(std::shared_ptr<const ByteSource> file) {
  Part part;
  part.path = file->name();
  RESCOPE_ASSIGN_OR_RETURN(part.header, ParseHeader(*file));
  part.data = std::move(file);
  std::vector<Part> parts;
  const std::string path = part.path;
  parts.push_back(std::move(part));
  return FromParts(std::move(parts), path);
}

Result<Checkpoint> OpenGguf(const std::string& path) {
  RESCOPE_ASSIGN_OR_RETURN(Part part, OpenPart(path));
  const std::optional<uint64_t> count = UnsignedValue(part.header, "split.count");
  const Value* count_value = FindValue(part.header, "split.count");
  if (count_value != nullptr && !count) {
    return Status::Corruption(path + ": key split.count is a " + ValueTypeName(count_value->type) +
                              " value; expected a nonnegative integer");
  }
  if (!count || *count <= 1) {
    const std::optional<uint64_t> no = UnsignedValue(part.header, "split.no");
    if (no && *no != 0) {
      return Status::Corruption(path + ": key split.no is " + std::to_string(*no) +
                                " but split.count is " +
                                (count ? std::to_string(*count) : "absent"));
    }
    std::vector<Part> parts;
    parts.push_back(std::move(part));
    return FromParts(std::move(parts), path);
  }
  RESCOPE_ASSIGN_OR_RETURN(std::vector<Part> parts, OpenSplitSet(std::move(part), *count));
  return FromParts(std::move(parts), path);
}

}  // namespace rescope::gguf
