// SPDX-License-Identifier: Apache-2.0
// Tensor-bundle index decoding into a Checkpoint.
#include "formats/tf_bundle/tf_bundle_reader.h"

#include <algorithm>
#include <functional>
#include <map>

#include "formats/mapped_file.h"
#include "formats/tf_bundle/checkpoint_path.h"
#include "formats/tf_bundle/crc32c.h"
#include "formats/tf_bundle/slice_key.h"
#include "formats/tf_bundle/sstable_reader.h"

namespace rescope::tfbundle {
namespace {

constexpr int32_t kMaxShards = 1 << 20;

std::string EntryContext(std::string_view key, const sstable::TableEntry& te) {
  return "data block @" + Hex(te.block_offset) + ", entry #" + std::to_string(te.index_in_block) +
         " (\"" + tfslice::EscapeKeyForDisplay(key) + "\")";
}

// Every data shard TF writes holds at least one entry; an entry takes at least 8 index bytes
// before compression and snappy shrinks a block at most 22-fold, so a real index has fewer
// than 4 shards per byte. The floor leaves room for merged empty bundles (FORMATS.md
// §1.11). Without this bound a 117-byte index could make us stat and list 2^20 shards.
int32_t MaxShards(uint64_t index_size) {
  const uint64_t justified = std::max<uint64_t>(1024, index_size * 4);
  return static_cast<int32_t>(std::min<uint64_t>(kMaxShards, justified));
}

void CheckHeader(const BundleHeader& h, const std::string& index_name, uint64_t index_size) {
  const int32_t max_shards = MaxShards(index_size);
  if (h.num_shards <= 0 || h.num_shards > max_shards) {
    ThrowCorruption(index_name + ": bundle header: num_shards " + std::to_string(h.num_shards) +
                    " out of range (expected 1.." + std::to_string(max_shards) + " for a " +
                    std::to_string(index_size) + "-byte index)");
  }
  if (h.endianness == 1) {
    ThrowStatus(Status::NotSupported(index_name +
                                     ": bundle header: big-endian tensor data is not supported"));
  }
  if (h.endianness != 0) {
    ThrowCorruption(index_name + ": bundle header: unknown endianness " +
                    std::to_string(h.endianness));
  }
  if (h.version) {
    // TF's CheckVersions(consumer = 1, min_producer = 0).
    bool bad = h.version->producer < 0 || h.version->min_consumer > 1;
    for (int32_t b : h.version->bad_consumers) bad = bad || b == 1;
    if (bad) {
      ThrowStatus(Status::NotSupported(index_name + ": bundle header: version producer " +
                                       std::to_string(h.version->producer) + ", min_consumer " +
                                       std::to_string(h.version->min_consumer) +
                                       " cannot be read by a version-1 consumer"));
    }
  }
}

struct Shard {
  std::string path;
  std::shared_ptr<const ByteSource> source;
  std::string missing;
};

std::vector<Shard> OpenShards(const std::string& prefix, int32_t num_shards, Checkpoint& ckpt) {
  std::vector<Shard> shards(static_cast<size_t>(num_shards));
  for (int32_t i = 0; i < num_shards; ++i) {
    Shard& s = shards[static_cast<size_t>(i)];
    s.path = DataFileName(prefix, i, num_shards);
    CheckpointFile file{
        s.path, "data shard " + std::to_string(i) + " of " + std::to_string(num_shards), false, 0};
    if (FileExists(s.path)) {
      auto mapped = MappedFile::Open(s.path);
      if (!mapped.ok()) ThrowStatus(mapped.status());
      file.present = true;
      file.size = (*mapped)->size();
      s.source = std::move(mapped).value();
    } else {
      s.missing = "data shard missing: " + s.path;
    }
    ckpt.files.push_back(file);
  }
  return shards;
}

TensorEntry MakeTensorEntry(std::string_view key, const BundleEntry& be,
                            const std::vector<Shard>& shards,
                            const std::function<std::string()>& where) {
  TensorEntry e;
  e.name = std::string(key);
  e.dtype = static_cast<DType>(be.dtype);
  e.shape = be.shape;
  if (!be.slices.empty()) {
    e.kind = EntryKind::kPartitioned;
    e.mutable_slices() = be.slices;
    for (const TensorSlice& s : be.slices) {
      if (s.size() != be.shape.size()) {
        ThrowCorruption(where() + ": slice " + SliceToString(s) + " has " +
                        std::to_string(s.size()) + " extents, tensor rank is " +
                        std::to_string(be.shape.size()));
      }
    }
    return e;
  }
  if (be.unknown_rank) ThrowCorruption(where() + ": shape has unknown rank");
  if (!ShapeNumElements(be.shape)) {
    ThrowCorruption(where() + ": invalid shape " + ShapeToString(be.shape) +
                    " (element count overflows)");
  }
  if (be.shard_id < 0 || static_cast<size_t>(be.shard_id) >= shards.size()) {
    ThrowCorruption(where() + ": shard_id " + std::to_string(be.shard_id) +
                    " out of range (num_shards " + std::to_string(shards.size()) + ")");
  }
  e.byte_size = static_cast<uint64_t>(be.size);
  e.data_offset = static_cast<uint64_t>(be.offset);
  e.shard = be.shard_id;
  if (be.masked_crc32c) e.stored_crc32c = crc32c::Unmask(*be.masked_crc32c);
  if (const auto elem = DTypeElementSize(e.dtype)) {
    const uint64_t n = *ShapeNumElements(be.shape);
    if (n > UINT64_MAX / *elem || n * *elem != e.byte_size) {
      ThrowCorruption(where() + ": size " + std::to_string(e.byte_size) + " does not match " +
                      DTypeName(e.dtype) + " " + ShapeToString(e.shape) + " (expected " +
                      std::to_string(n * *elem) + " bytes)");
    }
  }
  const Shard& shard = shards[static_cast<size_t>(be.shard_id)];
  e.data = shard.source;
  // Most shards are present: an empty error would still give the entry its rare fields.
  if (!shard.missing.empty()) e.set_data_error(shard.missing);
  return e;
}

void DecodeIndex(const sstable::TableReader& table, uint64_t index_size, const std::string& prefix,
                 Checkpoint& ckpt, TfBundleState& state) {
  const std::string& index_name = table.file_name();
  bool have_header = false;
  std::vector<Shard> shards;
  BundleEntry be;  // reused: its shape buffer is allocated once
  Status st = table.ForEach([&](const sstable::TableEntry& te) -> Status {
    if (!have_header) {
      // TF parses the first entry as the header without checking its key; we insist.
      if (!te.key.empty()) {
        ThrowCorruption(index_name + ": data block @" + Hex(te.block_offset) + ": first key is \"" +
                        tfslice::EscapeKeyForDisplay(te.key) + "\", expected the empty header key");
      }
      state.header = DecodeBundleHeader(te.value, index_name, "bundle header");
      state.header_bytes = std::string(te.value.AsStringView());
      CheckHeader(state.header, index_name, index_size);
      shards = OpenShards(prefix, state.header.num_shards, ckpt);
      have_header = true;
      return Status::Ok();
    }
    // Messages name the entry; build that text only when something fails (listing a
    // 100k-entry index should not format 100k strings).
    auto where = [&] { return index_name + ": " + EntryContext(te.key, te); };
    if (!TryDecodeBundleEntryFast(te.value, &be)) {
      try {
        be = DecodeBundleEntry(te.value, index_name, "");
      } catch (const FormatError&) {
        be = DecodeBundleEntry(te.value, index_name, EntryContext(te.key, te));
      }
    }
    TensorEntry e = MakeTensorEntry(te.key, be, shards, where);
    if (!te.key.empty() && te.key[0] == '\0') {
      auto decoded = tfslice::DecodeTensorNameSlice(ByteView(te.key), index_name);
      if (!decoded.ok()) ThrowStatus(decoded.status().WithContext(where()));
      e.kind = EntryKind::kSlice;
      e.set_partitioned_name(decoded->first);
      e.set_slice(decoded->second);
    }
    if (e.name == kObjectGraphKey) {
      e.is_metadata = true;
      ckpt.object_based = true;
    }
    return ckpt.store.Add(std::move(e));
  });
  if (!st.ok()) ThrowStatus(st);
  if (!have_header) ThrowCorruption(index_name + ": index holds no entries (no bundle header)");
  for (const Shard& s : shards) state.shard_paths.push_back(s.path);
}

}  // namespace

Result<Checkpoint> OpenTfBundleIndex(std::shared_ptr<const ByteSource> index,
                                     const std::string& prefix) {
  try {
    Checkpoint ckpt;
    ckpt.format = "tf_bundle";
    ckpt.path = prefix;
    ckpt.files.push_back({index->name(), "index", true, index->size()});
    auto table = sstable::TableReader::Open(index);
    if (!table.ok()) return table.status();
    auto state = std::make_shared<TfBundleState>();
    state->prefix = prefix;
    state->index_snappy = table->data_compression() == sstable::Compression::kSnappy;
    state->index_data_blocks = table->num_data_blocks();
    DecodeIndex(*table, index->size(), prefix, ckpt, *state);
    ckpt.format_version = "V2 tensor bundle";
    ckpt.properties.emplace_back("naming",
                                 ckpt.object_based ? "TF2 object-based" : "TF1 name-based");
    ckpt.properties.emplace_back("shards", std::to_string(state->header.num_shards));
    ckpt.properties.emplace_back("index compression", state->index_snappy ? "snappy" : "none");
    ckpt.properties.emplace_back("index data blocks", std::to_string(state->index_data_blocks));
    if (state->header.version) {
      ckpt.properties.emplace_back("bundle version",
                                   std::to_string(state->header.version->producer));
    }
    ckpt.state = std::move(state);
    return ckpt;
  } catch (const FormatError& e) {
    return e.status();
  }
}

Result<Checkpoint> OpenTfBundle(const std::string& prefix) {
  auto index = MappedFile::Open(prefix + ".index");
  if (!index.ok()) return index.status();
  return OpenTfBundleIndex(std::move(index).value(), prefix);
}

}  // namespace rescope::tfbundle
