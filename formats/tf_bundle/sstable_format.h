// SPDX-License-Identifier: Apache-2.0
// Byte-level pieces of TF's table (LevelDB-derived SSTable) format: block handles, the
// 48-byte footer, the 5-byte block trailer, reading one block, and the bytewise key
// separators the builder puts in the index block. See formats/tf_bundle/README.md.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/store/byte_source.h"
#include "core/store/status.h"
#include "formats/byte_cursor.h"

namespace rescope::sstable {

// Block type byte stored in every block trailer.
enum class Compression : uint8_t { kNone = 0, kSnappy = 1 };

inline constexpr uint64_t kTableMagicNumber = 0xdb4775248b80fb57ull;
inline constexpr size_t kFooterSize = 48;
inline constexpr size_t kBlockTrailerSize = 5;       // type byte + masked crc32c
inline constexpr size_t kMaxBlockHandleLength = 20;  // two varint64
// Largest ratio uncompressed/compressed a valid raw snappy stream can reach (a 3-byte
// copy element emits 64 bytes); used to refuse absurd declared lengths before allocating.
inline constexpr uint64_t kSnappyMaxRatio = 22;

// Where a block lives: [offset, offset + size) in the file, followed by its trailer.
struct BlockHandle {
  uint64_t offset = 0;
  uint64_t size = 0;  // excludes the 5-byte trailer

  void EncodeTo(std::string& out) const;
  // Reads two varint64 from `cursor`; throws FormatError (via the cursor) when truncated.
  static BlockHandle DecodeFrom(ByteCursor& cursor);
  bool operator==(const BlockHandle&) const = default;
};

// The last 48 bytes of every table.
struct Footer {
  BlockHandle metaindex;
  BlockHandle index;

  // Appends exactly kFooterSize bytes: both handles, zero padding to 40 bytes, magic.
  void EncodeTo(std::string& out) const;
  // Decodes `bytes` (exactly kFooterSize bytes found at `file_offset` of `file`); checks the
  // magic first. Throws FormatError, e.g.
  //   "ckpt.index: footer @0x45: bad magic number (expected 0xdb4775248b80fb57, found 0x...)".
  static Footer DecodeFrom(ByteView bytes, std::string_view file, uint64_t file_offset);
};

// The contents of one block after checksum verification and decompression. `view` points
// into the ByteSource's memory or the caller's scratch buffer (stored blocks), or into the
// caller's `decompressed` string (snappy blocks); it is valid while those are unchanged.
struct BlockContents {
  ByteView view;
  Compression stored_as = Compression::kNone;
};

// Reads the block at `handle` plus its trailer from `file`, verifies the masked CRC-32C
// over stored bytes + type byte, and decompresses type-1 (snappy) blocks into
// `decompressed` (reused between calls). `limit` is the end of the area blocks may occupy
// (the footer offset). Throws FormatError (kCorruption) on any problem, e.g.
//   "f: data block @0x0 (32 B): checksum mismatch (stored 0x1c2d3e4f, computed 0x9a8b7c6d)"
// where both values are unmasked CRCs; or "... unknown compression type 2 (expected 0 or 1)".
BlockContents ReadBlock(const ByteSource& file, const BlockHandle& handle, uint64_t limit,
                        std::string_view kind, std::vector<uint8_t>& scratch,
                        std::string& decompressed);

// Bytewise-comparator key shortening used for index keys (LevelDB semantics).
// If start < limit, changes *start to a short string S with start <= S < limit.
void FindShortestSeparator(std::string& start, std::string_view limit);
// Changes *key to a short string >= key: the first non-0xff byte is incremented and the rest
// dropped; an all-0xff key is left unchanged.
void FindShortSuccessor(std::string& key);

// Bytewise unsigned comparison (memcmp order, shorter prefix first).
inline int CompareKeys(std::string_view a, std::string_view b) { return a.compare(b); }

}  // namespace rescope::sstable
