// SPDX-License-Identifier: Apache-2.0
// JSON rendering of listings.
#include "cli/listing_json.h"

#include "cli/cli_common.h"

namespace rescope::cli {

nlohmann::ordered_json EntryJson(const TensorStore& store, const TensorEntry& e) {
  nlohmann::ordered_json j;
  j["name"] = e.name;
  j["dtype"] = DTypeName(e.dtype);
  j["shape"] = e.shape;
  j["bytes"] = ListedBytes(store, e);
  if (e.shard >= 0) j["shard"] = e.shard;
  if (e.data || !e.data_error.empty()) {
    if (e.kind != EntryKind::kPartitioned) j["offset"] = e.data_offset;
  }
  if (e.stored_crc32c) {
    char buf[16];
    std::snprintf(buf, sizeof(buf), "0x%08x", *e.stored_crc32c);
    j["crc32c"] = buf;
  }
  if (e.is_metadata) j["metadata"] = true;
  if (e.kind == EntryKind::kPartitioned) {
    auto& slices = j["slices"] = nlohmann::ordered_json::array();
    for (const TensorSlice& s : e.slices) slices.push_back(SliceToString(s));
  }
  if (!e.data && !e.data_error.empty() && e.kind != EntryKind::kPartitioned) {
    j["data_missing"] = true;
  }
  for (const auto& [k, v] : e.notes) j["notes"][k] = v;
  return j;
}

nlohmann::ordered_json ListingJson(const Checkpoint& ckpt,
                                   const std::vector<const TensorEntry*>& rows) {
  nlohmann::ordered_json j;
  j["format"] = ckpt.format;
  j["path"] = ckpt.path;
  auto& vars = j["variables"] = nlohmann::ordered_json::array();
  for (const TensorEntry* e : rows) vars.push_back(EntryJson(ckpt.store, *e));
  return j;
}

}  // namespace rescope::cli
