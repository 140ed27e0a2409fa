// SPDX-License-Identifier: Apache-2.0
// BundleHeaderProto and BundleEntryProto (FORMATS.md §1.6, §1.7): decoding from and
// canonical encoding to protobuf wire format, as TF's C++ serializer writes them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/store/dtype.h"
#include "core/store/tensor_store.h"
#include "formats/byte_cursor.h"

namespace rescope::tfbundle {

struct VersionDef {
  int32_t producer = 0;
  int32_t min_consumer = 0;
  std::vector<int32_t> bad_consumers;
};

struct BundleHeader {
  int32_t num_shards = 0;
  int32_t endianness = 0;  // 0 little, 1 big
  std::optional<VersionDef> version;
};

struct BundleEntry {
  int32_t dtype = 0;
  std::vector<int64_t> shape;
  bool unknown_rank = false;
  int32_t shard_id = 0;
  int64_t offset = 0;
  int64_t size = 0;
  std::optional<uint32_t> masked_crc32c;  // as stored (masked)
  std::vector<TensorSlice> slices;
};

// Decoders throw FormatError with "<file>: <context> @0x..: <problem>" messages; `base`
// is the absolute offset of `bytes` when it lies in the file, else 0.
BundleHeader DecodeBundleHeader(ByteView bytes, std::string_view file, std::string_view context);
BundleEntry DecodeBundleEntry(ByteView bytes, std::string_view file, std::string_view context);
// The common case of DecodeBundleEntry without its per-field error context (opening an index
// of 100,000 entries decodes 100,000 of them): fields 1-6 with their wire types and a shape of
// plain dims. Returns false, leaving *out unspecified, for anything else (slices, unknown or
// repeated fields, any malformed or out-of-range value); the caller then runs
// DecodeBundleEntry, which decodes it or reports the problem. When it returns true, *out
// equals what DecodeBundleEntry returns. *out's shape buffer is reused.
bool TryDecodeBundleEntryFast(ByteView bytes, BundleEntry* out);

// Canonical encodings (fields in number order, proto3 defaults omitted, shape always set).
std::string EncodeBundleHeader(const BundleHeader& header);
std::string EncodeBundleEntry(const BundleEntry& entry);

// TensorShapeProto and TensorSliceProto helpers shared with the V1 reader.
std::vector<int64_t> DecodeTensorShape(ByteView bytes, std::string_view file,
                                       std::string_view context, bool* unknown_rank);
std::string EncodeTensorShape(const std::vector<int64_t>& shape);
TensorSlice DecodeTensorSlice(ByteView bytes, std::string_view file, std::string_view context);
std::string EncodeTensorSlice(const TensorSlice& slice);

}  // namespace rescope::tfbundle
