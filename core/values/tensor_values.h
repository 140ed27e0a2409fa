// SPDX-License-Identifier: Apache-2.0
// Streaming decoders for the element values of a TensorEntry: numbers as doubles or exact
// 64-bit integers, strings as byte views, always through bounded windows of the entry's
// ByteSource so memory stays independent of tensor size.
//
// Byte layouts are those of TensorEntry (core/store/tensor_store.h): numeric elements
// row-major, little-endian, densely packed; strings in TF bundle layout (FORMATS.md
// §1.9.2). Readers hold a reference to the entry's ByteSource (shared_ptr), not to the
// entry, so they outlive the TensorStore that produced them. A reader is not thread-safe.
//
// Errors (all Status, never exceptions):
//   NotSupported "tensor \"x\": dtype<77>: cannot decode values" for types with no value
//     decoding (unknown values, resource, variant, 4/2-bit types), and "tensor \"x\":
//     iq2_xxs: values are not decoded (...)" for GGML block types without a dequantizer;
//   NotFound "tensor \"x\": bytes unavailable (<data_error>)" when entry.data is null;
//   Corruption "<source>: tensor \"x\": ..." when byte_size contradicts dtype/shape or a
//     string length runs past the entry.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/store/byte_source.h"
#include "core/store/status.h"
#include "core/store/stream_check.h"
#include "core/store/tensor_store.h"
#include "core/values/ggml_dequant.h"

namespace rescope {

// The largest single ByteSource::Read a value reader issues (plus one element when a
// single string is longer).
inline constexpr uint64_t kValueWindowBytes = uint64_t{1} << 20;

// How elements of a dtype decode.
enum class ValueClass {
  kFloat,     // float16/32/64, bfloat16, float8 variants -> double (exact); GGML block
              // types with a dequantizer (core/values/ggml_dequant.h) -> their float32 values
  kComplex,   // complex64/128 -> (real, imag) double pairs
  kSigned,    // int8..int64, qint8/16/32 -> int64_t (exact)
  kUnsigned,  // uint8..uint64, quint8/16 -> uint64_t (exact)
  kBool,      // one byte, nonzero = true -> 0/1
  kString,    // TF bundle string layout
};

// nullopt for dtypes whose values cannot be decoded.
std::optional<ValueClass> ValueClassOf(DType dtype);

// The NotSupported status for such dtypes (message shape above).
Status CannotDecodeStatus(const TensorEntry& entry);

// The dtype whose values the decoded elements are: float32 for GGML block types (their
// dequantized values are float32, printed and compared as such), `dtype` otherwise.
DType ValueDType(DType dtype);

// Sequential reads of [start, start + length) of a ByteSource through a window buffer.
// A view returned by Take/Peek stays valid until the next call on this object.
class WindowedBytes {
 public:
  WindowedBytes(std::shared_ptr<const ByteSource> source, uint64_t start, uint64_t length,
                uint64_t window_bytes = kValueWindowBytes);
  // Releases the last window (ByteSource::Release), so streaming many tensors through a
  // mapping does not leave one window per tensor resident. The window buffer is kept in a
  // small per-thread pool for the next WindowedBytes (at most 4 buffers of <= 4 MiB).
  ~WindowedBytes();
  WindowedBytes(WindowedBytes&&) noexcept = default;
  WindowedBytes& operator=(WindowedBytes&&) noexcept = default;

  uint64_t position() const { return pos_ - start_; }  // relative to start
  uint64_t remaining() const { return end_ - pos_; }
  // Returns the next n bytes and advances. Fails when fewer than n remain.
  Result<ByteView> Take(uint64_t n);
  // Returns min(n, remaining()) bytes without advancing (may be longer than asked for).
  Result<ByteView> Peek(uint64_t n);
  void Skip(uint64_t n) { pos_ += n; }
  void SeekTo(uint64_t relative) { pos_ = start_ + relative; }
  // Shows every window read from now on to `check` (may be nullptr; not owned), so a
  // checksum can be computed on the reads this object makes anyway.
  void set_check(StreamCheck* check) { check_ = check; }
  // Reads windows with ByteSource::ReadInPlace (views of a mapping, no copy) instead of
  // ReadStreaming: for callers that only compare or checksum each window.
  void set_in_place(bool in_place) { in_place_ = in_place; }

 private:
  Status Fill(uint64_t n);  // makes [pos_, pos_ + n) resident

  std::shared_ptr<const ByteSource> source_;
  uint64_t start_ = 0, end_ = 0, pos_ = 0;
  uint64_t window_ = kValueWindowBytes;
  uint64_t view_start_ = 0;
  ByteView view_;
  std::vector<uint8_t> scratch_;
  StreamCheck* check_ = nullptr;
  bool in_place_ = false;
};

// Decodes the elements of a fixed-size numeric tensor (every ValueClass except kString)
// in order. Each Read* call decodes up to `max_count` of the following elements (fewer
// at the end; 0 when done) and issues at most one ByteSource read. GGML block tensors are
// read in whole blocks (a window starts at the block holding the next element) and
// dequantized to float32.
class ElementReader {
 public:
  static Result<ElementReader> Open(const TensorEntry& entry,
                                    uint64_t window_bytes = kValueWindowBytes);

