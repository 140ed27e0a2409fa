// SPDX-License-Identifier: Apache-2.0
// Decodes and builds the prefix-compressed blocks of TF tables.
#include "formats/tf_bundle/sstable_block.h"

#include <algorithm>

#include "core/store/status.h"
#include "formats/byte_cursor.h"

namespace rescope::sstable {
namespace {

std::string BlockPrefix(const BlockLocation& where) {
  std::string s(where.file);
  s += ": ";
  s += where.kind;
  s += " @" + Hex(where.offset);
  return s;
}

// Printable form of a (binary) key for messages, cut to a readable length.
std::string EscapeKey(std::string_view key) {
  constexpr size_t kMaxShown = 48;
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out = "\"";
  for (size_t i = 0; i < key.size() && i < kMaxShown; ++i) {
    const auto c = static_cast<uint8_t>(key[i]);
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      out += "\\x";
      out.push_back(kDigits[c >> 4]);
      out.push_back(kDigits[c & 15]);
    }
  }
  if (key.size() > kMaxShown) out += "...";
  return out + "\"";
}

}  // namespace

Block::Block(ByteView contents, const BlockLocation& where) : contents_(contents), where_(where) {
  if (contents.size < 4) {
    Fail("block too small for a restart count (" + std::to_string(contents.size) + " B, need 4)");
  }
  num_restarts_ = LoadLE32(contents.data + contents.size - 4);
  const size_t max_restarts = (contents.size - 4) / 4;
  if (num_restarts_ > max_restarts) {
    Fail("restart count " + std::to_string(num_restarts_) + " too large for block (at most " +
         std::to_string(max_restarts) + ")");
  }
  entries_size_ = contents.size - 4 - 4 * static_cast<size_t>(num_restarts_);
  if (entries_size_ > 0 && num_restarts_ == 0) {
    Fail("no restart points but " + std::to_string(entries_size_) + " bytes of entries");
  }
  // TF starts iteration at restart 0: entries before it would be silently skipped.
  if (entries_size_ > 0 && restart_offset(0) != 0) {
    Fail("first restart point is at " + Hex(restart_offset(0)) + " (expected 0)");
  }
}

void Block::Fail(const std::string& message) const {
  std::string text = BlockPrefix(where_) + " (" + std::to_string(where_.stored_size) + " B";
  if (where_.decompressed) {
    text += " snappy, " + std::to_string(contents_.size) + " B uncompressed";
  }
  ThrowCorruption(text + "): " + message);
}

void Block::FailAtEntry(int64_t ordinal, size_t position, const std::string& message) const {
  std::string text = BlockPrefix(where_) + ", entry";
  if (ordinal >= 0) text += " #" + std::to_string(ordinal);
  if (where_.decompressed) {
    text += " @+" + Hex(position) + " (uncompressed)";
  } else {
    text += " @" + Hex(where_.offset + position);
  }
  ThrowCorruption(text + ": " + message);
}

size_t BlockIterator::DecodeHeader(size_t pos, uint32_t* shared, uint32_t* unshared,
                                   uint32_t* value_length) {
  const uint8_t* p = block_.data() + pos;
  const uint8_t* const limit = block_.data() + block_.entries_size();
  if (limit - p >= 3 && ((p[0] | p[1] | p[2]) & 0x80) == 0) {  // common case: 1-byte varints
    *shared = p[0];
    *unshared = p[1];
    *value_length = p[2];
    return pos + 3;
  }
  uint32_t* const fields[3] = {shared, unshared, value_length};
  static constexpr const char* kNames[3] = {"shared length", "unshared length", "value length"};
  for (int i = 0; i < 3; ++i) {
    uint64_t v = 0;
    const uint8_t* next = DecodeVarint64(p, limit, &v);
    if (next == nullptr || v > UINT32_MAX || next - p > 5) {
      Fail(pos, std::string(kNames[i]) + ": truncated or bad varint32");
    }
    *fields[i] = static_cast<uint32_t>(v);
    p = next;
  }
  return static_cast<size_t>(p - block_.data());
}

