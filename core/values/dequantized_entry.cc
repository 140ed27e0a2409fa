// SPDX-License-Identifier: Apache-2.0
// A ByteSource of float32 values dequantized block by block from a GGML tensor's bytes.
#include "core/values/dequantized_entry.h"

#include <cstring>

#include "core/values/ggml_dequant.h"

namespace rescope {
namespace {

class DequantizedByteSource final : public ByteSource {
 public:
  DequantizedByteSource(std::string name, std::shared_ptr<const ByteSource> base, uint64_t offset,
                        DTypeBlockLayout block, GgmlDequantizeFn dequantize, uint64_t elements)
      : name_(std::move(name)),
        base_(std::move(base)),
        offset_(offset),
        block_(block),
        dequantize_(dequantize),
        size_(elements * sizeof(float)) {}

  const std::string& name() const override { return name_; }
  uint64_t size() const override { return size_; }

  Result<ByteView> Read(uint64_t offset, uint64_t n, std::vector<uint8_t>& scratch) const override {
    if (!RangeFits(offset, n, size_)) {
      return Status::IOError(name_ + ": read of " + Hex(n) + " bytes at " + Hex(offset) +
                             " past the dequantized size " + Hex(size_));
    }
    if (n == 0) return ByteView();
    // The blocks holding float bytes [offset, offset + n).
    const uint64_t block_floats_bytes = uint64_t{block_.block_elements} * sizeof(float);
    const uint64_t first_block = offset / block_floats_bytes;
    const uint64_t end_block = (offset + n + block_floats_bytes - 1) / block_floats_bytes;
    const uint64_t blocks = end_block - first_block;
    std::vector<uint8_t> raw_scratch;
    RESCOPE_ASSIGN_OR_RETURN(const ByteView raw,
                             base_->ReadStreaming(offset_ + first_block * block_.block_bytes,
                                                  blocks * block_.block_bytes, raw_scratch));
    scratch.resize(blocks * block_floats_bytes);
    // The output buffer of uint8_t is suitably aligned for float (operator new alignment).
    dequantize_(raw.data, blocks, reinterpret_cast<float*>(scratch.data()));
    return ByteView(scratch.data() + (offset - first_block * block_floats_bytes), n);
  }

 private:
  std::string name_;
  std::shared_ptr<const ByteSource> base_;
  uint64_t offset_;
  DTypeBlockLayout block_;
  GgmlDequantizeFn dequantize_;
  uint64_t size_;
};

}  // namespace

Result<TensorEntry> DequantizedEntry(const TensorEntry& entry) {
  const GgmlDequantizeFn dequantize = GgmlDequantizer(entry.dtype);
  const std::optional<DTypeBlockLayout> block = DTypeBlock(entry.dtype);
  if (dequantize == nullptr || !block) {
    return Status::NotSupported("\"" + entry.name + "\": " + DTypeName(entry.dtype) +
                                ": rescope has no dequantizer for this type");
  }
  const std::optional<uint64_t> elements = entry.NumElements();
  const std::optional<uint64_t> stored =
      elements ? DTypeStoredBytes(entry.dtype, *elements) : std::nullopt;
  if (!stored || *stored != entry.byte_size || *elements > UINT64_MAX / sizeof(float)) {
    return Status::Corruption("\"" + entry.name + "\": byte size " + Hex(entry.byte_size) +
                              " does not match " + DTypeName(entry.dtype) + " " +
                              ShapeToString(entry.shape));
  }
  if (entry.data == nullptr) {
    return Status::NotFound("\"" + entry.name + "\": " + entry.data_error());
  }
  TensorEntry out = entry;
  out.dtype = DType::kFloat32;
  out.byte_size = *elements * sizeof(float);
  out.data = std::make_shared<DequantizedByteSource>(
      entry.data->name(), entry.data, entry.data_offset, *block, dequantize, *elements);
  out.data_offset = 0;
  out.stored_crc32c.reset();
  out.bytes_transformed = true;
  out.mutable_notes().emplace_back("transform", "dequantized from " + DTypeName(entry.dtype));
  return out;
}

}  // namespace rescope
