// SPDX-License-Identifier: Apache-2.0
// Writers that take a rename as a name table over the source store
// (core/rename/rename_table.h) instead of ApplyPlan's renamed copy of it: writers that
// leave every tensor's bytes where they are and only re-key an index. Only the TF
// bundle's pass-through (shards copied or hard-linked, index rewritten) does today.
// `rename` asks here first and otherwise hands the format table's `write` the renamed
// store (formats/format_table.h).
#pragma once

#include <string>
#include <string_view>

#include "core/rename/rename_table.h"
#include "formats/format_table.h"

namespace rescope {

struct NameTableWriter {
  // Whether this request is written without new tensor bytes, so a table will do.
  bool (*accepts)(const Checkpoint& source, const FormatWriteRequest& request) = nullptr;
  // The format writer's `check` for the table: the same refusals, in the same words.
  Status (*check)(const Checkpoint& source, const RenameTable& table) = nullptr;
  // The format writer's `write` for the table: the same files, byte for byte.
  Result<FormatWriteResult> (*write)(const Checkpoint& source, const RenameTable& table,
                                     const std::string& path,
                                     const FormatWriteRequest& request) = nullptr;
};

// The name-table writer of the format named `format` (FormatDescriptor::name), or null.
const NameTableWriter* FindNameTableWriter(std::string_view format);

// The TF bundle's (formats/tf_bundle/tf_bundle_format.cc).
const NameTableWriter& TfBundleNameTableWriter();

}  // namespace rescope
