// SPDX-License-Identifier: Apache-2.0
// Decoding and encoding of the bundle's header and entry protos.
#include "formats/tf_bundle/bundle_entry.h"

#include "formats/proto_wire.h"

namespace rescope::tfbundle {
namespace {

VersionDef DecodeVersionDef(const proto::Reader& parent, const proto::Field& field) {
  VersionDef v;
  proto::Reader r = parent.Nested(field, "VersionDef");
  proto::Field f;
  while (r.Next(f)) {
    if (f.number == 1 && f.wire_type == proto::kVarint) v.producer = static_cast<int32_t>(f.varint);
    if (f.number == 2 && f.wire_type == proto::kVarint) {
      v.min_consumer = static_cast<int32_t>(f.varint);
    }
    if (f.number == 3 && f.wire_type == proto::kVarint) {
      v.bad_consumers.push_back(static_cast<int32_t>(f.varint));
    }
    if (f.number == 3 && f.wire_type == proto::kLengthDelimited) {  // packed
      ByteCursor c(f.bytes, r.cursor().file(), "VersionDef.bad_consumers", f.payload_offset);
      while (!c.done()) v.bad_consumers.push_back(static_cast<int32_t>(c.ReadVarint64("value")));
    }
  }
  return v;
}

}  // namespace

BundleHeader DecodeBundleHeader(ByteView bytes, std::string_view file, std::string_view context) {
  BundleHeader h;
  proto::Reader r(bytes, file, context);
  proto::Field f;
  while (r.Next(f)) {
    switch (f.number) {
      case 1:
        r.Expect(f, proto::kVarint, "num_shards");
        h.num_shards = static_cast<int32_t>(f.varint);
        break;
      case 2:
        r.Expect(f, proto::kVarint, "endianness");
        h.endianness = static_cast<int32_t>(f.varint);
        break;
      case 3:
        r.Expect(f, proto::kLengthDelimited, "version");
        h.version = DecodeVersionDef(r, f);
        break;
      default:
        break;  // unknown fields are skipped, as protobuf does
    }
  }
  return h;
}

std::vector<int64_t> DecodeTensorShape(ByteView bytes, std::string_view file,
                                       std::string_view context, bool* unknown_rank) {
  std::vector<int64_t> dims;
  proto::Reader r(bytes, file, context);
  proto::Field f;
  while (r.Next(f)) {
    if (f.number == 2) {
      r.Expect(f, proto::kLengthDelimited, "dim");
      proto::Reader d = r.Nested(f, "dim");
      proto::Field df;
      int64_t size = 0;
      while (d.Next(df)) {
        if (df.number == 1) {
          d.Expect(df, proto::kVarint, "size");
          size = static_cast<int64_t>(df.varint);
        }
      }
      if (size < 0)
        r.FailAt(f, "dimension " + std::to_string(dims.size()) + " is negative (" +
                        std::to_string(size) + ")");
      dims.push_back(size);
      if (dims.size() > 254) r.FailAt(f, "shape has more than 254 dimensions");
    } else if (f.number == 3) {
      r.Expect(f, proto::kVarint, "unknown_rank");
      if (unknown_rank != nullptr) *unknown_rank = f.varint != 0;
    }
  }
  return dims;
}

TensorSlice DecodeTensorSlice(ByteView bytes, std::string_view file, std::string_view context) {
  TensorSlice slice;
  proto::Reader r(bytes, file, context);
  proto::Field f;
  while (r.Next(f)) {
    if (f.number != 1) continue;
    r.Expect(f, proto::kLengthDelimited, "extent");
    proto::Reader e = r.Nested(f, "extent");
    proto::Field ef;
    SliceExtent extent;
    while (e.Next(ef)) {
      if (ef.number == 1) {
        e.Expect(ef, proto::kVarint, "start");
        extent.start = static_cast<int64_t>(ef.varint);
      } else if (ef.number == 2) {
        e.Expect(ef, proto::kVarint, "length");
        extent.length = static_cast<int64_t>(ef.varint);
      }
    }
    if (extent.start < 0 || extent.length < -1) {
      r.FailAt(f, "slice extent out of range (start " + std::to_string(extent.start) + ", length " +
                      std::to_string(extent.length) + ")");
    }
    slice.push_back(extent);
  }
  return slice;
}

BundleEntry DecodeBundleEntry(ByteView bytes, std::string_view file, std::string_view context) {
  BundleEntry e;
  proto::Reader r(bytes, file, context);
  proto::Field f;
  while (r.Next(f)) {
    switch (f.number) {
      case 1:
        r.Expect(f, proto::kVarint, "dtype");
        e.dtype = static_cast<int32_t>(f.varint);
        break;
      case 2: {
        r.Expect(f, proto::kLengthDelimited, "shape");
        std::string ctx = std::string(context) + ", shape";
        e.shape = DecodeTensorShape(f.bytes, file, ctx, &e.unknown_rank);
        break;
      }
      case 3:
        r.Expect(f, proto::kVarint, "shard_id");
        e.shard_id = static_cast<int32_t>(f.varint);
        if (f.varint > INT32_MAX) r.FailAt(f, "shard_id out of range");
        break;
      case 4:
        r.Expect(f, proto::kVarint, "offset");
        e.offset = static_cast<int64_t>(f.varint);
        break;
      case 5:
        r.Expect(f, proto::kVarint, "size");
        e.size = static_cast<int64_t>(f.varint);
        break;
      case 6:
        r.Expect(f, proto::kFixed32, "crc32c");
        e.masked_crc32c = static_cast<uint32_t>(f.varint);
        break;
      case 7: {
        r.Expect(f, proto::kLengthDelimited, "slices");
        std::string ctx = std::string(context) + ", slice";
        e.slices.push_back(DecodeTensorSlice(f.bytes, file, ctx));
        break;
      }
      default:
        break;
    }
  }
  if (e.offset < 0 || e.size < 0) {
    ByteCursor c(bytes, file, context);
    c.Fail("negative offset or size (offset " + std::to_string(e.offset) + ", size " +
           std::to_string(e.size) + ")");
  }
  return e;
}

namespace {

// One varint at p (advanced past it); false when truncated or over-long.
bool TakeVarint(const uint8_t*& p, const uint8_t* end, uint64_t* value) {
  const uint8_t* next = DecodeVarint64(p, end, value);
  if (next == nullptr) return false;
  p = next;
  return true;
}

// The payload of a length-delimited field starting at p: [*begin, p) after the call.
bool TakeLengthDelimited(const uint8_t*& p, const uint8_t* end, const uint8_t** begin) {
  uint64_t len = 0;
  if (!TakeVarint(p, end, &len) || len > static_cast<uint64_t>(end - p)) return false;
  *begin = p;
  p += len;
  return true;
}

constexpr uint64_t Tag(uint32_t number, proto::WireType type) {
  return (uint64_t{number} << 3) | type;
}

// TensorShapeProto: dims (field 2) holding only a size (field 1), and unknown_rank (3).
bool TryDecodeShapeFast(const uint8_t* p, const uint8_t* end, BundleEntry* out) {
  while (p < end) {
    uint64_t tag = 0, value = 0;
    if (!TakeVarint(p, end, &tag)) return false;
    if (tag == Tag(3, proto::kVarint)) {
      if (!TakeVarint(p, end, &value)) return false;
      out->unknown_rank = value != 0;
      continue;
    }
    const uint8_t* dim = nullptr;
    if (tag != Tag(2, proto::kLengthDelimited) || !TakeLengthDelimited(p, end, &dim)) return false;
    int64_t size = 0;
    while (dim < p) {
      if (!TakeVarint(dim, p, &tag) || tag != Tag(1, proto::kVarint)) return false;
      if (!TakeVarint(dim, p, &value)) return false;
      size = static_cast<int64_t>(value);
    }
    if (size < 0 || out->shape.size() >= 254) return false;
    out->shape.push_back(size);
  }
  return true;
}

}  // namespace

bool TryDecodeBundleEntryFast(ByteView bytes, BundleEntry* out) {
  out->dtype = 0;
  out->shape.clear();
  out->unknown_rank = false;
  out->shard_id = 0;
  out->offset = 0;
  out->size = 0;
  out->masked_crc32c.reset();
  out->slices.clear();
  const uint8_t* p = bytes.data;
  const uint8_t* const end = bytes.data + bytes.size;
  bool have_shape = false;
  while (p < end) {
    uint64_t tag = 0, value = 0;
    if (!TakeVarint(p, end, &tag)) return false;
    if (tag == Tag(2, proto::kLengthDelimited)) {
      const uint8_t* shape = nullptr;
      if (have_shape || !TakeLengthDelimited(p, end, &shape)) return false;
      if (!TryDecodeShapeFast(shape, p, out)) return false;
      have_shape = true;
      continue;
    }
    if (tag == Tag(6, proto::kFixed32)) {
      if (end - p < 4) return false;
      out->masked_crc32c = LoadLE32(p);
      p += 4;
      continue;
    }
    if ((tag & 7) != proto::kVarint || !TakeVarint(p, end, &value)) return false;
    switch (tag >> 3) {
      case 1:
        out->dtype = static_cast<int32_t>(value);
        break;
      case 3:
        if (value > INT32_MAX) return false;
        out->shard_id = static_cast<int32_t>(value);
        break;
      case 4:
        out->offset = static_cast<int64_t>(value);
        break;
      case 5:
        out->size = static_cast<int64_t>(value);
        break;
      default:
        return false;
    }
  }
  return out->offset >= 0 && out->size >= 0;
}

std::string EncodeBundleHeader(const BundleHeader& h) {
  std::string out;
  if (h.num_shards != 0) proto::PutVarintField(out, 1, static_cast<uint64_t>(h.num_shards));
  if (h.endianness != 0) proto::PutVarintField(out, 2, static_cast<uint64_t>(h.endianness));
  if (h.version) {
    std::string v;
    if (h.version->producer)
      proto::PutVarintField(v, 1, static_cast<uint64_t>(h.version->producer));
    if (h.version->min_consumer) {
      proto::PutVarintField(v, 2, static_cast<uint64_t>(h.version->min_consumer));
    }
    if (!h.version->bad_consumers.empty()) {
      std::string packed;
      for (int32_t b : h.version->bad_consumers) {
        AppendVarint64(packed, static_cast<uint64_t>(static_cast<int64_t>(b)));
      }
      proto::PutBytesField(v, 3, packed);
    }
    proto::PutBytesField(out, 3, v);
  }
  return out;
}

std::string EncodeTensorShape(const std::vector<int64_t>& shape) {
  std::string out;
  for (int64_t d : shape) {
    std::string dim;
    if (d != 0) proto::PutVarintField(dim, 1, static_cast<uint64_t>(d));
    proto::PutBytesField(out, 2, dim);
  }
  return out;
}

std::string EncodeTensorSlice(const TensorSlice& slice) {
  std::string out;
  for (const SliceExtent& e : slice) {
    std::string ext;
    if (!e.IsFull()) {
      if (e.start != 0) proto::PutVarintField(ext, 1, static_cast<uint64_t>(e.start));
      proto::PutVarintField(ext, 2, static_cast<uint64_t>(e.length));
    }
    proto::PutBytesField(out, 1, ext);
  }
  return out;
}

std::string EncodeBundleEntry(const BundleEntry& e) {
  std::string out;
  if (e.dtype != 0) proto::PutVarintField(out, 1, static_cast<uint64_t>(e.dtype));
  proto::PutBytesField(out, 2, EncodeTensorShape(e.shape));
  if (e.shard_id != 0) proto::PutVarintField(out, 3, static_cast<uint64_t>(e.shard_id));
  if (e.offset != 0) proto::PutVarintField(out, 4, static_cast<uint64_t>(e.offset));
  if (e.size != 0) proto::PutVarintField(out, 5, static_cast<uint64_t>(e.size));
  if (e.masked_crc32c && *e.masked_crc32c != 0) proto::PutFixed32Field(out, 6, *e.masked_crc32c);
  for (const TensorSlice& s : e.slices) proto::PutBytesField(out, 7, EncodeTensorSlice(s));
  return out;
}

}  // namespace rescope::tfbundle
