// SPDX-License-Identifier: Apache-2.0
// TableBuilder: writes a TF table byte-for-byte as TF's (tsl) TableBuilder does, so that
// re-encoding the entries of a TF-written `.index` or V1 file reproduces it exactly.
//
// Algorithm (FORMATS.md §1.3.6): data blocks with restart interval `restart_interval`,
// cut when their size estimate reaches `block_size` (and flushed early before an entry
// with key+value >= 2*block_size); index keys are FindShortestSeparator(last key of block,
// first key of next block) and FindShortSuccessor(last key) for the last block; an empty
// metaindex block; the index block with restart interval 1; the 48-byte footer.
// Every block (metaindex and index included, as in TF) goes through the compression rule:
// with kSnappy a block is stored compressed only if compressed < raw - raw/8.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/store/status.h"
#include "formats/tf_bundle/sstable_block.h"
#include "formats/tf_bundle/sstable_format.h"

namespace rescope::sstable {

struct BuilderOptions {
  uint64_t block_size = 262144;  // TF's default (256 KiB), not LevelDB's 4 KiB
  int restart_interval = 16;     // data blocks; the index block always uses 1
  Compression compression = Compression::kNone;
};

// Builds the whole file in memory. Not thread-safe.
class TableBuilder {
 public:
  explicit TableBuilder(BuilderOptions options = {});

  // Appends one entry. Keys must be strictly increasing (bytewise unsigned); returns
  // InvalidArgument otherwise, or when key/value exceed 2^32-1 bytes, or after Finish().
  // A rejected Add leaves the builder unchanged.
  Status Add(std::string_view key, std::string_view value);

  // Writes the last data block, metaindex, index block and footer; returns the whole file.
  // The builder is spent afterwards: Add fails and a second Finish returns "".
  std::string Finish();

  uint64_t num_entries() const { return num_entries_; }

 private:
  void Flush();
  // Compresses per the options and the 1/8 rule, then writes block + trailer.
  BlockHandle WriteBlock(std::string_view raw);
  BlockHandle WriteRawBlock(std::string_view contents, Compression type);

  BuilderOptions options_;
  std::string out_;
  BlockBuilder data_block_;
  BlockBuilder index_block_;
  std::string last_key_;
  std::string compressed_;  // reused snappy output buffer
  bool pending_index_entry_ = false;
  BlockHandle pending_handle_;
  uint64_t num_entries_ = 0;
  bool finished_ = false;
};

}  // namespace rescope::sstable
