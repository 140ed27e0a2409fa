// SPDX-License-Identifier: Apache-2.0
// Opens any checkpoint path by walking the format table (formats/format_table.h) in its
// order: content first, a file name only as a hint.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/store/tensor_store.h"
#include "formats/format_table.h"

namespace rescope {

// Opens `path`: a TF bundle prefix/file/directory, a TF V1 checkpoint, ... Errors say
// which formats were tried when none matched.
Result<Checkpoint> OpenCheckpoint(const std::string& path, const OpenOptions& options = {});

// The Checkpoint.format values rescope reads, in the order their formats are tried.
std::vector<std::string> ReadableFormats();

}  // namespace rescope
