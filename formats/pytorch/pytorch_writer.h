// SPDX-License-Identifier: Apache-2.0
// Writer for torch.save zip files that torch.load(..., weights_only=True) accepts
// (PYTORCH.md §6), for `rename` and `convert`.
//
// Two modes:
//  * PyTorch source (source.state is a PyTorchState of a single file): the source object
//    graph is re-emitted with the store's names. A state_dict key is renamed in place; a
//    nested tensor may be renamed only within its container (`model.fc.weight` ->
//    `model.head.weight`). Tensors missing from the store are dropped, and a container that
//    held tensors and holds none afterwards is dropped too (so `--drop-optimizer` removes the
//    whole `optimizer` entry). Ties, views and strides are kept; storage records are copied
//    byte for byte. A renamed state_dict's `_metadata` prefixes follow the key renames.
//  * any other source: a fresh OrderedDict of name -> tensor in name order (a PyTorch shard
//    set: shard by shard), each tensor contiguous with its own storage.
// The zip uses the torch >= 2.7 record set (§6.3).
//
// Sharded output (PYTORCH.md §7), as transformers' save_pretrained writes it: with
// WriteOptions::max_shard_size, or when the source is a shard set read through its
// pytorch_model.bin.index.json and keep_source_shards holds (each tensor stays in its source
// shard), the tensors, in state_dict order (the source file's key order for a single PyTorch
// file, else as above), go to "<stem>-00001-of-0000N.bin" ... plus "<stem>.bin.index.json"
// (`{"metadata": {"total_size": N}, "weight_map": {...}}`, keys sorted, indent 2). Each shard
// is torch.save of a plain dict of fresh contiguous tensors; a tie (two names reading the same
// bytes as the same dtype and shape: the same tensor reached twice, or torch.save's tied
// parameters over one storage) stays one tensor in its first name's shard, as it does in a
// fresh single file; other storage sharing (partial views) is not kept. A split that yields one
// shard writes one file and no index, as transformers does. Every file is written through
// AtomicOutput; shards are renamed into place first, the index last.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/store/tensor_store.h"

namespace rescope::pytorch {

struct WriteOptions {
  // Start a new shard before a tensor that would take the current one past this many tensor
  // bytes (a larger tensor gets a shard of its own). 0 = no size-based split.
  uint64_t max_shard_size = 0;
  // With max_shard_size 0, a sharded PyTorch source keeps its tensor-to-shard layout; false
  // writes one file.
  bool keep_source_shards = true;
};

// Why `entry` cannot be written as a fresh PyTorch tensor (partitioned variable or slice,
// a dtype torch has no equivalent for, such as string), or nullopt when it can.
std::optional<std::string> WhyNotWritable(const TensorEntry& entry);

// `path` names the single file ("x.pt", "dir/pytorch_model.bin"); for sharded output its stem
// without ".bin"/".pt"/".pth"/".bin.index.json" names the shards and the index (shards are
// always ".bin": index readers require it). Returns the paths written, index last. Errors:
// kNotSupported for dtypes torch cannot hold, placeholders from a lenient read, or a rename that
// moves a tensor between containers; kIOError from the filesystem.
Result<std::vector<std::string>> WritePyTorch(const Checkpoint& source, const TensorStore& store,
                                              const std::string& path,
                                              const WriteOptions& options = {});

}  // namespace rescope::pytorch
