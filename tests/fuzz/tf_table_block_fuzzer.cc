// SPDX-License-Identifier: Apache-2.0
// libFuzzer target for one TF table block, below the checksum that shields it in a file:
// parses the input as block contents, iterates every entry, then seeks each listed key.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/store/status.h"
#include "formats/tf_bundle/sstable_block.h"

using rescope::ByteView;
using rescope::FormatError;
using rescope::sstable::Block;
using rescope::sstable::BlockIterator;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::string> keys;
  try {
    const Block block(ByteView(data, size), {"fuzz", "data block", 0, size, false});
    BlockIterator it(block);
    while (it.Next()) keys.emplace_back(it.key());
  } catch (const FormatError&) {
    return 0;
  }
  // A block that iterates cleanly is sorted, so Seek must find each of its keys.
  const Block block(ByteView(data, size), {"fuzz", "data block", 0, size, false});
  for (const std::string& key : keys) {
    BlockIterator it(block);
    try {
      if (!it.Seek(key) || it.key() != key) std::abort();
    } catch (const FormatError&) {
      std::abort();
    }
  }
  return 0;
}
