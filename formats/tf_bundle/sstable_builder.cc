// SPDX-License-Identifier: Apache-2.0
// Writes TF tables with the same block cutting, separators and trailers as TF.
#include "formats/tf_bundle/sstable_builder.h"

#include <snappy.h>

#include "formats/byte_cursor.h"
#include "formats/tf_bundle/crc32c.h"

namespace rescope::sstable {

TableBuilder::TableBuilder(BuilderOptions options)
    : options_(options), data_block_(options.restart_interval), index_block_(1) {}

Status TableBuilder::Add(std::string_view key, std::string_view value) {
  if (finished_) return Status::InvalidArgument("table builder: Add after Finish");
  if (num_entries_ > 0 && key <= std::string_view(last_key_)) {
    return Status::InvalidArgument("table builder: keys must be strictly increasing (entry #" +
                                   std::to_string(num_entries_) + " is not greater than " +
                                   "the previous key)");
  }
  if (key.size() > UINT32_MAX || value.size() > UINT32_MAX) {
    return Status::InvalidArgument("table builder: key or value longer than 2^32-1 bytes");
  }
  // TF (tsl) addition to LevelDB: a huge entry starts a block of its own.
  if (num_entries_ > 0 && key.size() + value.size() >= 2 * options_.block_size) Flush();
  if (pending_index_entry_) {
    FindShortestSeparator(last_key_, key);
    std::string handle;
    pending_handle_.EncodeTo(handle);
    index_block_.Add(last_key_, handle);
    pending_index_entry_ = false;
  }
  last_key_.assign(key);
  ++num_entries_;
  data_block_.Add(key, value);
  if (data_block_.CurrentSizeEstimate() >= options_.block_size) Flush();
  return Status::Ok();
}

void TableBuilder::Flush() {
  if (data_block_.empty()) return;
  pending_handle_ = WriteBlock(data_block_.Finish());
  data_block_.Reset();
  pending_index_entry_ = true;
}

BlockHandle TableBuilder::WriteBlock(std::string_view raw) {
  if (options_.compression == Compression::kSnappy) {
    compressed_.clear();
    snappy::Compress(raw.data(), raw.size(), &compressed_);
    if (compressed_.size() < raw.size() - raw.size() / 8) {
      return WriteRawBlock(compressed_, Compression::kSnappy);
    }
  }
  return WriteRawBlock(raw, Compression::kNone);
}

BlockHandle TableBuilder::WriteRawBlock(std::string_view contents, Compression type) {
  const BlockHandle handle{out_.size(), contents.size()};
  out_.append(contents);
  const auto type_byte = static_cast<uint8_t>(type);
  out_.push_back(static_cast<char>(type_byte));
  const uint32_t crc = crc32c::Extend(
      crc32c::Value(reinterpret_cast<const uint8_t*>(contents.data()), contents.size()), &type_byte,
      1);
  AppendFixed32(out_, crc32c::Mask(crc));
  return handle;
}

std::string TableBuilder::Finish() {
  if (finished_) return std::string();
  Flush();
  finished_ = true;
  Footer footer;
  BlockBuilder metaindex(options_.restart_interval);
  footer.metaindex = WriteBlock(metaindex.Finish());
  if (pending_index_entry_) {
    FindShortSuccessor(last_key_);
    std::string handle;
    pending_handle_.EncodeTo(handle);
    index_block_.Add(last_key_, handle);
    pending_index_entry_ = false;
  }
  footer.index = WriteBlock(index_block_.Finish());
  footer.EncodeTo(out_);
  return std::move(out_);
}

}  // namespace rescope::sstable
