// SPDX-License-Identifier: Apache-2.0
// libFuzzer target for the TF table reader: opens the input as a table, visits every entry,
// and checks that a table which reads cleanly also answers Get for its keys and re-encodes.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/store/byte_source.h"
#include "formats/tf_bundle/sstable_builder.h"
#include "formats/tf_bundle/sstable_reader.h"

namespace {

using rescope::Status;
using rescope::sstable::TableEntry;
using rescope::sstable::TableReader;
using KeyValues = std::vector<std::pair<std::string, std::string>>;

bool ReadAll(const TableReader& reader, KeyValues& out) {
  return reader
      .ForEach([&](const TableEntry& e) {
        out.emplace_back(std::string(e.key), std::string(e.value.AsStringView()));
        return Status::Ok();
      })
      .ok();
}

std::shared_ptr<rescope::MemoryByteSource> Source(const uint8_t* data, size_t size) {
  return std::make_shared<rescope::MemoryByteSource>("fuzz.index",
                                                     std::vector<uint8_t>(data, data + size));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto reader = TableReader::Open(Source(data, size));
  if (!reader.ok()) return 0;
  (void)reader->Get("");
  (void)reader->Get("\xff");
  KeyValues entries;
  if (!ReadAll(*reader, entries)) return 0;
  // A table that verifies completely must find every key it lists...
  for (const auto& [key, value] : entries) {
    auto got = reader->Get(key);
    if (!got.ok() || !got->has_value() || **got != value) std::abort();
  }
  // ...and survive a rebuild with identical content.
  rescope::sstable::BuilderOptions options;
  options.block_size = 256;
  options.compression = reader->data_compression();
  rescope::sstable::TableBuilder builder(options);
  for (const auto& [key, value] : entries) {
    if (!builder.Add(key, value).ok()) std::abort();
  }
  const std::string rebuilt = builder.Finish();
  auto reread =
      TableReader::Open(Source(reinterpret_cast<const uint8_t*>(rebuilt.data()), rebuilt.size()));
  KeyValues again;
  if (!reread.ok() || !ReadAll(*reread, again) || again != entries) std::abort();
  return 0;
}
