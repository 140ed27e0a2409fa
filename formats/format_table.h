// SPDX-License-Identifier: Apache-2.0
// The table of formats: everything rescope knows about a format, in one descriptor per
// format, so that the opener (formats/registry.cc) and the CLI ask the table instead of
// comparing format names. Each format folder defines its own descriptor
// (formats/safetensors/safetensors_format.cc, ...); format_table.cc lists them in the order
// their content sniffs are tried.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/store/tensor_store.h"

namespace rescope {

struct OpenOptions {
  std::optional<int64_t> step;  // TF `checkpoint` state files: pick this step
  bool lenient = false;         // PyTorch: list and skip non-tensor leaves instead of failing
  std::string select = "";      // PyTorch: this dictionary of the file is the checkpoint
};

// One value of Checkpoint.format a reader reports ("keras3_weights_h5").
struct FormatVariant {
  std::string_view name;
  std::string_view display_name;
  // What the container checksums of Checkpoint.region_checksums cover, for `verify`: one
  // ("storage record") and all of them in words ("zip records (tensor storages and
  // metadata)"). Empty for variants without region checksums.
  std::string_view region_checksum_unit = {};
  std::string_view region_checksums_text = {};
};

// Metadata edits asked for on the command line (--set KEY=VALUE, --delete-key KEY), for
// formats whose writer has `check_metadata_edits` (GGUF).
struct MetadataEdits {
  std::vector<std::string> sets;     // "KEY=VALUE" or "KEY:TYPE=VALUE"
  std::vector<std::string> deletes;  // keys
  bool empty() const { return sets.empty() && deletes.empty(); }
};

// What the CLI asks a writer for, beyond the tensors.
struct FormatWriteRequest {
  MetadataEdits metadata_edits = {};       // formats with `check_metadata_edits`
  uint64_t max_shard_size = 0;             // 0: one file (formats with `shards_by_size`)
  bool same_as_input = false;              // the output replaces the input (--in-place was given)
  bool compact = false;                    // TF: rewrite data shards without dropped tensors
  bool link_data = false;                  // TF: hard-link unchanged data shards
  std::string index_compression = "keep";  // TF: keep, none, snappy
};

struct FormatWriteResult {
  std::string output = {};  // the prefix or file written (a sharded set: its index)
  std::vector<std::string> files = {};
  std::vector<std::string> notes = {};
};

// The writing half of a descriptor. `write` is null for formats rescope only reads.
struct FormatWriter {
  // Output names that say this format, tried longest first within the format (an index
  // name before its shard's name).
  std::vector<std::string_view> output_suffixes = {};
  // Other output names this format claims (TF's model.ckpt-1000, P.data-00000-of-00001).
  bool (*claims_output_name)(const std::string& base_name) = nullptr;
  // Once the format is chosen (--to, or rename keeping the input's), any name will do.
  bool takes_any_name = false;
  // Formats whose output names are no conflict for this one (PyTorch Lightning's .ckpt).
  std::vector<std::string_view> shares_names_with = {};
  // A name without extension is a prefix of this format, not a directory to write into.
  bool bare_name_is_prefix = false;
  // The file a directory output gets when the format changes, as the framework saves it.
  std::string_view directory_file_name = {};
  // The file a directory output gets when the input's format is kept (its own name).
  std::string (*same_format_file_name)(const Checkpoint& source) = nullptr;
  // One line of the "outputs are:" list in errors: what names it takes.
  std::string_view output_help = {};
  // Hugging Face layout: a directory output gets the model's config.json beside it.
  bool copies_model_config = false;
  bool shards_by_size = false;  // --max-shard-size applies
  // The file the writer writes for `path` (an index name stands for its set's file, P.index
  // for prefix P); null: `path` itself.
  std::string (*output_path)(const std::string& path) = nullptr;
  // After an in-place rewrite, data shards of the input the writer did not write again are
  // stale and removed.
  bool removes_stale_shards = false;
  // A directory output records the written name in the directory's state file (TF's
  // `checkpoint`); returns whether the file was (re)written. Null: no state file.
  Result<bool> (*record_in_directory)(const std::string& dir, const std::string& base) = nullptr;
  // The name of that state file, when there is one.
  std::string_view state_file = {};
  // What the writer refuses about `store` before writing anything; null: nothing.
  Status (*check)(const Checkpoint& source, const TensorStore& store) = nullptr;
  // Whether `edits` apply to the output's metadata (every edit names a key that can take
  // it); null: the format takes no metadata edits, and the CLI refuses them.
  Status (*check_metadata_edits)(const Checkpoint& source, const MetadataEdits& edits) = nullptr;
  // Why one entry cannot be written (convert leaves it behind and says so); null: any.
  std::optional<std::string> (*why_not_writable)(const TensorEntry& entry) = nullptr;
  // True when the writer copies whole data shards with their stored checksums (so damaged
  // tensors stay detectable and need no check before the copy); null: never.
  bool (*writes_by_shard_copy)(const Checkpoint& source, const TensorStore& store,
                               const FormatWriteRequest& request) = nullptr;
  Result<FormatWriteResult> (*write)(const Checkpoint& source, const TensorStore& store,
                                     const std::string& path,
                                     const FormatWriteRequest& request) = nullptr;
};

// What a format can carry.
struct FormatCapabilities {
  std::string_view checksums = {};  // what it stores per tensor for `verify` ("" none)
  std::string_view dtypes = {};     // the dtypes it carries, in words
  bool strings = false;             // string tensors
  bool metadata = false;            // free-form metadata besides tensors
  bool partitioned = false;         // partitioned variables (slices of one variable)
  bool object_graph = false;        // a TF2 object graph
  bool selectable = false;          // nested dictionaries: --select KEY opens one
  bool ggml_blocks = false;         // GGML block-quantized tensors (q4_k, ...) as stored
};

struct FormatDescriptor {
  std::string_view name = {};                // the --to value and writer family ("tf_bundle")
  std::string_view display_name = {};        // what README's Formats table and the man page call it
  std::vector<FormatVariant> variants = {};  // every Checkpoint.format its reader reports
  char name_separator = '/';                 // splits variable names into scopes

