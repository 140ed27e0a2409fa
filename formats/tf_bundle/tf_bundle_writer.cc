// SPDX-License-Identifier: Apache-2.0
// Tensor-bundle writing: index rebuild plus copied, linked or streamed data shards.
#include "formats/tf_bundle/tf_bundle_writer.h"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/values/tensor_transform.h"
#include "formats/atomic_output.h"
#include "formats/mapped_file.h"
#include "formats/tf_bundle/bundle_entry.h"
#include "formats/tf_bundle/checkpoint_path.h"
#include "formats/tf_bundle/crc32c.h"
#include "formats/tf_bundle/object_graph_store.h"
#include "formats/tf_bundle/slice_key.h"
#include "formats/tf_bundle/sstable_builder.h"
#include "formats/tf_bundle/sstable_reader.h"
#include "formats/tf_bundle/string_tensor.h"
#include "formats/tf_bundle/tensor_checksum.h"
#include "formats/tf_bundle/tf_bundle_reader.h"

namespace rescope::tfbundle {
namespace {

sstable::Compression ChooseCompression(const WriteOptions& o, const TfBundleState* state) {
  switch (o.index_compression) {
    case IndexCompression::kNone:
      return sstable::Compression::kNone;
    case IndexCompression::kSnappy:
      return sstable::Compression::kSnappy;
    case IndexCompression::kKeep:
      break;
  }
  return state != nullptr && state->index_snappy ? sstable::Compression::kSnappy
                                                 : sstable::Compression::kNone;
}

// A bundle names its dtypes by TF DataType; rescope's own values (float8_e8m0fnu, packed
// float4/float6, GGML blocks) would be written as numbers TensorFlow cannot read.
bool IsTensorFlowDType(DType dtype) {
  // dtype.h: rescope's own values start at kFloat8E8M0FNU, far above TF's enum.
  return DTypeValue(dtype) > 0 && DTypeValue(dtype) < DTypeValue(DType::kFloat8E8M0FNU);
}

Status CheckBundleDType(std::string_view name, const TensorEntry& e) {
  const bool storable = e.dtype == DType::kString || e.dtype == DType::kVariant ||
                        DTypeElementSize(e.dtype).has_value();
  if (storable && IsTensorFlowDType(e.dtype)) return Status::Ok();
  return Status::NotSupported(
      "tensor \"" + std::string(name) + "\": dtype " + DTypeName(e.dtype) +
      " cannot be written to a tensor bundle" +
      (IsTensorFlowDType(e.dtype) ? std::string() : " (TensorFlow has no such DataType)"));
}

BundleEntry EntryFor(const TensorEntry& e) {
  BundleEntry be;
  be.dtype = DTypeValue(e.dtype);
  be.shape = e.shape;
  if (e.kind == EntryKind::kPartitioned) {
    be.slices = e.slices();
    return be;
  }
  be.shard_id = e.shard < 0 ? 0 : e.shard;
  be.offset = static_cast<int64_t>(e.data_offset);
  be.size = static_cast<int64_t>(e.byte_size);
  if (e.stored_crc32c) be.masked_crc32c = crc32c::Mask(*e.stored_crc32c);
  return be;
}

// Index keys of the output: the header, then every entry under its (new) name; stored
// slices of partitioned variables are re-keyed from their variable's new name.
//
// The records live in one buffer, sorted once when complete: a std::map node with a key
// and a value string per record costs ~200 B, 20 MB for 100,000 variables.
class IndexPlan {
 public:
  void Add(std::string_view key, std::string_view value) {
    records_.push_back(
        {bytes_.size(), static_cast<uint32_t>(key.size()), static_cast<uint32_t>(value.size())});
    bytes_.append(key);
    bytes_.append(value);
  }

  // Sorts the records by key (bytewise); fails on a key added twice.
  Status Sort() {
    std::sort(records_.begin(), records_.end(),
              [this](const Record& a, const Record& b) { return Key(a) < Key(b); });
    for (size_t i = 1; i < records_.size(); ++i) {
      if (Key(records_[i - 1]) == Key(records_[i])) {
        return Status::Conflict("two tensors map to index key \"" +
                                tfslice::EscapeKeyForDisplay(Key(records_[i])) + "\"");
      }
    }
    return Status::Ok();
  }