bool BlockIterator::Next() {
  const size_t entries_size = block_.entries_size();
  if (next_pos_ >= entries_size) {
    // An empty block (TF's metaindex, an empty index) still carries restart [0].
    if (entries_size > 0 && next_restart_ < block_.num_restarts()) {
      block_.Fail("restart point #" + std::to_string(next_restart_) + " (" +
                  Hex(block_.restart_offset(next_restart_)) + ") lies past the last entry");
    }
    return false;
  }
  const size_t pos = next_pos_;
  current_pos_ = pos;
  ++ordinal_;
  bool at_restart = false;
  if (next_restart_ < block_.num_restarts()) {
    const uint32_t restart = block_.restart_offset(next_restart_);
    if (restart == pos) {
      at_restart = true;
      ++next_restart_;
    } else if (restart < pos) {
      Fail(pos, "restart point #" + std::to_string(next_restart_) + " (" + Hex(restart) +
                    ") is not at an entry boundary");
    }
  }
  uint32_t shared = 0, unshared = 0, value_length = 0;
  const size_t p = DecodeHeader(pos, &shared, &unshared, &value_length);
  if (at_restart && shared != 0) {
    Fail(pos, "restart entry has shared length " + std::to_string(shared) + " (expected 0)");
  }
  if (shared > key_.size()) {
    Fail(pos, "shared length " + std::to_string(shared) + " exceeds previous key length (" +
                  std::to_string(key_.size()) + ")");
  }
  const size_t left = entries_size - p;
  if (unshared > left || value_length > left - unshared) {
    Fail(pos, "key delta (" + std::to_string(unshared) + " B) + value (" +
                  std::to_string(value_length) + " B) run past end of entries (" +
                  std::to_string(left) + " B left)");
  }
  const std::string_view delta(reinterpret_cast<const char*>(block_.data() + p), unshared);
  // new key vs previous key == delta vs previous key's suffix after the shared prefix.
  if (has_key_ && delta.compare(std::string_view(key_).substr(shared)) <= 0) {
    std::string key = key_.substr(0, shared);
    key.append(delta);
    Fail(pos, "key " + EscapeKey(key) + " not greater than previous key " + EscapeKey(key_));
  }
  key_.resize(shared);
  key_.append(delta);
  value_ = ByteView(block_.data() + p + unshared, value_length);
  next_pos_ = p + unshared + value_length;
  has_key_ = true;
  return true;
}

void BlockIterator::SeekToRestart(uint32_t r) {
  const uint32_t restart = block_.restart_offset(r);
  ordinal_known_ = false;
  ordinal_ = -1;
  if (restart >= block_.entries_size()) {
    Fail(restart, "restart point #" + std::to_string(r) + " lies past the last entry");
  }
  next_pos_ = restart;
  next_restart_ = r;
  key_.clear();
  has_key_ = false;
}

std::string_view BlockIterator::RestartKey(uint32_t r) {
  const uint32_t restart = block_.restart_offset(r);
  if (restart >= block_.entries_size()) {
    Fail(restart, "restart point #" + std::to_string(r) + " lies past the last entry");
  }
  uint32_t shared = 0, unshared = 0, value_length = 0;
  const size_t p = DecodeHeader(restart, &shared, &unshared, &value_length);
  if (shared != 0) {
    Fail(restart, "restart entry has shared length " + std::to_string(shared) + " (expected 0)");
  }
  if (unshared > block_.entries_size() - p) {
    Fail(restart, "key (" + std::to_string(unshared) + " B) runs past end of entries");
  }
  return std::string_view(reinterpret_cast<const char*>(block_.data() + p), unshared);
}

bool BlockIterator::Seek(std::string_view target) {
  if (block_.num_restarts() == 0) return false;
  uint32_t lo = 0;
  uint32_t hi = block_.num_restarts() - 1;
  while (lo < hi) {  // last restart whose key is < target (or 0)
    const uint32_t mid = lo + (hi - lo + 1) / 2;
    if (RestartKey(mid) < target) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  SeekToRestart(lo);
  while (Next()) {
    if (key() >= target) return true;
  }
  return false;
}

void BlockBuilder::Add(std::string_view key, std::string_view value) {
  size_t shared = 0;
  if (counter_ < restart_interval_) {
    const size_t n = std::min(last_key_.size(), key.size());
    while (shared < n && last_key_[shared] == key[shared]) ++shared;
  } else {
    restarts_.push_back(static_cast<uint32_t>(buffer_.size()));
    counter_ = 0;
  }
  const std::string_view delta = key.substr(shared);
  AppendVarint64(buffer_, shared);
  AppendVarint64(buffer_, delta.size());
  AppendVarint64(buffer_, value.size());
  buffer_.append(delta);
  buffer_.append(value);
  last_key_.resize(shared);
  last_key_.append(delta);
  ++counter_;
}

std::string_view BlockBuilder::Finish() {
  for (const uint32_t r : restarts_) AppendFixed32(buffer_, r);
  AppendFixed32(buffer_, static_cast<uint32_t>(restarts_.size()));
  return buffer_;
}

void BlockBuilder::Reset() {
  buffer_.clear();
  restarts_.assign(1, 0);
  counter_ = 0;
  last_key_.clear();
}

}  // namespace rescope::sstable
