// SPDX-License-Identifier: Apache-2.0
// Flag registration for GGUF metadata edits; the edits are applied by the GGUF writer's caller.
#include "cli/gguf_metadata_edits.h"

namespace rescope::cli {

void AddMetadataEditOptions(CLI::App* app, gguf::MetadataEdits& edits) {
  app->add_option("--set", edits.sets,
                  "GGUF output: set metadata KEY=VALUE (keeps the key's type) or "
                  "KEY:TYPE=VALUE (new key; TYPE uint8..int64, float32, float64, bool, string, "
                  "T[] arrays like [1,2])")
      ->take_all()
      ->allow_extra_args(false);
  app->add_option("--delete-key", edits.deletes,
                  "GGUF output: remove metadata KEY (refused when absent)")
      ->allow_extra_args(false);
}

}  // namespace rescope::cli