  // Reading. A file is tried by content first (`sniff_file`, table order), then by its
  // name (`name_hints`: the opener then says what is wrong with it). Paths that are no
  // file go to readers that `resolve_paths` (TF prefixes; kNotFound = not theirs), then
  // directories to `sniff_directory`.
  bool (*sniff_file)(const std::string& path) = nullptr;
  std::vector<std::string_view> name_hints = {};
  bool resolves_paths = false;
  bool (*sniff_directory)(const std::string& dir) = nullptr;
  Result<Checkpoint> (*open)(const std::string& path, const OpenOptions& options) = nullptr;

  FormatWriter writer;
  FormatCapabilities capabilities;

  bool writable() const { return writer.write != nullptr; }
};

// Every format, in the order a file's content is sniffed.
std::span<const FormatDescriptor* const> Formats();

// The formats rescope writes, in the order they are offered to users (--to choices, the
// "outputs are:" list): the default output format first.
std::span<const FormatDescriptor* const> WritableFormats();

// The format a bare output name or directory gets when nothing else says (tf_bundle).
const FormatDescriptor& DefaultOutputFormat();

// The descriptor named `name` ("safetensors"), or null.
const FormatDescriptor* FindFormat(std::string_view name);

// The variant a reader reports as `checkpoint_format` ("keras_zip"), or null.
const FormatVariant* FindFormatVariant(std::string_view checkpoint_format);

// The descriptor whose reader reports `checkpoint_format` ("tf_v1" -> tf_bundle), or null.
const FormatDescriptor* FormatOfCheckpoint(std::string_view checkpoint_format);

// The descriptor whose output suffixes or names claim `base_name` ("w.safetensors"), or null.
const FormatDescriptor* FormatNamedBy(const std::string& base_name);

// A checkpoint file's name without the extension any format gives it ("model" for
// model.safetensors.index.json); "model" when nothing is left.
std::string CheckpointStem(const std::string& path);

// A writer's result for a file set: a sharded set is opened through its index, so that is
// the output reported.
FormatWriteResult WrittenFileSet(const std::string& path, std::vector<std::string> files);

}  // namespace rescope
