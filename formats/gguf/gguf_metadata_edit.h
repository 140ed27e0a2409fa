// SPDX-License-Identifier: Apache-2.0
// Edits of GGUF metadata asked for on the command line (--set, --delete-key). Types are
// never guessed: `KEY=VALUE` keeps the existing key's type and fails when VALUE does not
// parse as it; a new key (or a type change) needs `KEY:TYPE=VALUE`, TYPE one of uint8,
// int8, uint16, int16, uint32, int32, uint64, int64, float32, float64, bool, string, or
// `T[]` for an array of T written `[1,2,3]` (strings as JSON: `["a","b"]`).
#pragma once

#include <string>
#include <vector>

#include "core/store/status.h"
#include "formats/format_table.h"
#include "formats/gguf/gguf_model.h"

namespace rescope::gguf {

using rescope::MetadataEdits;

// Applies the deletions, then the sets, in the order given. Refuses (kInvalidArgument,
// naming the edit): a deletion of a key that is not there; a new key without a type; a
// value that does not parse as its type or is out of its range; any edit of the split.*
// keys (they describe a split set's files); a general.alignment that is not a uint32 power
// of two. An existing key keeps its place; a new one is appended.
Status ApplyMetadataEdits(std::vector<KeyValue>& metadata, const MetadataEdits& edits);

}  // namespace rescope::gguf
