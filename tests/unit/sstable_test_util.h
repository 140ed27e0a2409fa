// SPDX-License-Identifier: Apache-2.0
// Helpers shared by the sstable unit tests: hex conversion, opening in-memory tables,
// reading every entry.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/store/byte_source.h"
#include "formats/tf_bundle/sstable_reader.h"

namespace rescope::sstable_test {

using KeyValues = std::vector<std::pair<std::string, std::string>>;

// "00 0a ff" (spaces optional) -> bytes.
inline std::string FromHex(std::string_view hex) {
  std::string out;
  int high = -1;
  for (const char c : hex) {
    int v = -1;
    if (c >= '0' && c <= '9') v = c - '0';
    if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
    if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
    if (v < 0) continue;
    if (high < 0) {
      high = v;
    } else {
      out.push_back(static_cast<char>(high * 16 + v));
      high = -1;
    }
  }
  return out;
}

// Bytes -> "00 0a ff" (readable doctest diffs).
inline std::string ToHex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (const char c : bytes) {
    const auto b = static_cast<uint8_t>(c);
    if (!out.empty()) out.push_back(' ');
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

inline Result<sstable::TableReader> OpenBytes(std::string_view bytes, std::string name) {
  auto source = std::make_shared<MemoryByteSource>(
      std::move(name), std::vector<uint8_t>(bytes.begin(), bytes.end()));
  return sstable::TableReader::Open(std::move(source));
}

// Every entry, or an empty list plus a failed doctest check on error.
inline KeyValues ReadAll(const sstable::TableReader& reader, Status* status = nullptr) {
  KeyValues out;
  const Status st = reader.ForEach([&](const sstable::TableEntry& e) {
    out.emplace_back(std::string(e.key), std::string(e.value.AsStringView()));
    return Status::Ok();
  });
  if (status != nullptr) *status = st;
  return out;
}

}  // namespace rescope::sstable_test
