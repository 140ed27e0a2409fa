// SPDX-License-Identifier: Apache-2.0
// Windowed decoding of tensor element values.
#include "core/values/tensor_values.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include "core/values/small_floats.h"

namespace rescope {
namespace {

std::string Quoted(const std::string& name) { return "tensor \"" + name + "\""; }

Status MissingDataStatus(const TensorEntry& entry) {
  if (entry.kind == EntryKind::kPartitioned) {
    return Status::NotSupported(Quoted(entry.name) +
                                ": partitioned variable: its values live in its slices");
  }
  return Status::NotFound(Quoted(entry.name) + ": bytes unavailable (" +
                          (entry.data_error().empty() ? "no data source" : entry.data_error()) +
                          ")");
}

// Common checks of Open(): data present, element count defined, bytes inside the source.
Result<uint64_t> CheckedCount(const TensorEntry& entry) {
  if (!entry.data) return MissingDataStatus(entry);
  const std::optional<uint64_t> count = entry.NumElements();
  if (!count) {
    return Status::Corruption(entry.data->name() + ": " + Quoted(entry.name) + ": shape " +
                              ShapeToString(entry.shape) + " has no valid element count");
  }
  if (!RangeFits(entry.data_offset, entry.byte_size, entry.data->size())) {
    return Status::Corruption(entry.data->name() + ": " + Quoted(entry.name) + ": bytes [" +
                              Hex(entry.data_offset) + ", " +
                              Hex(entry.data_offset + entry.byte_size) + ") run past end (" +
                              Hex(entry.data->size()) + ")");
  }
  return *count;
}

// Protobuf varint from [p, limit); nullptr when truncated or longer than 64 bits.
const uint8_t* ParseVarint64(const uint8_t* p, const uint8_t* limit, uint64_t* value) {
  uint64_t result = 0;
  for (int shift = 0; shift <= 63 && p < limit; shift += 7) {
    const uint64_t byte = *p++;
    if (shift == 63 && byte > 1) return nullptr;
    result |= (byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *value = result;
      return p;
    }
  }
  return nullptr;
}

template <typename Out, typename Load>
void DecodeLoop(const uint8_t* p, size_t n, size_t stride, Out* out, Load load) {
  for (size_t i = 0; i < n; ++i) out[i] = static_cast<Out>(load(p + i * stride));
}

inline double LoadF32(const uint8_t* p) {
  return static_cast<double>(std::bit_cast<float>(LoadLE32(p)));
}
inline double LoadF64(const uint8_t* p) { return std::bit_cast<double>(LoadLE64(p)); }

}  // namespace

std::optional<ValueClass> ValueClassOf(DType dtype) {
  switch (dtype) {
    case DType::kFloat32:
    case DType::kFloat64:
    case DType::kFloat16:
    case DType::kBFloat16:
    case DType::kFloat8E5M2:
    case DType::kFloat8E4M3FN:
    case DType::kFloat8E4M3FNUZ:
    case DType::kFloat8E4M3B11FNUZ:
    case DType::kFloat8E5M2FNUZ:
    case DType::kFloat8E8M0FNU:
      return ValueClass::kFloat;
    case DType::kComplex64:
    case DType::kComplex128:
      return ValueClass::kComplex;
    case DType::kInt8:
    case DType::kInt16:
    case DType::kInt32:
    case DType::kInt64:
    case DType::kQInt8:
    case DType::kQInt16:
    case DType::kQInt32:
      return ValueClass::kSigned;
    case DType::kUInt8:
    case DType::kUInt16:
    case DType::kUInt32:
    case DType::kUInt64:
    case DType::kQUInt8:
    case DType::kQUInt16:
      return ValueClass::kUnsigned;
    case DType::kBool:
      return ValueClass::kBool;
    case DType::kString:
      return ValueClass::kString;
    default:
      if (HasGgmlDequantizer(dtype)) return ValueClass::kFloat;
      return std::nullopt;
  }
}

Status CannotDecodeStatus(const TensorEntry& entry) {
  if (entry.dtype == DType::kFloat4E2M1FNX2 || entry.dtype == DType::kFloat6E2M3FN ||
      entry.dtype == DType::kFloat6E3M2FN) {
    // safetensors and torch carry these bytes without saying in which order a byte holds
    // its elements, so a decoding would be a guess.
    return Status::NotSupported(Quoted(entry.name) + ": " + DTypeName(entry.dtype) +
                                ": packed sub-byte values are not decoded (the format does not "
                                "define the element order inside a byte); the bytes are listed, "
                                "renamed and converted unchanged");
  }
  if (IsGgmlBlockDType(entry.dtype)) {
    return Status::NotSupported(Quoted(entry.name) + ": " + DTypeName(entry.dtype) +
                                ": values are not decoded (rescope has no dequantizer for this "
                                "GGML block type); ls shows its size");
  }
  return Status::NotSupported(Quoted(entry.name) + ": " + DTypeName(entry.dtype) +
                              ": cannot decode values");
}

DType ValueDType(DType dtype) { return IsGgmlBlockDType(dtype) ? DType::kFloat32 : dtype; }

// ---- WindowedBytes ----

namespace {

// Window buffers of finished readers, kept for the next ones on this thread. Diffing a
// checkpoint opens two readers per tensor; a fresh 1 MiB buffer each time cost page faults
// and zeroing that took a third of `diff --values` (bench/diff_bench.sh).
constexpr size_t kPooledBuffers = 4;
constexpr size_t kMaxPooledBytes = 4 * kValueWindowBytes;
thread_local std::vector<std::vector<uint8_t>> scratch_pool;

std::vector<uint8_t> TakePooledScratch() {
  if (scratch_pool.empty()) return {};
  std::vector<uint8_t> v = std::move(scratch_pool.back());
  scratch_pool.pop_back();
  return v;
}

void ReturnPooledScratch(std::vector<uint8_t>&& v) {
  if (v.capacity() == 0 || v.capacity() > kMaxPooledBytes) return;
  if (scratch_pool.size() < kPooledBuffers) scratch_pool.push_back(std::move(v));
}

}  // namespace

WindowedBytes::WindowedBytes(std::shared_ptr<const ByteSource> source, uint64_t start,
                             uint64_t length, uint64_t window_bytes)
    : source_(std::move(source)),
      start_(start),
      end_(start + length),
      pos_(start),
      window_(std::max<uint64_t>(window_bytes, 1)),
      scratch_(TakePooledScratch()) {}

WindowedBytes::~WindowedBytes() {
  if (source_ && view_.size != 0) source_->Release(view_start_, view_.size);
  ReturnPooledScratch(std::move(scratch_));
}

Status WindowedBytes::Fill(uint64_t n) {
  if (pos_ >= view_start_ && pos_ - view_start_ <= view_.size &&
      n <= view_.size - (pos_ - view_start_)) {
    return Status::Ok();
  }
  if (view_.size != 0) source_->Release(view_start_, view_.size);
  const uint64_t len = std::min(std::max(n, window_), end_ - pos_);
  RESCOPE_ASSIGN_OR_RETURN(view_, in_place_ ? source_->ReadInPlace(pos_, len, scratch_)
                                            : source_->ReadStreaming(pos_, len, scratch_));
  view_start_ = pos_;
  if (check_ != nullptr) check_->See(view_start_ - start_, view_);
  return Status::Ok();
}

Result<ByteView> WindowedBytes::Take(uint64_t n) {
  if (pos_ > end_ || n > end_ - pos_) {
    return Status::Corruption(source_->name() + ": bytes [" + Hex(pos_) + ", " + Hex(pos_ + n) +
                              ") run past end of tensor (" + Hex(end_) + ")");
  }
  RESCOPE_RETURN_IF_ERROR(Fill(n));
  const ByteView out = view_.Sub(static_cast<size_t>(pos_ - view_start_), static_cast<size_t>(n));
  pos_ += n;
  return out;
}

Result<ByteView> WindowedBytes::Peek(uint64_t n) {
  n = std::min(n, remaining());
  RESCOPE_RETURN_IF_ERROR(Fill(n));
  const size_t at = static_cast<size_t>(pos_ - view_start_);
  return view_.Sub(at, view_.size - at);
}

// ---- ElementReader ----

ElementReader::ElementReader(const TensorEntry& entry, ValueClass cls, uint32_t elem_size,
                             uint64_t count, uint64_t window_bytes)
    : name_(entry.name),
      dtype_(entry.dtype),
      class_(cls),
      elem_size_(elem_size),
      count_(count),
      window_elements_(static_cast<size_t>(std::max<uint64_t>(window_bytes / elem_size, 1))),
      bytes_(entry.data, entry.data_offset, entry.byte_size,
             static_cast<uint64_t>(window_elements_) * elem_size) {}

Result<ElementReader> ElementReader::Open(const TensorEntry& entry, uint64_t window_bytes) {
  if (const GgmlDequantizeFn dequantize = GgmlDequantizer(entry.dtype)) {
    RESCOPE_ASSIGN_OR_RETURN(const uint64_t count, CheckedCount(entry));
    const DTypeBlockLayout block = *DTypeBlock(entry.dtype);
    const std::optional<uint64_t> stored = DTypeStoredBytes(entry.dtype, count);
    if (!stored || *stored != entry.byte_size) {
      const std::string expected =
          stored ? Hex(*stored)
                 : "a multiple of " + std::to_string(block.block_elements) + " elements";
      return Status::Corruption(entry.data->name() + ": " + Quoted(entry.name) + ": byte size " +
                                Hex(entry.byte_size) + " does not match " + DTypeName(entry.dtype) +
                                " " + ShapeToString(entry.shape) + " (expected " + expected + ")");
    }
    // Constructed with the block as the "element", then rescaled: windows are whole blocks.
    ElementReader reader(entry, ValueClass::kFloat, block.block_bytes, count, window_bytes);
    reader.dequantize_ = dequantize;
    reader.block_elements_ = block.block_elements;
    reader.window_elements_ *= block.block_elements;
    return reader;
  }
  const std::optional<ValueClass> cls = ValueClassOf(entry.dtype);
  const std::optional<uint32_t> elem_size = DTypeElementSize(entry.dtype);
  if (!cls || *cls == ValueClass::kString || !elem_size) return CannotDecodeStatus(entry);
  RESCOPE_ASSIGN_OR_RETURN(const uint64_t count, CheckedCount(entry));
  if (count > UINT64_MAX / *elem_size || count * *elem_size != entry.byte_size) {
    const std::string expected =
        count > UINT64_MAX / *elem_size ? "overflow" : Hex(count * *elem_size);
    return Status::Corruption(entry.data->name() + ": " + Quoted(entry.name) + ": byte size " +
                              Hex(entry.byte_size) + " does not match " + DTypeName(entry.dtype) +
                              " " + ShapeToString(entry.shape) + " (expected " + expected + ")");
  }
  return ElementReader(entry, *cls, *elem_size, count, window_bytes);
}

void ElementReader::Seek(uint64_t index) {
  next_ = std::min(index, count_);
  // Block types seek in DequantizeNext, to the block holding next_.
  if (dequantize_ == nullptr) bytes_.SeekTo(next_ * elem_size_);
}

uint64_t ElementReader::SeekToByte(uint64_t offset) {
  // elem_size_ is a whole block's size for block types, so this lands on a block start.
  Seek(offset / elem_size_ * block_elements_);
  return next_;
}

Result<ByteView> ElementReader::NextBytes(size_t max_count, size_t* n) {
  *n = static_cast<size_t>(std::min<uint64_t>({max_count, window_elements_, count_ - next_}));
  if (*n == 0) return ByteView();
  RESCOPE_ASSIGN_OR_RETURN(const ByteView view,
                           bytes_.Take(static_cast<uint64_t>(*n) * elem_size_));
  next_ += *n;
  return view;
}

Result<size_t> ElementReader::DequantizeNext(const float** out, size_t max_count) {
  const uint64_t skip = next_ % block_elements_;  // elements of the first block before next_
  // At most one window of blocks, starting with the block that holds next_.
  const size_t n =
      static_cast<size_t>(std::min<uint64_t>({max_count, window_elements_ - skip, count_ - next_}));
  if (n == 0) return size_t{0};
  const uint64_t first_block = next_ / block_elements_;
  const uint64_t blocks = (skip + n + block_elements_ - 1) / block_elements_;
  bytes_.SeekTo(first_block * elem_size_);
  RESCOPE_ASSIGN_OR_RETURN(const ByteView view, bytes_.Take(blocks * elem_size_));
  dequantized_.resize(static_cast<size_t>(blocks * block_elements_));
  dequantize_(view.data, static_cast<size_t>(blocks), dequantized_.data());
  *out = dequantized_.data() + skip;
  next_ += n;
  return n;
}

Result<size_t> ElementReader::ReadFloat32(const float** out, size_t max_count) {
  if (dequantize_ != nullptr) return DequantizeNext(out, max_count);
  if (dtype_ != DType::kFloat32) {
    return Status::InvalidArgument(Quoted(name_) + ": " + DTypeName(dtype_) +
                                   ": values are not float32");
  }
  size_t n = 0;
  RESCOPE_ASSIGN_OR_RETURN(const ByteView v, NextBytes(max_count, &n));
  dequantized_.resize(n);
  float* values = dequantized_.data();
  const uint8_t* p = v.data;
  for (size_t i = 0; i < n; ++i) values[i] = std::bit_cast<float>(LoadLE32(p + 4 * i));
  *out = values;
  return n;
}

Result<size_t> ElementReader::ReadDoubles(double* out, size_t max_count) {
  if (dequantize_ != nullptr) {
    const float* values = nullptr;
    RESCOPE_ASSIGN_OR_RETURN(const size_t n, DequantizeNext(&values, max_count));
    for (size_t i = 0; i < n; ++i) out[i] = static_cast<double>(values[i]);
    return n;
  }
  size_t n = 0;
  RESCOPE_ASSIGN_OR_RETURN(const ByteView v, NextBytes(max_count, &n));
  const uint8_t* p = v.data;
  // One switch per window; each case is a tight loop the compiler can vectorize.
  switch (dtype_) {
    case DType::kFloat32:
      DecodeLoop(p, n, 4, out, LoadF32);
      break;
    case DType::kFloat64:
      DecodeLoop(p, n, 8, out, LoadF64);
      break;
    case DType::kFloat16:
      DecodeLoop(p, n, 2, out, [](const uint8_t* q) { return DecodeFloat16(LoadLE16(q)); });
      break;
    case DType::kBFloat16:
      DecodeLoop(p, n, 2, out, [](const uint8_t* q) { return DecodeBFloat16(LoadLE16(q)); });
      break;
    case DType::kComplex64:
      DecodeLoop(p, 2 * n, 4, out, LoadF32);
      break;
    case DType::kComplex128:
      DecodeLoop(p, 2 * n, 8, out, LoadF64);
      break;
    case DType::kBool:
      DecodeLoop(p, n, 1, out, [](const uint8_t* q) { return *q != 0 ? 1.0 : 0.0; });
      break;
    default:
      if (IsFloat8(dtype_)) {
        const DType d = dtype_;
        DecodeLoop(p, n, 1, out, [d](const uint8_t* q) { return DecodeFloat8(d, *q); });
      } else if (class_ == ValueClass::kSigned) {
        // Reuse the exact integer decoders, then widen; int64 beyond 2^53 rounds.
        for (size_t i = 0; i < n; ++i) {
          int64_t x = 0;
          const uint8_t* q = p + i * elem_size_;
          switch (elem_size_) {
            case 1:
              x = static_cast<int8_t>(*q);
              break;
            case 2:
              x = static_cast<int16_t>(LoadLE16(q));
              break;
            case 4:
              x = static_cast<int32_t>(LoadLE32(q));
              break;
            default:
              x = static_cast<int64_t>(LoadLE64(q));
              break;
          }
          out[i] = static_cast<double>(x);
        }
      } else {
        for (size_t i = 0; i < n; ++i) {
          uint64_t x = 0;
          const uint8_t* q = p + i * elem_size_;
          switch (elem_size_) {
            case 1:
              x = *q;
              break;
            case 2:
              x = LoadLE16(q);
              break;
            case 4:
              x = LoadLE32(q);
              break;
            default:
              x = LoadLE64(q);
              break;
          }
          out[i] = static_cast<double>(x);
        }
      }
  }
  return n;
}

Result<size_t> ElementReader::ReadInt64(int64_t* out, size_t max_count) {
  if (class_ != ValueClass::kSigned && class_ != ValueClass::kBool) {
    return Status::InvalidArgument(Quoted(name_) + ": " + DTypeName(dtype_) +
                                   ": not a signed integer type");
  }
  size_t n = 0;
  RESCOPE_ASSIGN_OR_RETURN(const ByteView v, NextBytes(max_count, &n));
  const uint8_t* p = v.data;
  if (class_ == ValueClass::kBool) {
    DecodeLoop(p, n, 1, out, [](const uint8_t* q) { return *q != 0 ? 1 : 0; });
    return n;
  }
  switch (elem_size_) {
    case 1:
      DecodeLoop(p, n, 1, out, [](const uint8_t* q) { return static_cast<int8_t>(*q); });
      break;
    case 2:
      DecodeLoop(p, n, 2, out, [](const uint8_t* q) { return static_cast<int16_t>(LoadLE16(q)); });
      break;
    case 4:
      DecodeLoop(p, n, 4, out, [](const uint8_t* q) { return static_cast<int32_t>(LoadLE32(q)); });
      break;
    default:
      DecodeLoop(p, n, 8, out, [](const uint8_t* q) { return static_cast<int64_t>(LoadLE64(q)); });
  }
  return n;
}

Result<size_t> ElementReader::ReadUInt64(uint64_t* out, size_t max_count) {
  if (class_ != ValueClass::kUnsigned && class_ != ValueClass::kBool) {
    return Status::InvalidArgument(Quoted(name_) + ": " + DTypeName(dtype_) +
                                   ": not an unsigned integer type");
  }
  size_t n = 0;
  RESCOPE_ASSIGN_OR_RETURN(const ByteView v, NextBytes(max_count, &n));
  const uint8_t* p = v.data;
  switch (class_ == ValueClass::kBool ? 0 : elem_size_) {
    case 0:
      DecodeLoop(p, n, 1, out, [](const uint8_t* q) { return *q != 0 ? 1u : 0u; });
      break;
    case 1:
      DecodeLoop(p, n, 1, out, [](const uint8_t* q) { return *q; });
      break;
    case 2:
      DecodeLoop(p, n, 2, out, LoadLE16);
      break;
    case 4:
      DecodeLoop(p, n, 4, out, LoadLE32);
      break;
    default:
      DecodeLoop(p, n, 8, out, LoadLE64);
  }
  return n;
}

// ---- StringReader ----

StringReader::StringReader(const TensorEntry& entry, uint64_t count, uint64_t lengths_end,
                           uint64_t window_bytes)
    : name_(entry.name),
      source_name_(entry.data->name()),
      count_(count),
      lengths_(entry.data, entry.data_offset, lengths_end, window_bytes),
      bytes_(entry.data, entry.data_offset + lengths_end + 4, entry.byte_size - lengths_end - 4,
             window_bytes) {}

Status StringReader::Corrupt(const std::string& what) const {
  return Status::Corruption(source_name_ + ": " + Quoted(name_) + ": " + what);
}

Result<StringReader> StringReader::Open(const TensorEntry& entry, uint64_t window_bytes) {
  if (entry.dtype != DType::kString) return CannotDecodeStatus(entry);
  RESCOPE_ASSIGN_OR_RETURN(const uint64_t count, CheckedCount(entry));
  const std::string where = entry.data->name() + ": " + Quoted(entry.name) + ": ";
  // Each length takes at least one byte: a count beyond the size is corrupt, and this
  // bounds the scan below by the entry size rather than by a count read from a file.
  if (count > entry.byte_size) {
    return Status::Corruption(where + std::to_string(count) + " strings cannot fit in " +
                              Hex(entry.byte_size) + " bytes");
  }
  WindowedBytes scan(entry.data, entry.data_offset, entry.byte_size, window_bytes);
  uint64_t total = 0;
  for (uint64_t i = 0; i < count; ++i) {
    RESCOPE_ASSIGN_OR_RETURN(const ByteView head, scan.Peek(10));
    uint64_t len = 0;
    const uint8_t* next = ParseVarint64(head.begin(), head.end(), &len);
    if (next == nullptr) {
      return Status::Corruption(where + "length of string #" + std::to_string(i) + " @" +
                                Hex(entry.data_offset + scan.position()) +
                                ": truncated or over-long varint");
    }
    scan.Skip(static_cast<uint64_t>(next - head.begin()));
    if (len > entry.byte_size - total) {
      return Status::Corruption(where + "string #" + std::to_string(i) + " of length " + Hex(len) +
                                " runs past the entry (" + Hex(entry.byte_size) + " bytes)");
    }
    total += len;
  }
  const uint64_t lengths_end = scan.position();
  const uint64_t available = entry.byte_size - lengths_end;
  if (available < 4 || total != available - 4) {
    const uint64_t expected = lengths_end + 4 + total;
    return Status::Corruption(where + "string lengths need " + Hex(expected) +
                              " bytes, entry has " + Hex(entry.byte_size));
  }
  return StringReader(entry, count, lengths_end, window_bytes);
}

Result<bool> StringReader::Next(std::string_view* out) {
  if (next_ >= count_) return false;
  RESCOPE_ASSIGN_OR_RETURN(const ByteView head, lengths_.Peek(10));
  uint64_t len = 0;
  const uint8_t* after = ParseVarint64(head.begin(), head.end(), &len);
  if (after == nullptr)
    return Corrupt("length of string #" + std::to_string(next_) + ": bad varint");
  lengths_.Skip(static_cast<uint64_t>(after - head.begin()));
  RESCOPE_ASSIGN_OR_RETURN(const ByteView bytes, bytes_.Take(len));
  *out = bytes.AsStringView();
  ++next_;
  return true;
}

}  // namespace rescope