  // Visits the records in the order they are held (by key after Sort()).
  template <typename Fn>
  Status ForEach(Fn&& fn) const {
    for (const Record& r : records_) {
      RESCOPE_RETURN_IF_ERROR(
          fn(Key(r), std::string_view(bytes_).substr(r.offset + r.key_size, r.value_size)));
    }
    return Status::Ok();
  }

 private:
  struct Record {
    size_t offset;  // of the key in bytes_; the value follows it
    uint32_t key_size;
    uint32_t value_size;
  };
  std::string_view Key(const Record& r) const {
    return std::string_view(bytes_).substr(r.offset, r.key_size);
  }

  std::string bytes_;
  std::vector<Record> records_;
};

// Keys and values over 4 GiB cannot be written (the sstable builder refuses them too).
Status AddRecord(IndexPlan& plan, std::string_view key, std::string_view value) {
  if (key.size() > UINT32_MAX || value.size() > UINT32_MAX) {
    return Status::InvalidArgument("index key \"" +
                                   tfslice::EscapeKeyForDisplay(key.substr(0, 64)) +
                                   "\": key or value larger than 4 GiB");
  }
  plan.Add(key, value);
  return Status::Ok();
}

// The output index, fed its records in any order (they are collected in an IndexPlan and
// sorted) or, from a name table, already in key order (they go straight to the table
// builder: no copy of any record is held).
class IndexWriter {
 public:
  IndexWriter(bool keys_in_order, sstable::Compression compression)
      : keys_in_order_(keys_in_order),
        builder_(sstable::BuilderOptions{.compression = compression}) {}

  Status Add(std::string_view key, std::string_view value) {
    if (!keys_in_order_) return AddRecord(plan_, key, value);
    if (records_ > 0 && key <= last_key_) {
      // The plan refuses two entries taking one name, so this is a bug, never an output.
      return key == last_key_ ? Status::Conflict("two tensors map to index key \"" +
                                                 tfslice::EscapeKeyForDisplay(key) + "\"")
                              : Status::InvalidArgument("index keys out of order at \"" +
                                                        tfslice::EscapeKeyForDisplay(key) + "\"");
    }
    last_key_.assign(key);
    ++records_;
    return builder_.Add(key, value);
  }

  // Writes the index file (as the last output file: an index implies complete data).
  Status Write(AtomicOutput& out, const std::string& path) {
    if (!keys_in_order_) {
      RESCOPE_RETURN_IF_ERROR(plan_.Sort());
      RESCOPE_RETURN_IF_ERROR(plan_.ForEach(
          [&](std::string_view key, std::string_view value) { return builder_.Add(key, value); }));
    }
    auto file = out.Create(path);
    if (!file.ok()) return file.status();
    return (*file)->Append(builder_.Finish());
  }

