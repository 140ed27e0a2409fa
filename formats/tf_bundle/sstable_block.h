// SPDX-License-Identifier: Apache-2.0
// Blocks of a TF table: decoding (prefix-compressed entries + restart array) and building.
//
// A block is `entry* restart_offset:fixed32* num_restarts:fixed32`; each entry is
// `shared:varint32 unshared:varint32 value_length:varint32 key_delta value`, its key being
// previous_key[0:shared] + key_delta. Restart entries (shared == 0) start the block and
// occur every `restart_interval` entries. See formats/tf_bundle/README.md.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/store/byte_source.h"

namespace rescope::sstable {

// Names a block in error messages. Views must outlive every Block/BlockIterator using it.
struct BlockLocation {
  std::string_view file;      // file name
  std::string_view kind;      // "data block", "index block", ...
  uint64_t offset = 0;        // file offset of the block's first stored byte
  uint64_t stored_size = 0;   // size as stored (compressed size for snappy blocks)
  bool decompressed = false;  // contents came out of snappy: positions are not file offsets
};

// A parsed view of one block's contents. Does not own the bytes: `contents` and the
// strings `where` refers to must outlive the Block and its iterators.
class Block {
 public:
  // Checks that the block holds a restart count and that the restart array fits, and that
  // a block with entries has restart 0 at offset 0. Throws FormatError (kCorruption):
  //   "f: data block @0x0 (32 B): restart count 1000 too large for block (at most 7)".
  Block(ByteView contents, const BlockLocation& where);

  uint32_t num_restarts() const { return num_restarts_; }
  // Offset of restart point i within the contents. REQUIRES: i < num_restarts().
  // The value is not range-checked here; iterators check it before use.
  uint32_t restart_offset(uint32_t i) const {
    return LoadLE32(contents_.data + entries_size_ + 4 * static_cast<size_t>(i));
  }
  // Bytes of entries (everything before the restart array).
  size_t entries_size() const { return entries_size_; }
  const uint8_t* data() const { return contents_.data; }
  const BlockLocation& where() const { return where_; }

  // Throws a corruption error about the block as a whole:
  //   "f: data block @0x0 (32 B): <message>" ("(32 B snappy, 90 B uncompressed)" for snappy).
  [[noreturn]] void Fail(const std::string& message) const;
  // Throws a corruption error naming the block and the entry at `position`:
  //   "f: data block @0x0, entry #3 @0x1c: <message>" (the offset is a file offset, or
  //   "@+0x1c (uncompressed)" for snappy blocks). `ordinal` < 0 omits "#N".
  [[noreturn]] void FailAtEntry(int64_t ordinal, size_t position, const std::string& message) const;

 private:
  ByteView contents_;
  BlockLocation where_;
  size_t entries_size_ = 0;
  uint32_t num_restarts_ = 0;
};

// Walks the entries of a Block, checking as it goes: varint bounds, shared <= previous key
// length, key delta and value inside the entry area, keys strictly increasing, restart
// points falling exactly on entries with shared == 0, no restart point left over at the end.
// All failures throw FormatError via Block::FailAtEntry. The key buffer is reused, so the
// views returned by key() and value() are valid only until the next Next()/Seek*.
class BlockIterator {
 public:
  // Positioned before the first entry.
  explicit BlockIterator(const Block& block) : block_(block) {}

  // Decodes the next entry. Returns false at the end of the block.
  bool Next();
  // Positions before the entry at restart point `r` (REQUIRES r < num_restarts()), so the
  // next Next() decodes it. Entry ordinals are unknown afterwards (index() returns 0).
  void SeekToRestart(uint32_t r);
  // Positions at the first entry whose key is >= target (binary search over restart
  // points, then a linear scan). Returns false when every key is < target.
  bool Seek(std::string_view target);

  std::string_view key() const { return key_; }
  ByteView value() const { return value_; }
  // Ordinal of the current entry in the block (0-based) when iterating from the start.
  uint32_t index() const { return ordinal_ < 0 ? 0 : static_cast<uint32_t>(ordinal_); }
  // Offset of the current entry within the block contents.
  size_t offset() const { return current_pos_; }
  // Throws a corruption error located at the current entry.
  [[noreturn]] void FailHere(const std::string& message) const { Fail(current_pos_, message); }

 private:
  // Decodes the entry header at pos; returns the position of the key delta.
  size_t DecodeHeader(size_t pos, uint32_t* shared, uint32_t* unshared, uint32_t* value_length);
  // Key of the restart entry r (which must have shared == 0), for binary search.
  std::string_view RestartKey(uint32_t r);
  [[noreturn]] void Fail(size_t position, const std::string& message) const {
    block_.FailAtEntry(ordinal_known_ ? ordinal_ : -1, position, message);
  }

  const Block& block_;
  std::string key_;
  ByteView value_;
  size_t current_pos_ = 0;     // offset of the current entry
  size_t next_pos_ = 0;        // offset of the next entry to decode
  uint32_t next_restart_ = 0;  // index of the next restart point we expect to reach
  int64_t ordinal_ = -1;       // ordinal of the current entry
  bool ordinal_known_ = true;
  bool has_key_ = false;  // key_ holds the previous entry's key (for ordering checks)
};

// Builds one block. Keys must be added in strictly increasing order (checked by the
// caller, TableBuilder).
class BlockBuilder {
 public:
  explicit BlockBuilder(int restart_interval) : restart_interval_(restart_interval) { Reset(); }

  // REQUIRES: Finish() not called since the last Reset(); key > every key added so far.
  void Add(std::string_view key, std::string_view value);
  // Appends the restart array and returns the finished block; the view is valid until
  // Reset() or destruction.
  std::string_view Finish();
  void Reset();

  // Entry bytes + restart array + count, i.e. the size Finish() would return (TF's estimate).
  size_t CurrentSizeEstimate() const { return buffer_.size() + 4 * restarts_.size() + 4; }
  bool empty() const { return buffer_.empty(); }

 private:
  int restart_interval_;
  std::string buffer_;
  std::vector<uint32_t> restarts_;
  int counter_ = 0;  // entries since the last restart point
  std::string last_key_;
};

}  // namespace rescope::sstable