  DType dtype() const { return dtype_; }
  DType value_dtype() const { return ValueDType(dtype_); }
  ValueClass value_class() const { return class_; }
  uint64_t num_elements() const { return count_; }
  uint64_t position() const { return next_; }  // index of the next element to decode
  // Doubles per element written by ReadDoubles: 2 for complex, 1 otherwise.
  size_t components() const { return class_ == ValueClass::kComplex ? 2 : 1; }

  // Next reads start at element `index` (<= num_elements()).
  void Seek(uint64_t index);
  // Next reads start at the element holding byte `offset` of the tensor (for GGML block
  // types the first element of the block holding it); returns that element's index.
  uint64_t SeekToByte(uint64_t offset);
  // See WindowedBytes::set_check.
  void set_check(StreamCheck* check) { bytes_.set_check(check); }
  // See WindowedBytes::set_in_place.
  void set_in_place(bool in_place) { bytes_.set_in_place(in_place); }

  // Any class; complex elements as (real, imag). `out` holds max_count * components().
  Result<size_t> ReadDoubles(double* out, size_t max_count);
  // Tensors whose values are float32 (float32 and the GGML block types with a
  // dequantizer) only: sets *out to the next up to max_count values without widening
  // them to double, valid until the next call on this reader. Returns the same counts
  // as ReadDoubles would (the same windows), so results over either agree exactly.
  Result<size_t> ReadFloat32(const float** out, size_t max_count);
  bool reads_float32() const { return dequantize_ != nullptr || dtype_ == DType::kFloat32; }
  // kSigned and kBool only (exact).
  Result<size_t> ReadInt64(int64_t* out, size_t max_count);
  // kUnsigned and kBool only (exact).
  Result<size_t> ReadUInt64(uint64_t* out, size_t max_count);

 private:
  ElementReader(const TensorEntry& entry, ValueClass cls, uint32_t elem_size, uint64_t count,
                uint64_t window_bytes);
  // The raw bytes of the next n elements (n already clamped).
  Result<ByteView> NextBytes(size_t max_count, size_t* n);
  // GGML block types: dequantizes the blocks holding the next elements; *out points to
  // the first of them inside dequantized_.
  Result<size_t> DequantizeNext(const float** out, size_t max_count);

  std::string name_;
  DType dtype_;
  ValueClass class_;
  uint32_t elem_size_;
  uint64_t count_;
  uint64_t next_ = 0;
  size_t window_elements_;
  WindowedBytes bytes_;
  // GGML block types only: elem_size_ is then the block's byte size.
  GgmlDequantizeFn dequantize_ = nullptr;
  uint32_t block_elements_ = 1;
  std::vector<float> dequantized_;  // also the float32 window of ReadFloat32
};

// Decodes a string tensor element by element. Open() scans the length varints once to
// validate the layout; Next() then walks lengths and bytes with two windows. The
// length checksum is not verified here (see the format readers' verify path).
class StringReader {
 public:
  static Result<StringReader> Open(const TensorEntry& entry,
                                   uint64_t window_bytes = kValueWindowBytes);

  uint64_t num_elements() const { return count_; }
  uint64_t position() const { return next_; }

  // Sets *out to the next string; returns false when all were read. The view stays
  // valid until the next call.
  Result<bool> Next(std::string_view* out);

 private:
  StringReader(const TensorEntry& entry, uint64_t count, uint64_t lengths_end,
               uint64_t window_bytes);
  Status Corrupt(const std::string& what) const;

  std::string name_;
  std::string source_name_;
  uint64_t count_;
  uint64_t next_ = 0;
  WindowedBytes lengths_;
  WindowedBytes bytes_;
};

// Decodes all elements of a numeric tensor, calling fn(first_index, values, n) once per
// window (values holds n * components doubles). fn returning a non-OK status stops.
template <typename Fn>
Status ForEachDoubleWindow(const TensorEntry& entry, Fn&& fn) {
  RESCOPE_ASSIGN_OR_RETURN(ElementReader reader, ElementReader::Open(entry));
  constexpr size_t kChunk = 1 << 15;
  std::vector<double> buffer(kChunk * reader.components());
  while (true) {
    const uint64_t first = reader.position();
    RESCOPE_ASSIGN_OR_RETURN(const size_t n, reader.ReadDoubles(buffer.data(), kChunk));
    if (n == 0) return Status::Ok();
    RESCOPE_RETURN_IF_ERROR(fn(first, static_cast<const double*>(buffer.data()), n));
  }
}

}  // namespace rescope
