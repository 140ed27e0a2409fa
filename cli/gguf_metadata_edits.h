// SPDX-License-Identifier: Apache-2.0
// --set KEY[:TYPE]=VALUE and --delete-key KEY on `rename` and `convert` (GGUF output only).
#pragma once

#include <CLI/CLI.hpp>

#include "formats/gguf/gguf_metadata_edit.h"

namespace rescope::cli {

void AddMetadataEditOptions(CLI::App* app, gguf::MetadataEdits& edits);

}  // namespace rescope::cli
