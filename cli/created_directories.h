// SPDX-License-Identifier: Apache-2.0
// Outputs appear only when complete: a failed write must not leave behind the directories
// it created on the way (`rename ... -o new_dir/` that the object graph refuses used to
// leave an empty new_dir/).
#pragma once

#include <string>
#include <vector>

namespace rescope::cli {

// Records which directories an output path would create, and removes those that are
// still empty when destroyed, unless Keep() was called. Directories that existed before
// are never touched, and a directory holding anything is never removed.
class CreatedDirectories {
 public:
  // `output` is the user's output path: a directory when it ends in '/' or is one,
  // otherwise a file or prefix whose parent directory is the one that may be created.
  explicit CreatedDirectories(const std::string& output);
  ~CreatedDirectories();
  CreatedDirectories(const CreatedDirectories&) = delete;
  CreatedDirectories& operator=(const CreatedDirectories&) = delete;

  void Keep() { missing_.clear(); }

 private:
  std::vector<std::string> missing_;  // deepest first
};

}  // namespace rescope::cli
