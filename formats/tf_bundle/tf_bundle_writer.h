// SPDX-License-Identifier: Apache-2.0
// Writer for TensorFlow V2 checkpoints (tensor bundles), reproducing TF's BundleWriter
// index byte for byte (FORMATS.md §1.3.5–1.3.6, §1.13).
//
// Two ways to produce the data shards:
//  * pass-through (the source is a bundle and `compact` is off): renaming changes only
//    keys, so the source shards are copied in-kernel or hard-linked unchanged and only the
//    index is rewritten; a rewritten TF2 object graph goes into one extra shard;
//  * streaming (any other source, or `compact`): every tensor's bytes are streamed into a
//    single new shard and its checksum recomputed.
// Every file is written under a temporary name and renamed into place only when all are
// complete; the index is renamed last, so an index on disk implies complete data.
#pragma once

#include <string>
#include <vector>

#include "core/rename/rename_table.h"
#include "core/store/tensor_store.h"

namespace rescope::tfbundle {

enum class IndexCompression { kKeep, kNone, kSnappy };

struct WriteOptions {
  IndexCompression index_compression = IndexCompression::kKeep;
  bool link_data = false;  // hard-link source shards instead of copying them
  bool compact = false;    // rewrite data without dropped tensors
};

struct WriteReport {
  std::vector<std::string> files;  // final paths written
  bool graph_rewritten = false;
  bool data_copied = false, data_linked = false, data_streamed = false;
  std::vector<std::string> notes;  // things the user should know (e.g. not carried over)
};

// Writes `store` as a bundle with prefix `out_prefix`. `source` is the checkpoint the store
// was read (and possibly renamed) from; entries carry their original names in
// TensorEntry::source_name. `renames` maps original name -> new name for every entry of
// the source that is kept (used to rewrite the TF2 object graph); dropped names are absent.
// Everything WriteTfBundle would refuse about `store` itself, checked without writing:
// today the TF2 object graph rewrite (RewriteForRename's refusals). `rename --dry-run`
// runs it so a dry run fails exactly when the real run would.
Status CheckTfBundleWrite(const Checkpoint& source, const TensorStore& store);

Result<WriteReport> WriteTfBundle(const Checkpoint& source, const TensorStore& store,
                                  const std::string& out_prefix, const WriteOptions& options);

// Whether WriteTfBundle can take a rename as a name table over `source.store`
// (core/rename/rename_table.h) instead of a renamed store: a bundle source written
// pass-through (no `compact`), whose output index only re-keys the source's records.
bool WritesNameTable(const Checkpoint& source, const WriteOptions& options);

// CheckTfBundleWrite and WriteTfBundle for the source renamed by `table`: the same checks,
// messages and bytes as for ApplyPlan's store, without that copy of every entry.
// REQUIRES (else kInvalidArgument): WritesNameTable(source, options), table over source.store.
Status CheckTfBundleWrite(const Checkpoint& source, const RenameTable& table);
Result<WriteReport> WriteTfBundle(const Checkpoint& source, const RenameTable& table,
                                  const std::string& out_prefix, const WriteOptions& options);

}  // namespace rescope::tfbundle
