// SPDX-License-Identifier: Apache-2.0
// Block handles, footer, block trailer verification and snappy decompression for TF tables.
#include "formats/tf_bundle/sstable_format.h"

#include <snappy.h>

#include <algorithm>

#include "formats/tf_bundle/crc32c.h"

namespace rescope::sstable {
namespace {

std::string BlockWhere(std::string_view file, std::string_view kind, const BlockHandle& h) {
  std::string s(file);
  s += ": ";
  s += kind;
  s += " @" + Hex(h.offset) + " (" + std::to_string(h.size) + " B)";
  return s;
}

}  // namespace

void BlockHandle::EncodeTo(std::string& out) const {
  AppendVarint64(out, offset);
  AppendVarint64(out, size);
}

BlockHandle BlockHandle::DecodeFrom(ByteCursor& cursor) {
  BlockHandle h;
  h.offset = cursor.ReadVarint64("block handle offset");
  h.size = cursor.ReadVarint64("block handle size");
  return h;
}

void Footer::EncodeTo(std::string& out) const {
  const size_t start = out.size();
  metaindex.EncodeTo(out);
  index.EncodeTo(out);
  out.resize(start + kFooterSize - 8, '\0');
  AppendFixed64(out, kTableMagicNumber);
}

Footer Footer::DecodeFrom(ByteView bytes, std::string_view file, uint64_t file_offset) {
  ByteCursor magic_cursor(bytes, file, "footer", file_offset);
  if (bytes.size != kFooterSize) {
    magic_cursor.Fail("footer must be " + std::to_string(kFooterSize) + " bytes (found " +
                      std::to_string(bytes.size) + ")");
  }
  const uint64_t magic = LoadLE64(bytes.data + kFooterSize - 8);
  if (magic != kTableMagicNumber) {
    magic_cursor.Fail("bad magic number (expected " + Hex(kTableMagicNumber) + ", found " +
                      Hex(magic) + ")");
  }
  // The handles live in the first 40 bytes; the rest is padding TF does not check.
  ByteCursor cursor(bytes.Sub(0, kFooterSize - 8), file, "footer", file_offset);
  Footer f;
  f.metaindex = BlockHandle::DecodeFrom(cursor);
  f.index = BlockHandle::DecodeFrom(cursor);
  return f;
}

BlockContents ReadBlock(const ByteSource& file, const BlockHandle& handle, uint64_t limit,
                        std::string_view kind, std::vector<uint8_t>& scratch,
                        std::string& decompressed) {
  const std::string& name = file.name();
  if (handle.size > limit || !RangeFits(handle.offset, handle.size + kBlockTrailerSize, limit)) {
    ThrowCorruption(BlockWhere(name, kind, handle) + ": block + 5-byte trailer runs past " +
                    Hex(limit) + " (end of block area)");
  }
  Result<ByteView> read = file.Read(handle.offset, handle.size + kBlockTrailerSize, scratch);
  if (!read.ok()) ThrowStatus(read.status());
  const ByteView stored = read->Sub(0, static_cast<size_t>(handle.size));
  const uint8_t type = (*read)[stored.size];
  const uint32_t expected = crc32c::Unmask(LoadLE32(read->data + stored.size + 1));
  const uint32_t actual = crc32c::Extend(crc32c::Value(stored.data, stored.size), &type, 1);
  if (expected != actual) {
    ThrowCorruption(BlockWhere(name, kind, handle) + ": checksum mismatch (stored " +
                    Hex(expected) + ", computed " + Hex(actual) + ")");
  }
  if (type == static_cast<uint8_t>(Compression::kNone)) return {stored, Compression::kNone};
  if (type != static_cast<uint8_t>(Compression::kSnappy)) {
    ThrowCorruption(BlockWhere(name, kind, handle) + ": unknown compression type " +
                    std::to_string(type) + " (expected 0 or 1)");
  }
  const char* src = reinterpret_cast<const char*>(stored.data);
  size_t length = 0;
  if (!snappy::GetUncompressedLength(src, stored.size, &length)) {
    ThrowCorruption(BlockWhere(name, kind, handle) + ": bad snappy length preamble");
  }
  // Checked before allocating: a valid stream cannot expand beyond snappy's maximum ratio.
  if (length > kSnappyMaxRatio * stored.size) {
    ThrowCorruption(BlockWhere(name, kind, handle) + ": snappy uncompressed length " +
                    std::to_string(length) + " impossible for " + std::to_string(stored.size) +
                    " compressed bytes");
  }
  if (!snappy::IsValidCompressedBuffer(src, stored.size)) {
    ThrowCorruption(BlockWhere(name, kind, handle) + ": invalid snappy data");
  }
  decompressed.resize(length);
  if (!snappy::RawUncompress(src, stored.size, decompressed.data())) {
    ThrowCorruption(BlockWhere(name, kind, handle) + ": invalid snappy data");
  }
  return {ByteView(std::string_view(decompressed)), Compression::kSnappy};
}

void FindShortestSeparator(std::string& start, std::string_view limit) {
  const size_t min_length = std::min(start.size(), limit.size());
  size_t diff = 0;
  while (diff < min_length && start[diff] == limit[diff]) ++diff;
  if (diff >= min_length) return;  // one is a prefix of the other
  const auto byte = static_cast<uint8_t>(start[diff]);
  if (byte < 0xff && byte + 1 < static_cast<uint8_t>(limit[diff])) {
    start[diff] = static_cast<char>(byte + 1);
    start.resize(diff + 1);
  }
}

void FindShortSuccessor(std::string& key) {
  for (size_t i = 0; i < key.size(); ++i) {
    const auto byte = static_cast<uint8_t>(key[i]);
    if (byte != 0xff) {
      key[i] = static_cast<char>(byte + 1);
      key.resize(i + 1);
      return;
    }
  }
}

}  // namespace rescope::sstable
