// SPDX-License-Identifier: Apache-2.0
// The one place that knows every format: opens any checkpoint path by trying each
// format in a fixed order (by content, not by extension).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/tensor_store.h"

namespace rescope {

struct OpenOptions {
  std::optional<int64_t> step;  // TF `checkpoint` state files: pick this step
  bool lenient = false;         // PyTorch: list and skip non-tensor leaves instead of failing
  std::string select = "";      // PyTorch: this dictionary of the file is the checkpoint
};

// Opens `path`: a TF bundle prefix/file/directory, a TF V1 checkpoint, ... Errors say
// which formats were tried when none matched.
Result<Checkpoint> OpenCheckpoint(const std::string& path, const OpenOptions& options = {});

// Names of the formats rescope reads, in the order they are tried.
std::vector<std::string> ReadableFormats();

}  // namespace rescope
