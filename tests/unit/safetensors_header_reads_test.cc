// SPDX-License-Identifier: Apache-2.0
// Checks that opening and listing a safetensors file (what `rescope ls` and `info` do) reads
// only the 8-byte length and the header, never the data area, using a ByteSource that records
// every range read.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "core/store/byte_source.h"
#include "formats/safetensors/safetensors_reader.h"

using namespace rescope;

namespace {

// An in-memory file that records the furthest byte any read reached.
class RangeRecordingSource final : public ByteSource {
 public:
  RangeRecordingSource(std::string name, std::vector<uint8_t> bytes)
      : inner_(std::move(name), std::move(bytes)) {}
  const std::string& name() const override { return inner_.name(); }
  uint64_t size() const override { return inner_.size(); }
  Result<ByteView> Read(uint64_t offset, uint64_t n, std::vector<uint8_t>& scratch) const override {
    furthest_ = std::max(furthest_, offset + n);
    ++reads_;
    return inner_.Read(offset, n, scratch);
  }
  Result<ByteView> ReadStreaming(uint64_t offset, uint64_t n,
                                 std::vector<uint8_t>& scratch) const override {
    return Read(offset, n, scratch);
  }
  uint64_t furthest() const { return furthest_; }
  uint64_t reads() const { return reads_; }

 private:
  MemoryByteSource inner_;
  mutable uint64_t furthest_ = 0;
  mutable uint64_t reads_ = 0;
};

}  // namespace

TEST_CASE("safetensors ls path: opening and listing reads only the header") {
  // Two F32 tensors: "a" [1024, 256] (1 MiB) and "b" [4] (16 bytes) after it.
  const std::string header =
      "{\"__metadata__\":{\"format\":\"pt\"},"
      "\"a\":{\"dtype\":\"F32\",\"shape\":[1024,256],\"data_offsets\":[0,1048576]},"
      "\"b\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[1048576,1048592]}}";
  std::string padded = header;
  while (padded.size() % 8 != 0) padded += ' ';
  std::vector<uint8_t> file(8 + padded.size() + 1048592, 0x5a);
  StoreLE64(file.data(), padded.size());
  std::memcpy(file.data() + 8, padded.data(), padded.size());
  const uint64_t header_end = 8 + padded.size();
  auto source = std::make_shared<RangeRecordingSource>("big.safetensors", file);

  auto ckpt = safetensors::OpenSafetensorsSource(source);
  REQUIRE_MESSAGE(ckpt.ok(), ckpt.status().message());
  // What `ls` prints: names, dtypes, shapes, sizes, offsets.
  REQUIRE(ckpt->store.size() == 2);
  const TensorEntry* a = ckpt->store.Find("a");
  const TensorEntry* b = ckpt->store.Find("b");
  REQUIRE((a != nullptr && b != nullptr));
  CHECK(a->dtype == DType::kFloat32);
  CHECK(a->shape == std::vector<int64_t>{1024, 256});
  CHECK(a->byte_size == 1048576);
  CHECK(a->data_offset == header_end);
  CHECK(b->shape == std::vector<int64_t>{4});
  CHECK(b->data_offset == header_end + 1048576);
  CHECK(source->reads() > 0);
  CHECK(source->furthest() <= header_end);  // not one byte of the data area
}