 private:
  bool keys_in_order_;
  sstable::TableBuilder builder_;
  IndexPlan plan_;        // only when !keys_in_order_
  std::string last_key_;  // only when keys_in_order_
  size_t records_ = 0;
};

// Finds the new name of each partitioned source variable so slices can follow it.
std::unordered_map<std::string, std::string> PartitionedRenames(const TensorStore& store) {
  std::unordered_map<std::string, std::string> out;
  for (const auto& [name, e] : store) {
    if (e.kind == EntryKind::kPartitioned) out[e.SourceName()] = name;
  }
  return out;
}

Result<std::string> SliceKeyFor(const TensorEntry& e,
                                const std::unordered_map<std::string, std::string>& renamed) {
  auto decoded = tfslice::DecodeTensorNameSlice(ByteView(e.SourceName()), "slice key");
  if (!decoded.ok()) return decoded.status();
  auto it = renamed.find(decoded->first);
  if (it == renamed.end()) return std::string();  // its variable was dropped
  return tfslice::EncodeTensorNameSlice(it->second, decoded->second);
}

// The serialized TF2 object graph rewritten for the renames in `store`; nullopt when
// nothing changed.
Result<std::optional<std::string>> RewriteGraph(const TensorStore& source,
                                                const TensorStore& store) {
  auto graph = tfgraph::RewriteStoreGraph(source, store);
  if (!graph.ok()) return graph.status();
  if (!graph->has_value()) return std::optional<std::string>();
  return std::optional<std::string>((*graph)->Serialize());
}

Result<std::optional<std::string>> RewriteGraph(const RenameTable& table) {
  auto graph = tfgraph::RewriteStoreGraph(table);
  if (!graph.ok()) return graph.status();
  if (!graph->has_value()) return std::optional<std::string>();
  return std::optional<std::string>((*graph)->Serialize());
}

Status EnsureDirectory(const std::string& prefix) {
  const std::filesystem::path dir = std::filesystem::path(prefix).parent_path();
  if (dir.empty()) return Status::Ok();
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::IOError(dir.string() + ": cannot create directory: " + ec.message());
  return Status::Ok();
}

// Pass-through: same shards, same offsets; only keys (and maybe the graph) change.
// `for_each_record(add)` calls add(key, entry) for every output entry (stored slices
// under their new keys), in key order when `keys_in_order`. Each record is the source's
// BundleEntryProto fields re-encoded as TF encodes them: shard, offset, size and CRC are
// the source's, since the shards are the source's (linked or copied byte for byte).
template <typename ForEachRecord>
Result<WriteReport> WritePassThrough(const TfBundleState& state,
                                     const std::optional<std::string>& new_graph,
                                     bool keys_in_order, ForEachRecord&& for_each_record,
                                     const std::string& out_prefix, const WriteOptions& options) {
  WriteReport report;
  AtomicOutput out;
  const int32_t old_shards = state.header.num_shards;
  const int32_t num_shards = old_shards + (new_graph ? 1 : 0);
  BundleHeader header = state.header;
  header.num_shards = num_shards;
  IndexWriter index(keys_in_order, ChooseCompression(options, &state));
  RESCOPE_RETURN_IF_ERROR(
      index.Add("", new_graph ? EncodeBundleHeader(header) : state.header_bytes));
  const auto add_record = [&](std::string_view key, const TensorEntry& e) -> Status {
    if (new_graph && key == kObjectGraphKey) {
      uint32_t crc = 0;
      const std::string encoded = EncodeStringTensor({*new_graph}, &crc);
      BundleEntry be;
      be.dtype = DTypeValue(DType::kString);
      be.shard_id = old_shards;
      be.size = static_cast<int64_t>(encoded.size());
      be.masked_crc32c = crc32c::Mask(crc);
      RESCOPE_RETURN_IF_ERROR(index.Add(key, EncodeBundleEntry(be)));
      auto file = out.Create(DataFileName(out_prefix, old_shards, num_shards));
      if (!file.ok()) return file.status();
      RESCOPE_RETURN_IF_ERROR((*file)->Append(encoded));
      report.graph_rewritten = true;
      return Status::Ok();
    }
    return index.Add(key, EncodeBundleEntry(EntryFor(e)));
  };
  RESCOPE_RETURN_IF_ERROR(for_each_record(add_record));
  for (int32_t i = 0; i < old_shards; ++i) {
    const std::string& from = state.shard_paths[static_cast<size_t>(i)];
    const std::string to = DataFileName(out_prefix, i, num_shards);
    if (!FileExists(from)) {
      return Status::NotFound(from +
                              ": data shard missing; cannot write a complete checkpoint "
                              "(the index alone lists its tensors)");
    }
    if (options.link_data) {
      RESCOPE_RETURN_IF_ERROR(out.Link(from, to));
      report.data_linked = true;
    } else {
      auto file = out.Create(to);
      if (!file.ok()) return file.status();
      RESCOPE_RETURN_IF_ERROR((*file)->AppendFileContents(from));
      report.data_copied = true;
    }
    report.files.push_back(to);
  }
  if (new_graph) report.files.push_back(DataFileName(out_prefix, old_shards, num_shards));
  RESCOPE_RETURN_IF_ERROR(index.Write(out, out_prefix + ".index"));
  report.files.push_back(out_prefix + ".index");
  RESCOPE_RETURN_IF_ERROR(out.Commit());
  return report;
}

// The pass-through of a renamed store: records in store order, slices re-keyed.
Result<WriteReport> WriteStorePassThrough(const Checkpoint& source, const TfBundleState& state,
                                          const TensorStore& store, const std::string& out_prefix,
                                          const WriteOptions& options) {
  const auto partitioned = PartitionedRenames(store);
  RESCOPE_ASSIGN_OR_RETURN(std::optional<std::string> new_graph, RewriteGraph(source.store, store));
  auto for_each_record = [&](auto&& add) -> Status {
    for (const auto& [name, e] : store) {
      if (e.kind != EntryKind::kSlice) {
        RESCOPE_RETURN_IF_ERROR(add(name, e));
        continue;
      }
      auto key = SliceKeyFor(e, partitioned);
      if (!key.ok()) return key.status();
      if (!key->empty()) RESCOPE_RETURN_IF_ERROR(add(*key, e));
    }
    return Status::Ok();
  };
  // A slice key sorts by its variable's new name, not by the store's order of names.
  return WritePassThrough(state, new_graph, /*keys_in_order=*/false, for_each_record, out_prefix,
                          options);
}

// Streaming: one new shard holding every stored tensor of `store`.
Result<WriteReport> WriteStreaming(const Checkpoint& source, const TensorStore& store,
                                   const std::string& out_prefix, const WriteOptions& options) {
  WriteReport report;
  report.data_streamed = true;
  AtomicOutput out;
  const auto* state = dynamic_cast<const TfBundleState*>(source.state.get());
  const auto partitioned = PartitionedRenames(store);
  std::optional<std::string> new_graph;
  if (source.format == "tf_bundle") {
    auto rewritten = RewriteGraph(source.store, store);
    if (!rewritten.ok()) return rewritten.status();
    new_graph = std::move(rewritten).value();
  }
  const std::string data_path = DataFileName(out_prefix, 0, 1);
  auto data = out.Create(data_path);
  if (!data.ok()) return data.status();
  IndexWriter index(/*keys_in_order=*/false, ChooseCompression(options, state));
  BundleHeader header;
  header.num_shards = 1;
  header.version = VersionDef{1, 0, {}};
  RESCOPE_RETURN_IF_ERROR(index.Add("", EncodeBundleHeader(header)));
  for (const auto& [name, e] : store) {
    std::string key = name;
    if (e.kind == EntryKind::kSlice) {
      auto k = SliceKeyFor(e, partitioned);
      if (!k.ok()) return k.status();
      if (k->empty()) continue;
      key = *k;
    }
    BundleEntry be;
    be.dtype = DTypeValue(e.dtype);
    be.shape = e.shape;
    if (e.kind == EntryKind::kPartitioned) {
      be.slices = e.slices();
      RESCOPE_RETURN_IF_ERROR(index.Add(key, EncodeBundleEntry(be)));
      continue;
    }
    be.offset = static_cast<int64_t>((*data)->size());
    if (new_graph && name == kObjectGraphKey) {
      uint32_t crc = 0;
      const std::string encoded = EncodeStringTensor({*new_graph}, &crc);
      RESCOPE_RETURN_IF_ERROR((*data)->Append(encoded));
      be.size = static_cast<int64_t>(encoded.size());
      be.masked_crc32c = crc32c::Mask(crc);
      report.graph_rewritten = true;
    } else {
      if (!e.data) return Status::NotFound("tensor \"" + e.name + "\": " + e.data_error());
      RESCOPE_RETURN_IF_ERROR(CheckBundleDType(name, e));
      uint32_t crc = 0;
      if (e.stored_crc32c) {
        crc = *e.stored_crc32c;  // bytes are copied unchanged, so TF's checksum still holds
      } else {
        auto computed = ComputeTensorChecksum(e);
        if (!computed.ok()) return computed.status();
        crc = *computed;
      }
      RESCOPE_RETURN_IF_ERROR((*data)->AppendFrom(*e.data, e.data_offset, e.byte_size));
      be.size = static_cast<int64_t>(e.byte_size);
      be.masked_crc32c = crc32c::Mask(crc);
    }
    RESCOPE_RETURN_IF_ERROR(index.Add(key, EncodeBundleEntry(be)));
  }
  report.files.push_back(data_path);
  RESCOPE_RETURN_IF_ERROR(index.Write(out, out_prefix + ".index"));
  report.files.push_back(out_prefix + ".index");
  RESCOPE_RETURN_IF_ERROR(out.Commit());
  return report;
}

}  // namespace

Status CheckTfBundleWrite(const Checkpoint& source, const TensorStore& store) {
  // Both writers rewrite the graph only for a bundle source (see WriteStreaming).
  for (const auto& [name, e] : store) {
    if (e.kind == EntryKind::kTensor && !e.is_metadata)
      RESCOPE_RETURN_IF_ERROR(CheckBundleDType(name, e));
  }
  if (source.format != "tf_bundle") return Status::Ok();
  return RewriteGraph(source.store, store).status();
}

Result<WriteReport> WriteTfBundle(const Checkpoint& source, const TensorStore& store,
                                  const std::string& out_prefix, const WriteOptions& options) {
  RESCOPE_RETURN_IF_ERROR(EnsureDirectory(out_prefix));
  const auto* state = dynamic_cast<const TfBundleState*>(source.state.get());
  // Transformed values exist only as a stream; the source shards do not hold them.
  const bool transformed = AnyBytesTransformed(store);
  if (state != nullptr && source.format == "tf_bundle" && !options.compact && !transformed) {
    return WriteStorePassThrough(source, *state, store, out_prefix, options);
  }
  if (options.link_data) {
    return Status::InvalidArgument(
        transformed ? "--link-data cannot be used with value transforms (transpose/permute): "
                      "transformed tensors are written as new data"
                    : "--link-data needs a tensor-bundle input and no --compact");
  }
  return WriteStreaming(source, store, out_prefix, options);
}

bool WritesNameTable(const Checkpoint& source, const WriteOptions& options) {
  // WriteTfBundle's pass-through condition; a name table never transforms values.
  return source.format == "tf_bundle" && dynamic_cast<const TfBundleState*>(source.state.get()) &&
         !options.compact;
}

Status CheckTfBundleWrite(const Checkpoint& source, const RenameTable& table) {
  for (const RenameTable::Row& row : table.rows()) {
    if (!row.entry->is_metadata) RESCOPE_RETURN_IF_ERROR(CheckBundleDType(row.name, *row.entry));
  }
  if (source.format != "tf_bundle") return Status::Ok();
  return RewriteGraph(table).status();
}

Result<WriteReport> WriteTfBundle(const Checkpoint& source, const RenameTable& table,
                                  const std::string& out_prefix, const WriteOptions& options) {
  const auto* state = dynamic_cast<const TfBundleState*>(source.state.get());
  if (!WritesNameTable(source, options) || &table.source() != &source.store) {
    return Status::InvalidArgument("a rename table reached the tensor-bundle writer for " +
                                   source.path +
                                   ", which needs the renamed store (not a pass-through write)");
  }
  RESCOPE_RETURN_IF_ERROR(EnsureDirectory(out_prefix));
  RESCOPE_ASSIGN_OR_RETURN(std::optional<std::string> new_graph, RewriteGraph(table));
  auto for_each_record = [&](auto&& add) -> Status {
    for (const RenameTable::Row& row : table.rows())
      RESCOPE_RETURN_IF_ERROR(add(row.name, *row.entry));
    return Status::Ok();
  };
  return WritePassThrough(*state, new_graph, /*keys_in_order=*/true, for_each_record, out_prefix,
                          options);
}

}  // namespace rescope::tfbundle
