// SPDX-License-Identifier: Apache-2.0
// V1 (SavedTensorSlices) checkpoint reading.
#include "formats/tf_v1/tf_v1_reader.h"

#include <cstring>
#include <mutex>

#include "formats/mapped_file.h"
#include "formats/proto_wire.h"
#include "formats/tf_bundle/bundle_entry.h"
#include "formats/tf_bundle/slice_key.h"
#include "formats/tf_bundle/sstable_reader.h"
#include "formats/tf_bundle/string_tensor.h"

namespace rescope::tfv1 {
namespace {

struct SliceMeta {
  std::string name;
  std::vector<int64_t> shape;
  int32_t dtype = 0;
  std::vector<TensorSlice> slices;
};

// Lazily decodes one V1 record's values on first read.
class V1TensorSource final : public ByteSource {
 public:
  V1TensorSource(std::shared_ptr<const sstable::TableReader> table, std::string key,
                 std::string display, DType dtype, uint64_t num_elements)
      : table_(std::move(table)), key_(std::move(key)), name_(std::move(display)),
        dtype_(dtype), num_elements_(num_elements) {}

  const std::string& name() const override { return name_; }
  uint64_t size() const override {
    Decode();
    return bytes_.size();
  }
  Result<ByteView> Read(uint64_t offset, uint64_t n, std::vector<uint8_t>&) const override {
    Decode();
    if (!status_.ok()) return status_;
    if (!RangeFits(offset, n, bytes_.size())) {
      return Status::Corruption(name_ + ": bytes [" + Hex(offset) + ", +" + Hex(n) +
                                ") outside decoded tensor (" + Hex(bytes_.size()) + ")");
    }
    return ByteView(bytes_.data() + offset, static_cast<size_t>(n));
  }

 private:
  void Decode() const {
    std::call_once(once_, [this] {
      auto value = table_->Get(key_);
      if (!value.ok()) {
        status_ = value.status();
        return;
      }
      if (!value->has_value()) {
        status_ = Status::Corruption(name_ + ": value record missing from the table");
        return;
      }
      try {
        const std::string& record_bytes = **value;
        ByteView record{std::string_view(record_bytes)};
        proto::Reader r(record, table_->file_name(), name_);
        proto::Field f;
        ByteView data;
        bool have_data = false;
        while (r.Next(f)) {
          if (f.number != 2 || f.wire_type != proto::kLengthDelimited) continue;
          proto::Reader s = r.Nested(f, "SavedSlice");
          proto::Field sf;
          while (s.Next(sf)) {
            if (sf.number == 3 && sf.wire_type == proto::kLengthDelimited) {
              data = sf.bytes;
              have_data = true;
            }
          }
        }
        if (!have_data && num_elements_ != 0) {
          status_ = Status::Corruption(name_ + ": record has no SavedSlice.data");
          return;
        }
        auto decoded = DecodeTensorProtoValues(data, dtype_, num_elements_, name_);
        if (!decoded.ok()) {
          status_ = decoded.status();
          return;
        }
        bytes_ = std::move(decoded).value();
      } catch (const FormatError& e) {
        status_ = e.status();
      }
    });
  }

