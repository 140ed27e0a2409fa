// SPDX-License-Identifier: Apache-2.0
// `--select KEY`: a dictionary inside a PyTorch file becomes the checkpoint, as
// `torch.load(f)[KEY]` would give it (a training checkpoint's `model_state_dict`).
#pragma once

#include <string_view>

#include "core/store/tensor_store.h"

namespace rescope {

// Keeps the tensors under `key` (nested keys joined by '.': "model.encoder"), named as in
// that dictionary, and the skipped plain values under it; drops the rest. The result is
// written as a fresh state_dict (it no longer has the source file's object layout).
// Errors: kInvalidArgument for a format other than PyTorch, or a key that is a tensor;
// kNotFound for a key holding no tensors (naming the top-level keys there are).
Status SelectSubtree(Checkpoint& ckpt, std::string_view key);

}  // namespace rescope
