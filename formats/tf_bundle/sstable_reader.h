// SPDX-License-Identifier: Apache-2.0
// TableReader: reads a TF table (the `.index` file of a tensor bundle, or a V1 checkpoint)
// from a ByteSource, verifying every checksum and structural invariant on the way.
//
// Thread safety: after Open, all const methods may be called concurrently.
// Errors are kCorruption Statuses whose messages name the file and a hex offset, e.g.
//   "ckpt.index: footer @0x45: bad magic number (expected 0xdb4775248b80fb57, found 0x...)"
//   "ckpt.index: data block @0x0 (32 B): checksum mismatch (stored 0x.., computed 0x..)"
//   "ckpt.index: data block @0x0, entry #3 @0x1c: shared length 9 exceeds previous key length (4)"
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/store/byte_source.h"
#include "core/store/status.h"
#include "formats/tf_bundle/sstable_format.h"

namespace rescope::sstable {

// One key/value pair as visited by TableReader::ForEach.
struct TableEntry {
  std::string_view key;
  ByteView value;
  uint64_t block_offset = 0;    // file offset of the data block holding the entry
  uint32_t index_in_block = 0;  // 0-based position of the entry inside that block
};

class TableReader {
 public:
  // One entry of the index block: a separator key and the data block it points to.
  struct IndexEntry {
    std::string separator;
    BlockHandle handle;
  };

  // Reads and validates the footer (file size >= 48, magic) and the index block (CRC, type,
  // restart array, entries, strictly increasing separators, each handle decoding exactly and
  // lying before the footer). Keeps `file` alive for later reads.
  static Result<TableReader> Open(std::shared_ptr<const ByteSource> file);

  // Visits every entry in key order across all data blocks. Key and value views are valid
  // only during the callback. Verifies every data block (CRC, type 0/1, snappy validity and
  // length, restart array, entry bounds), that keys are strictly increasing across the whole
  // table and that each block's keys respect the index separators. A non-OK Status returned
  // by `fn` stops the iteration and is returned unchanged.
  Status ForEach(const std::function<Status(const TableEntry&)>& fn) const;

  // Point lookup: binary search in the index, then in the one data block that can hold
  // `key`. nullopt when absent; a corruption Status when that block is damaged.
  Result<std::optional<std::string>> Get(std::string_view key) const;

  size_t num_data_blocks() const { return index_.size(); }
  // kSnappy if any data block is stored with type 1, else kNone (the writer's "keep" mode).
  Compression data_compression() const { return data_compression_; }
  // How the index block itself is stored.
  Compression index_compression() const { return index_compression_; }
  const std::string& file_name() const { return file_->name(); }
  const Footer& footer() const { return footer_; }
  const std::vector<IndexEntry>& index() const { return index_; }

 private:
  explicit TableReader(std::shared_ptr<const ByteSource> file) : file_(std::move(file)) {}
  void LoadFooterAndIndex();  // throws FormatError
  void ForEachOrThrow(const std::function<Status(const TableEntry&)>& fn, Status* stop) const;

  std::shared_ptr<const ByteSource> file_;
  uint64_t footer_offset_ = 0;  // blocks must end at or before this offset
  Footer footer_;
  std::vector<IndexEntry> index_;
  Compression data_compression_ = Compression::kNone;
  Compression index_compression_ = Compression::kNone;
};

}  // namespace rescope::sstable
