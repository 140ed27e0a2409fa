// SPDX-License-Identifier: Apache-2.0
// Opens TF tables: footer, index block, then data blocks on demand.
#include "formats/tf_bundle/sstable_reader.h"

#include <algorithm>

#include "formats/tf_bundle/sstable_block.h"

namespace rescope::sstable {
namespace {

constexpr std::string_view kDataBlock = "data block";
constexpr std::string_view kIndexBlock = "index block";

bool FitsBefore(const BlockHandle& h, uint64_t limit) {
  return h.size <= limit && RangeFits(h.offset, h.size + kBlockTrailerSize, limit);
}

std::string HandleText(const BlockHandle& h) {
  std::string text = "[";
  text += Hex(h.offset);
  text += ", ";
  text += Hex(h.offset + h.size);
  text += ") + 5-byte trailer";
  return text;
}

}  // namespace

Result<TableReader> TableReader::Open(std::shared_ptr<const ByteSource> file) {
  TableReader reader(std::move(file));
  try {
    reader.LoadFooterAndIndex();
  } catch (const FormatError& e) {
    return e.status();
  }
  return reader;
}

void TableReader::LoadFooterAndIndex() {
  const std::string& name = file_->name();
  const uint64_t size = file_->size();
  if (size < kFooterSize) {
    ThrowCorruption(name + ": footer @0x0: file too short for a table (" + std::to_string(size) +
                    " B, need at least " + std::to_string(kFooterSize) + ")");
  }
  footer_offset_ = size - kFooterSize;
  std::vector<uint8_t> scratch;
  Result<ByteView> bytes = file_->Read(footer_offset_, kFooterSize, scratch);
  if (!bytes.ok()) ThrowStatus(bytes.status());
  footer_ = Footer::DecodeFrom(*bytes, name, footer_offset_);
  const std::string footer_where = name + ": footer @" + Hex(footer_offset_) + ": ";
  if (!FitsBefore(footer_.metaindex, footer_offset_)) {
    ThrowCorruption(footer_where + "metaindex block " + HandleText(footer_.metaindex) +
                    " runs past the footer");
  }
  if (!FitsBefore(footer_.index, footer_offset_)) {
    ThrowCorruption(footer_where + "index block " + HandleText(footer_.index) +
                    " runs past the footer");
  }
  std::string decompressed;
  const BlockContents contents =
      ReadBlock(*file_, footer_.index, footer_offset_, kIndexBlock, scratch, decompressed);
  index_compression_ = contents.stored_as;
  const BlockLocation where{name, kIndexBlock, footer_.index.offset, footer_.index.size,
                            contents.stored_as == Compression::kSnappy};
  const Block block(contents.view, where);
  BlockIterator it(block);
  std::vector<uint8_t> type_scratch;
  while (it.Next()) {
    const ByteView value = it.value();
    BlockHandle h;
    const uint8_t* p = DecodeVarint64(value.begin(), value.end(), &h.offset);
    if (p != nullptr) p = DecodeVarint64(p, value.end(), &h.size);
    if (p == nullptr) it.FailHere("block handle: truncated or over-long varint");
    if (p != value.end()) {
      it.FailHere("block handle followed by " + std::to_string(value.end() - p) + " extra bytes");
    }
    if (!FitsBefore(h, footer_offset_)) {
      it.FailHere("data block " + HandleText(h) + " runs past the footer @" + Hex(footer_offset_));
    }
    // The trailer's type byte tells how the block is stored (verified later by ForEach).
    Result<ByteView> type = file_->Read(h.offset + h.size, 1, type_scratch);
    if (!type.ok()) ThrowStatus(type.status());
    if ((*type)[0] == static_cast<uint8_t>(Compression::kSnappy)) {
      data_compression_ = Compression::kSnappy;
    }
    index_.push_back({std::string(it.key()), h});
  }
}

Status TableReader::ForEach(const std::function<Status(const TableEntry&)>& fn) const {
  Status stop;
  try {
    ForEachOrThrow(fn, &stop);
  } catch (const FormatError& e) {
    return e.status();
  }
  return stop;
}

// How many bytes ForEach reads between hints that a mapped file may drop what it read.
constexpr uint64_t kReleaseStep = 256 * 1024;

void TableReader::ForEachOrThrow(const std::function<Status(const TableEntry&)>& fn,
                                 Status* stop) const {
  std::vector<uint8_t> scratch;
  std::string decompressed;
  std::string previous_key;  // last key of the previous non-empty block
  bool have_previous = false;
  uint64_t released_to = 0;  // the file's bytes before this were last handed out as views
  for (size_t b = 0; b < index_.size(); ++b) {
    const BlockHandle& h = index_[b].handle;
    const BlockContents contents =
        ReadBlock(*file_, h, footer_offset_, kDataBlock, scratch, decompressed);
    const BlockLocation where{file_->name(), kDataBlock, h.offset, h.size,
                              contents.stored_as == Compression::kSnappy};
    const Block block(contents.view, where);
    BlockIterator it(block);
    TableEntry entry;
    entry.block_offset = h.offset;
    bool first = true;
    while (it.Next()) {
      if (first) {
        if (have_previous && it.key() <= std::string_view(previous_key)) {
          it.FailHere("first key not greater than the last key of the previous block");
        }
        if (b > 0 && it.key() <= std::string_view(index_[b - 1].separator)) {
          it.FailHere("first key not greater than the previous block's index key");
        }
        first = false;
      }
      // Checked per entry so the failure points at the offending entry.
      if (it.key() > std::string_view(index_[b].separator)) {
        it.FailHere("key is greater than the block's index key");
      }
      entry.key = it.key();
      entry.value = it.value();
      entry.index_in_block = it.index();
      *stop = fn(entry);
      if (!stop->ok()) return;
    }
    if (!first) {
      previous_key.assign(it.key());
      have_previous = true;
    }
    // A pass reads each block once: a mapped file may drop the pages read so far, so a
    // large index does not stay resident beside what the caller builds from it (listing
    // 100,000 variables: 3.7 MB). Views into them stay valid (pages fault back in).
    const uint64_t block_end = h.offset + h.size + kBlockTrailerSize;
    if (block_end - released_to >= kReleaseStep) {
      file_->Release(0, block_end);
      released_to = block_end;
    }
  }
}

Result<std::optional<std::string>> TableReader::Get(std::string_view key) const {
  const auto found =
      std::lower_bound(index_.begin(), index_.end(), key,
                       [](const IndexEntry& e, std::string_view k) { return e.separator < k; });
  if (found == index_.end()) return std::optional<std::string>();
  try {
    std::vector<uint8_t> scratch;
    std::string decompressed;
    const BlockHandle& h = found->handle;
    const BlockContents contents =
        ReadBlock(*file_, h, footer_offset_, kDataBlock, scratch, decompressed);
    const BlockLocation where{file_->name(), kDataBlock, h.offset, h.size,
                              contents.stored_as == Compression::kSnappy};
    const Block block(contents.view, where);
    BlockIterator it(block);
    if (it.Seek(key) && it.key() == key) {
      return std::optional<std::string>(std::string(it.value().AsStringView()));
    }
    return std::optional<std::string>();
  } catch (const FormatError& e) {
    return e.status();
  }
}

}  // namespace rescope::sstable
