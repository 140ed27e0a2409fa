// SPDX-License-Identifier: Apache-2.0
#include "cli/version_text.h"

#include "formats/library_versions.h"
#include "rescope_git_commit.h"  // generated at build time (cmake/git_commit.cmake)

namespace rescope::cli {

std::string VersionText() {
  std::string text = std::string("rescope ") + RESCOPE_VERSION + " (commit " + RESCOPE_GIT_COMMIT +
                     ", " + RESCOPE_BUILD_TYPE + " build)\n";
  for (const auto& [library, version] : FormatLibraryVersions()) {
    text += "  " + library + " " + version + "\n";
  }
  return text;
}

}  // namespace rescope::cli
