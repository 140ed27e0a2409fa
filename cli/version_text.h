// SPDX-License-Identifier: Apache-2.0
// The text of `rescope --version`.
#pragma once

#include <string>

namespace rescope::cli {

// "rescope 0.1.0 (commit abc123, Release build)" and the format libraries' versions.
std::string VersionText();

}  // namespace rescope::cli
