// SPDX-License-Identifier: Apache-2.0
// The JSON listing schema shared by `ls --json` and `info --json`, and accepted back as a
// manifest by `check --expect`: {"format", "path", "variables": [{"name", "dtype",
// "shape", "bytes", ...}], "totals": {...}}.
#pragma once

#include <cstdint>
#include <vector>

#include "core/store/tensor_store.h"

namespace rescope::cli {

struct ListingTotals {
  uint64_t variables = 0, metadata = 0, parameters = 0, bytes = 0;
};

// Prints the `ls --json` document on stdout (the envelope of cli/json_document.h, then
// "format", "path", "variables" and "totals"), laid out as PrintJson lays out a DOM, but
// written entry by entry: a DOM of 100,000 entries took 2.5 times the memory of the store.
void PrintListingJson(const Checkpoint& ckpt, const std::vector<const TensorEntry*>& rows,
                      const ListingTotals& totals);

}  // namespace rescope::cli
