// SPDX-License-Identifier: Apache-2.0
// Removal of directories a failed write created.
#include "cli/created_directories.h"

#include <filesystem>
#include <system_error>

#include "formats/interrupt_cleanup.h"

namespace rescope::cli {
namespace fs = std::filesystem;

CreatedDirectories::CreatedDirectories(const std::string& output) {
  std::error_code ec;
  fs::path dir = fs::path(output);
  if (!(output.ends_with('/') || fs::is_directory(dir, ec))) dir = dir.parent_path();
  dir = fs::absolute(dir, ec).lexically_normal();
  if (ec) return;
  while (!dir.empty() && dir != dir.root_path()) {
    if (fs::exists(dir, ec) || ec) break;
    std::string s = dir.string();
    while (s.size() > 1 && s.back() == '/') s.pop_back();  // "a/b/" normalizes with a slash
    missing_.push_back(s);
    dir = fs::path(s).parent_path();
  }
  // Parents first: the interrupt handler removes the newest registration first.
  for (auto it = missing_.rbegin(); it != missing_.rend(); ++it) RemoveDirectoryOnInterrupt(*it);
}

CreatedDirectories::~CreatedDirectories() {
  for (const std::string& dir : missing_) {
    std::error_code ec;
    if (fs::is_directory(dir, ec) && fs::is_empty(dir, ec) && !ec) fs::remove(dir, ec);
  }
}

}  // namespace rescope::cli
