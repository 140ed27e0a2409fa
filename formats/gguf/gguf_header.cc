// SPDX-License-Identifier: Apache-2.0
// GGUF header parsing and validation.
#include "formats/gguf/gguf_header.h"

#include <algorithm>
#include <limits>
#include <set>
#include <vector>

#include "formats/byte_cursor.h"

namespace rescope::gguf {
namespace {

struct GgmlTypeRow {
  uint32_t ggml_type;
  const char* name;
  DType dtype;
};

// ggml.h's ggml_type numbers (gguf-py constants.py GGMLQuantizationType agrees). Numbers
// 4, 5, 31-33 and 36-38 belong to types ggml removed; no current file holds them.
constexpr GgmlTypeRow kGgmlTypes[] = {
    {0, "F32", DType::kFloat32},
    {1, "F16", DType::kFloat16},
    {2, "Q4_0", DType::kGgmlQ4_0},
    {3, "Q4_1", DType::kGgmlQ4_1},
    {6, "Q5_0", DType::kGgmlQ5_0},
    {7, "Q5_1", DType::kGgmlQ5_1},
    {8, "Q8_0", DType::kGgmlQ8_0},
    {9, "Q8_1", DType::kGgmlQ8_1},
    {10, "Q2_K", DType::kGgmlQ2_K},
    {11, "Q3_K", DType::kGgmlQ3_K},
    {12, "Q4_K", DType::kGgmlQ4_K},
    {13, "Q5_K", DType::kGgmlQ5_K},
    {14, "Q6_K", DType::kGgmlQ6_K},
    {15, "Q8_K", DType::kGgmlQ8_K},
    {16, "IQ2_XXS", DType::kGgmlIQ2_XXS},
    {17, "IQ2_XS", DType::kGgmlIQ2_XS},
    {18, "IQ3_XXS", DType::kGgmlIQ3_XXS},
    {19, "IQ1_S", DType::kGgmlIQ1_S},
    {20, "IQ4_NL", DType::kGgmlIQ4_NL},
    {21, "IQ3_S", DType::kGgmlIQ3_S},
    {22, "IQ2_S", DType::kGgmlIQ2_S},
    {23, "IQ4_XS", DType::kGgmlIQ4_XS},
    {24, "I8", DType::kInt8},
    {25, "I16", DType::kInt16},
    {26, "I32", DType::kInt32},
    {27, "I64", DType::kInt64},
    {28, "F64", DType::kFloat64},
    {29, "IQ1_M", DType::kGgmlIQ1_M},
    {30, "BF16", DType::kBFloat16},
    {34, "TQ1_0", DType::kGgmlTQ1_0},
    {35, "TQ2_0", DType::kGgmlTQ2_0},
    {39, "MXFP4", DType::kGgmlMXFP4},
    {40, "NVFP4", DType::kGgmlNVFP4},
    {41, "Q1_0", DType::kGgmlQ1_0},
};

const GgmlTypeRow* FindGgmlType(uint32_t ggml_type) {
  for (const GgmlTypeRow& row : kGgmlTypes) {
    if (row.ggml_type == ggml_type) return &row;
  }
  return nullptr;
}

bool IsPowerOfTwo(uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

// The fewest bytes one element of an array of `type` occupies: its size, a string's 8-byte
// length, a nested array's 4-byte type and 8-byte count. Bounds a claimed count before any
// allocation.
uint64_t MinElementBytes(ValueType type) {
  if (auto size = FixedValueSize(type)) return *size;
  return type == ValueType::kString ? 8 : 12;
}

std::string Quoted(const std::string& s) { return "\"" + s + "\""; }

// Reserving a claimed count up front would let a small hostile file (whose count passed the
// bytes-left check) allocate many times its size in objects; beyond this, vectors grow only
// as elements are actually read.
uint64_t CappedReserve(uint64_t count) { return std::min<uint64_t>(count, 4096); }

constexpr uint64_t kMaxNestedArrays = uint64_t{1} << 20;

class HeaderParser {
 public:
  HeaderParser(ByteView bytes, const std::string& file)
      : cursor_(bytes, file, "header"), file_(file), file_size_(bytes.size) {}

  Header Parse() {
    Header h;
    const uint32_t magic = cursor_.ReadFixed32("magic");
    if (magic != kMagic) cursor_.FailAt(0, "not a GGUF file (magic is not \"GGUF\")");
    h.version = ReadVersion();
    const uint64_t tensor_count = cursor_.ReadFixed64("tensor count");
    const uint64_t kv_count = cursor_.ReadFixed64("metadata key-value count");
    // A key-value pair takes at least 13 bytes (key length, type, a 1-byte value), a tensor
    // info at least 24 (name length, n_dims, type, offset).
    CheckCount(kv_count, 13, "metadata key-value pairs");
    h.metadata.reserve(CappedReserve(kv_count));
    std::set<std::string, std::less<>> keys;
    for (uint64_t i = 0; i < kv_count; ++i) {
      const size_t at = cursor_.position();
      KeyValue kv;
      kv.key = ReadString("key of metadata pair #" + std::to_string(i));
      if (!keys.insert(kv.key).second) cursor_.FailAt(at, "duplicate key " + Quoted(kv.key));
      const ValueType type = ReadType("type of key " + Quoted(kv.key));
      kv.value = ReadValue(type, kv.key, 0);
      h.metadata.push_back(std::move(kv));
    }
    h.alignment = ReadAlignment(h);
    CheckCount(tensor_count, 24, "tensor infos");
    h.tensors.reserve(CappedReserve(tensor_count));
    info_offsets_.reserve(CappedReserve(tensor_count));
    for (uint64_t i = 0; i < tensor_count; ++i) h.tensors.push_back(ReadTensorInfo(i));
    const uint64_t header_end = cursor_.position();
    h.data_offset = header_end + (h.alignment - header_end % h.alignment) % h.alignment;
    CheckTensors(h);
    return h;
  }

 private:
  uint32_t ReadVersion() {
    const uint32_t version = cursor_.ReadFixed32("version");
    if (version == 2 || version == 3) return version;
    if ((version & 0xffff) == 0 && version != 0) {
      // The magic is written byte by byte in both byte orders; the version is not.
      const uint32_t swapped = ((version >> 24) & 0xff) | ((version >> 8) & 0xff00);
      ThrowStatus(Status::NotSupported(
          file_ + ": header @0x4: version bytes read as " + std::to_string(version) +
          ": this is a big-endian GGUF (version " + std::to_string(swapped) +
          " byte-swapped); rescope reads little-endian GGUF only (gguf-py's "
          "gguf_convert_endian.py converts it)"));
    }
    if (version == 1) {
      ThrowStatus(Status::NotSupported(
          file_ +
          ": header @0x4: GGUF v1 (32-bit counts and lengths) is not supported, as "
          "in llama.cpp; convert the model again with a current llama.cpp"));
    }
    ThrowStatus(Status::NotSupported(file_ + ": header @0x4: GGUF version " +
                                     std::to_string(version) +
                                     " is not supported (rescope reads versions 2 and 3)"));
  }

  void CheckCount(uint64_t count, uint64_t min_bytes, const std::string& what) {
    if (count > cursor_.remaining() / min_bytes) {
      cursor_.Fail(std::to_string(count) + " " + what + " need at least " +
                   std::to_string(min_bytes) + " bytes each, but only " +
                   std::to_string(cursor_.remaining()) + " bytes are left in the file");
    }
  }

  std::string ReadString(const std::string& what) {
    const uint64_t length = cursor_.ReadFixed64(what + " length");
    const ByteView bytes = cursor_.ReadBytes(length, what);
    return std::string(bytes.AsStringView());
  }

  // ReadString for the elements of a string array (a vocabulary holds 150,000): the message
  // text is built only when the element is truncated.
  std::string ReadArrayString(const std::string& key, uint64_t i) {
    if (cursor_.remaining() >= 8) {
      const uint64_t length = cursor_.ReadFixed64("");
      if (length <= cursor_.remaining())
        return std::string(cursor_.ReadBytes(length, "").AsStringView());
      cursor_.FailAt(cursor_.position() - 8,
                     "string #" + std::to_string(i) + " of array key " + Quoted(key) + ": length " +
                         std::to_string(length) + " runs past end (" +
                         std::to_string(cursor_.remaining()) + " bytes left)");
    }
    return ReadString("string #" + std::to_string(i) + " of array key " + Quoted(key));
  }

  ValueType ReadType(const std::string& what) {
    const size_t at = cursor_.position();
    const uint32_t raw = cursor_.ReadFixed32(what);
    if (raw > static_cast<uint32_t>(ValueType::kFloat64)) {
      cursor_.FailAt(at, what + ": unknown value type " + std::to_string(raw) +
                             " (GGUF value types are 0..12)");
    }
    return static_cast<ValueType>(raw);
  }

  Value ReadValue(ValueType type, const std::string& key, int depth) {
    Value v;
    v.type = type;
    if (auto size = FixedValueSize(type)) {
      const ByteView b = cursor_.ReadBytes(*size, "value of key " + Quoted(key));
      for (uint32_t i = 0; i < *size; ++i) v.bits |= static_cast<uint64_t>(b.data[i]) << (8 * i);
      return v;
    }
    if (type == ValueType::kString) {
      v.text = ReadString("value of key " + Quoted(key));
      return v;
    }
    const size_t at = cursor_.position();
    if (depth >= kMaxArrayDepth) {
      cursor_.FailAt(at, "key " + Quoted(key) + ": arrays nested deeper than " +
                             std::to_string(kMaxArrayDepth) + " levels");
    }
    v.element_type = ReadType("element type of array key " + Quoted(key));
    v.count = cursor_.ReadFixed64("element count of array key " + Quoted(key));
    CheckCount(v.count, MinElementBytes(v.element_type),
               ValueTypeName(v.element_type) + " elements of array key " + Quoted(key));
    if (auto size = FixedValueSize(v.element_type)) {
      v.packed =
          std::string(cursor_.ReadBytes(v.count * *size, "elements of array key " + Quoted(key))
                          .AsStringView());
    } else if (v.element_type == ValueType::kString) {
      v.strings.reserve(CappedReserve(v.count));
      for (uint64_t i = 0; i < v.count; ++i) v.strings.push_back(ReadArrayString(key, i));
    } else {
      // An empty nested array is 12 bytes in the file but a whole Value in memory: a
      // budget keeps a file of them from growing ten times its size in memory. Real files
      // hold none (llama.cpp refuses nested arrays).
      if (v.count > kMaxNestedArrays - nested_arrays_) {
        cursor_.FailAt(at, "key " + Quoted(key) + ": more than " +
                               std::to_string(kMaxNestedArrays) + " nested arrays in the header");
      }
      nested_arrays_ += v.count;
      v.arrays.reserve(CappedReserve(v.count));
      for (uint64_t i = 0; i < v.count; ++i) {
        v.arrays.push_back(ReadValue(ValueType::kArray, key, depth + 1));
      }
    }
    return v;
  }

  uint64_t ReadAlignment(const Header& h) {
    const Value* v = FindValue(h, "general.alignment");
    if (v == nullptr) return kDefaultAlignment;
    // gguf-py and llama.cpp accept only a uint32 here.
    if (v->type != ValueType::kUInt32) {
      cursor_.Fail("key \"general.alignment\" is a " + ValueTypeName(v->type) +
                   "; expected a uint32");
    }
    if (!IsPowerOfTwo(v->bits)) {
      cursor_.Fail("key \"general.alignment\" is " + std::to_string(v->bits) +
                   "; expected a nonzero power of two");
    }
    return v->bits;
  }

  TensorInfo ReadTensorInfo(uint64_t index) {
    const std::string what = "tensor info #" + std::to_string(index);
    info_offsets_.push_back(cursor_.position());
    TensorInfo t;
    t.name = ReadString(what + " name");
    const std::string named = what + " (" + Quoted(t.name) + ")";
    const size_t dims_at = cursor_.position();
    const uint32_t n_dims = cursor_.ReadFixed32(named + " n_dims");
    if (n_dims > kMaxDims) {
      cursor_.FailAt(dims_at, named + ": " + std::to_string(n_dims) +
                                  " dims; GGUF tensors have at most " + std::to_string(kMaxDims));
    }
    for (uint32_t d = 0; d < n_dims; ++d) {
      const size_t at = cursor_.position();
      const uint64_t dim = cursor_.ReadFixed64(named + " dim");
      if (dim > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        cursor_.FailAt(at, named + ": dim " + std::to_string(d) + " is " + std::to_string(dim) +
                               " (more than 2^63-1)");
      }
      t.dims.push_back(dim);
    }
    const size_t type_at = cursor_.position();
    t.ggml_type = cursor_.ReadFixed32(named + " type");
    if (!DTypeOfGgmlType(t.ggml_type)) {
      ThrowStatus(Status::NotSupported(file_ + ": header @" + Hex(type_at) + ": " + named +
                                       ": unknown ggml_type " + std::to_string(t.ggml_type)));
    }
    t.offset = cursor_.ReadFixed64(named + " offset");
    return t;
  }

  [[noreturn]] void FailTensor(const Header& h, size_t i, const std::string& message) const {
    cursor_.FailAt(info_offsets_[i], "tensor info #" + std::to_string(i) + " (" +
                                         Quoted(h.tensors[i].name) + "): " + message);
  }

  void CheckTensors(const Header& h) {
    std::set<std::string_view> names;
    struct Range {
      uint64_t begin, end;
      size_t index;
    };
    std::vector<Range> ranges;
    ranges.reserve(h.tensors.size());
    for (size_t i = 0; i < h.tensors.size(); ++i) {
      const TensorInfo& t = h.tensors[i];
      if (!names.insert(t.name).second) FailTensor(h, i, "duplicate tensor name");
      const auto block = DTypeBlock(*DTypeOfGgmlType(t.ggml_type));
      if (!t.dims.empty() && t.dims[0] % block->block_elements != 0) {
        FailTensor(h, i,
                   "dims[0] = " + std::to_string(t.dims[0]) + " is not a multiple of " +
                       GgmlTypeName(t.ggml_type) + "'s block of " +
                       std::to_string(block->block_elements) + " values");
      }
      const std::optional<uint64_t> size = TensorByteSize(t);
      if (!size) FailTensor(h, i, "dims overflow 64 bits or are not a whole number of blocks");
      if (t.offset % h.alignment != 0) {
        FailTensor(h, i,
                   "offset " + std::to_string(t.offset) + " is not a multiple of the alignment " +
                       std::to_string(h.alignment));
      }
      if (!RangeFits(h.data_offset, t.offset, file_size_) ||
          !RangeFits(h.data_offset + t.offset, *size, file_size_)) {
        FailTensor(h, i,
                   "data [" + Hex(h.data_offset) + " + " + Hex(t.offset) + ", " +
                       std::to_string(*size) + " bytes) runs past the end of the file (" +
                       std::to_string(file_size_) + " bytes)");
      }
      if (*size > 0) ranges.push_back({t.offset, t.offset + *size, i});
    }
    std::sort(ranges.begin(), ranges.end(),
              [](const Range& a, const Range& b) { return a.begin < b.begin; });
    for (size_t k = 1; k < ranges.size(); ++k) {
      if (ranges[k].begin < ranges[k - 1].end) {
        FailTensor(h, ranges[k].index,
                   "data at offset " + std::to_string(ranges[k].begin) + " overlaps tensor " +
                       Quoted(h.tensors[ranges[k - 1].index].name) + " (offsets " +
                       std::to_string(ranges[k - 1].begin) + ".." +
                       std::to_string(ranges[k - 1].end) + ")");
      }
    }
  }

  ByteCursor cursor_;
  std::string file_;
  uint64_t file_size_;
  std::vector<size_t> info_offsets_;
  uint64_t nested_arrays_ = 0;
};

}  // namespace

std::optional<DType> DTypeOfGgmlType(uint32_t ggml_type) {
  const GgmlTypeRow* row = FindGgmlType(ggml_type);
  if (row == nullptr) return std::nullopt;
  return row->dtype;
}

std::string GgmlTypeName(uint32_t ggml_type) {
  const GgmlTypeRow* row = FindGgmlType(ggml_type);
  return row ? row->name : "type<" + std::to_string(ggml_type) + ">";
}

std::optional<uint32_t> GgmlTypeOfDType(DType dtype) {
  for (const GgmlTypeRow& row : kGgmlTypes) {
    if (row.dtype == dtype) return row.ggml_type;
  }
  return std::nullopt;
}

std::optional<uint64_t> TensorByteSize(const TensorInfo& info) {
  const std::optional<DType> dtype = DTypeOfGgmlType(info.ggml_type);
  if (!dtype) return std::nullopt;
  uint64_t count = 1;
  for (uint64_t d : info.dims) {
    if (d != 0 && count > std::numeric_limits<uint64_t>::max() / d) return std::nullopt;
    count *= d;
  }
  // Row-major shape products must also fit int64 (TensorEntry::shape is int64).
  if (count > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
  return DTypeStoredBytes(*dtype, count);
}

bool HasGgufMagic(const ByteSource& file) {
  if (file.size() < 4) return false;
  std::vector<uint8_t> scratch;
  auto head = file.Read(0, 4, scratch);
  return head.ok() && LoadLE32(head->data) == kMagic;
}

Result<Header> ParseHeader(const ByteSource& file) {
  std::vector<uint8_t> scratch;
  RESCOPE_ASSIGN_OR_RETURN(ByteView all, file.Read(0, file.size(), scratch));
  try {
    return HeaderParser(all, file.name()).Parse();
  } catch (const FormatError& e) {
    return e.status();
  }
}

const Value* FindValue(const Header& header, const std::string& key) {
  for (const KeyValue& kv : header.metadata) {
    if (kv.key == key) return &kv.value;
  }
  return nullptr;
}

std::optional<uint64_t> UnsignedValue(const Header& header, const std::string& key) {
  const Value* v = FindValue(header, key);
  if (v == nullptr) return std::nullopt;
  switch (v->type) {
    case ValueType::kUInt8:
    case ValueType::kUInt16:
    case ValueType::kUInt32:
    case ValueType::kUInt64:
      return v->bits;
    case ValueType::kInt8:
      return static_cast<int8_t>(v->bits) < 0 ? std::nullopt : std::optional(v->bits);
    case ValueType::kInt16:
      return static_cast<int16_t>(v->bits) < 0 ? std::nullopt : std::optional(v->bits);
    case ValueType::kInt32:
      return static_cast<int32_t>(v->bits) < 0 ? std::nullopt : std::optional(v->bits);
    case ValueType::kInt64:
      return static_cast<int64_t>(v->bits) < 0 ? std::nullopt : std::optional(v->bits);
    default:
      return std::nullopt;
  }
}

}  // namespace rescope::gguf
