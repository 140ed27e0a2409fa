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
//  * any other source: a fresh OrderedDict of name -> tensor in name order, each tensor
//    contiguous with its own storage.
// The zip uses the torch >= 2.7 record set (§6.3). The file is written through AtomicOutput.
#pragma once

#include <string>
#include <vector>

#include "core/tensor_store.h"

namespace rescope::pytorch {

// Returns the paths written (one file). Errors: kNotSupported for dtypes torch cannot hold,
// placeholders from a lenient read, or a rename that moves a tensor between containers;
// kIOError from the filesystem.
Result<std::vector<std::string>> WritePyTorch(const Checkpoint& source, const TensorStore& store,
                                              const std::string& path);

}  // namespace rescope::pytorch
