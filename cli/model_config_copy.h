// SPDX-License-Identifier: Apache-2.0
// The Hugging Face layout of a directory output: the model's config.json travels with its
// weights, so `convert X hf/ --to safetensors` gives a directory from_pretrained can load.
#pragma once

#include <optional>
#include <string>

#include "core/store/tensor_store.h"

namespace rescope::cli {

// The config.json beside `source` (in its directory, or the directory holding its file or
// prefix) that `output_dir` should receive; nullopt when there is none, when output_dir is
// that same directory, or when output_dir already holds the same bytes. An existing,
// different config.json in output_dir is a kConflict error naming both files: checked
// before any weights are written, it is never replaced silently.
Result<std::optional<std::string>> ModelConfigToCopy(const Checkpoint& source,
                                                     const std::string& output_dir);

// Copies `config` (from ModelConfigToCopy) into output_dir atomically; returns the new path.
Result<std::string> CopyModelConfig(const std::string& config, const std::string& output_dir);

}  // namespace rescope::cli