  std::shared_ptr<const sstable::TableReader> table_;
  std::string key_;
  std::string name_;
  DType dtype_;
  uint64_t num_elements_;
  mutable std::once_flag once_;
  mutable std::vector<uint8_t> bytes_;
  mutable Status status_;
};

std::vector<SliceMeta> DecodeMeta(ByteView value, const std::string& file) {
  std::vector<SliceMeta> out;
  proto::Reader r(value, file, "meta record");
  proto::Field f;
  while (r.Next(f)) {
    if (f.number != 1) continue;  // SavedTensorSlices.meta
    r.Expect(f, proto::kLengthDelimited, "meta");
    proto::Reader m = r.Nested(f, "SavedTensorSliceMeta");
    proto::Field mf;
    while (m.Next(mf)) {
      if (mf.number != 1) continue;  // tensor
      m.Expect(mf, proto::kLengthDelimited, "tensor");
      proto::Reader t = m.Nested(mf, "SavedSliceMeta #" + std::to_string(out.size()));
      SliceMeta meta;
      proto::Field tf;
      while (t.Next(tf)) {
        if (tf.number == 1) {
          t.Expect(tf, proto::kLengthDelimited, "name");
          meta.name = std::string(tf.bytes.AsStringView());
        } else if (tf.number == 2) {
          t.Expect(tf, proto::kLengthDelimited, "shape");
          meta.shape = tfbundle::DecodeTensorShape(tf.bytes, file, "shape", nullptr);
        } else if (tf.number == 3) {
          t.Expect(tf, proto::kVarint, "type");
          meta.dtype = static_cast<int32_t>(tf.varint);
        } else if (tf.number == 4) {
          t.Expect(tf, proto::kLengthDelimited, "slice");
          meta.slices.push_back(tfbundle::DecodeTensorSlice(tf.bytes, file, "slice"));
        }
      }
      out.push_back(std::move(meta));
    }
  }
  return out;
}

// Shape of a slice of `full`: full dims keep their size.
std::vector<int64_t> SliceShape(const std::vector<int64_t>& full, const TensorSlice& slice) {
  std::vector<int64_t> out = full;
  for (size_t i = 0; i < slice.size() && i < out.size(); ++i) {
    if (!slice[i].IsFull()) out[i] = slice[i].length;
  }
  return out;
}

bool IsFullSlice(const TensorSlice& slice) {
  for (const SliceExtent& e : slice) {
    if (!e.IsFull()) return false;
  }
  return true;
}

void AddShard(const std::string& file, Checkpoint& ckpt) {
  auto mapped = MappedFile::Open(file);
  if (!mapped.ok()) ThrowStatus(mapped.status());
  ckpt.files.push_back({file, "V1 table", true, (*mapped)->size()});
  auto opened = sstable::TableReader::Open(std::move(mapped).value());
  if (!opened.ok()) ThrowStatus(opened.status());
  auto table = std::make_shared<const sstable::TableReader>(std::move(opened).value());
  auto meta_value = table->Get("");
  if (!meta_value.ok()) ThrowStatus(meta_value.status());
  if (!meta_value->has_value()) ThrowCorruption(file + ": no \"\" meta record (not a V1 checkpoint)");
  const std::vector<SliceMeta> metas = DecodeMeta(ByteView(std::string_view(**meta_value)), file);
  for (const SliceMeta& meta : metas) {
    const std::string where = file + ": tensor \"" + meta.name + "\"";
    if (meta.slices.empty()) ThrowCorruption(where + ": no slice listed in meta record");
    const bool partitioned = !(meta.slices.size() == 1 && IsFullSlice(meta.slices[0]));
    if (partitioned) {
      TensorEntry full;
      full.name = meta.name;
      full.dtype = static_cast<DType>(meta.dtype);
      full.shape = meta.shape;
      full.kind = EntryKind::kPartitioned;
      full.mutable_slices() = meta.slices;
      if (TensorEntry* existing = ckpt.store.FindMutable(meta.name)) {
        for (const auto& s : meta.slices) existing->mutable_slices().push_back(s);
      } else {
        ckpt.store.Put(full);
      }
    }
    for (const TensorSlice& slice : meta.slices) {
      if (slice.size() != meta.shape.size()) {
        ThrowCorruption(where + ": slice has " + std::to_string(slice.size()) +
                        " extents, tensor rank is " + std::to_string(meta.shape.size()));
      }
      const std::string key = tfslice::EncodeTensorNameSlice(meta.name, slice);
      const std::vector<int64_t> shape = SliceShape(meta.shape, slice);
      const auto n = ShapeNumElements(shape);
      if (!n) ThrowCorruption(where + ": invalid shape " + ShapeToString(shape));
      TensorEntry e;
      e.name = partitioned ? key : meta.name;
      e.dtype = static_cast<DType>(meta.dtype);
      e.shape = shape;
      if (const auto elem = DTypeElementSize(e.dtype)) {
        if (*n > UINT64_MAX / *elem) ThrowCorruption(where + ": tensor too large");
        e.byte_size = *n * *elem;
      }
      if (partitioned) {
        e.kind = EntryKind::kSlice;
        e.set_partitioned_name(meta.name);
        e.set_slice(slice);
      }
      auto source = std::make_shared<V1TensorSource>(table, key, where, e.dtype, *n);
      e.data = source;
      if (e.dtype == DType::kString) {
        // String byte size is only known after decoding; V1 checkpoints are small.
        e.byte_size = source->size();
      }
      Status st = ckpt.store.Add(std::move(e));
      if (!st.ok()) ThrowStatus(st.WithContext(file));
    }
  }
}

template <typename T>
void AppendLE(std::vector<uint8_t>& out, T v) {
  uint8_t buf[sizeof(T)];
  std::memcpy(buf, &v, sizeof(T));  // hosts are little-endian
  out.insert(out.end(), buf, buf + sizeof(T));
}

}  // namespace

Result<std::vector<uint8_t>> DecodeTensorProtoValues(ByteView tp, DType dtype,
                                                     uint64_t num_elements,
                                                     const std::string& where) {
  try {
    std::vector<uint8_t> out;
    std::vector<std::string> strings;
    uint64_t count = 0;
    const auto elem = DTypeElementSize(dtype);
    if (dtype != DType::kString && !elem) {
      return Status::NotSupported(where + ": V1 values of dtype " + DTypeName(dtype) +
                                  " cannot be decoded");
    }
    proto::Reader r(tp, "", where);
    proto::Field f;
    auto each_scalar = [&](const proto::Field& fld, bool fixed32, bool fixed64, auto&& emit) {
      if (fld.wire_type == proto::kLengthDelimited) {
        ByteCursor c(fld.bytes, where, "packed values");
        while (!c.done()) {
          if (fixed32) emit(c.ReadFixed32("value"));
          else if (fixed64) emit(c.ReadFixed64("value"));
          else emit(c.ReadVarint64("value"));
        }
      } else {
        emit(fld.varint);
      }
    };
    while (r.Next(f)) {
      if (count > num_elements) break;
      switch (f.number) {
        case 4:  // tensor_content: raw bytes
          if (f.wire_type == proto::kLengthDelimited && elem) {
            out.insert(out.end(), f.bytes.begin(), f.bytes.end());
            count = out.size() / *elem;
          }
          break;
        case 5:  // float_val
        case 9:  // scomplex_val
          each_scalar(f, true, false, [&](uint64_t v) {
            AppendLE<uint32_t>(out, static_cast<uint32_t>(v));
            ++count;
          });
          break;
        case 6:   // double_val
        case 12:  // dcomplex_val
          each_scalar(f, false, true, [&](uint64_t v) {
            AppendLE<uint64_t>(out, v);
            ++count;
          });
          break;
        case 7:   // int_val: int32, uint8, int8, int16, uint16, qint*
        case 10:  // int64_val
        case 11:  // bool_val
        case 13:  // half_val (raw 16-bit patterns)
        case 16:  // uint32_val
        case 17:  // uint64_val
          each_scalar(f, false, false, [&](uint64_t v) {
            for (uint32_t b = 0; b < *elem; ++b) out.push_back(static_cast<uint8_t>(v >> (8 * b)));
            ++count;
          });
          break;
        case 8:  // string_val
          if (f.wire_type == proto::kLengthDelimited) {
            strings.emplace_back(f.bytes.AsStringView());
            ++count;
          }
          break;
        default:
          break;
      }
    }
    if (dtype == DType::kString) {
      if (strings.size() != num_elements) {
        return Status::Corruption(where + ": " + std::to_string(strings.size()) +
                                  " string values, expected " + std::to_string(num_elements));
      }
      const std::string encoded = EncodeStringTensor(strings, nullptr);
      return std::vector<uint8_t>(encoded.begin(), encoded.end());
    }
    // Complex values count two scalars per element.
    const uint64_t expected_bytes = num_elements * *elem;
    if (out.size() != expected_bytes) {
      return Status::Corruption(where + ": values decode to " + std::to_string(out.size()) +
                                " bytes, expected " + std::to_string(expected_bytes) + " (" +
                                std::to_string(num_elements) + " x " + DTypeName(dtype) + ")");
    }
    return out;
  } catch (const FormatError& e) {
    return e.status();
  }
}

Result<Checkpoint> OpenTfV1(const std::string& prefix, const std::vector<std::string>& files) {
  try {
    Checkpoint ckpt;
    ckpt.format = "tf_v1";
    ckpt.format_version = "V1 (SavedTensorSlices)";
    ckpt.path = prefix;
    for (const std::string& file : files) AddShard(file, ckpt);
    ckpt.properties.emplace_back("naming", "TF1 name-based");
    ckpt.properties.emplace_back("shards", std::to_string(files.size()));
    return ckpt;
  } catch (const FormatError& e) {
    return e.status();
  }
}

}  // namespace rescope::tfv1
