// SPDX-License-Identifier: Apache-2.0
#include "cli/model_config_copy.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "formats/atomic_output.h"

namespace rescope::cli {
namespace fs = std::filesystem;

namespace {

constexpr const char* kConfigName = "config.json";

std::optional<std::string> ReadWhole(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

Result<std::optional<std::string>> ModelConfigToCopy(const Checkpoint& source,
                                                     const std::string& output_dir) {
  std::error_code ec;
  const fs::path input(source.path);
  const fs::path input_dir = fs::is_directory(input, ec) ? input : input.parent_path();
  const fs::path from = (input_dir.empty() ? fs::path(".") : input_dir) / kConfigName;
  if (!fs::is_regular_file(from, ec)) return std::optional<std::string>();
  const fs::path to = fs::path(output_dir) / kConfigName;
  if (!fs::exists(to, ec)) return std::optional<std::string>(from.string());
  if (fs::equivalent(from, to, ec)) return std::optional<std::string>();
  const auto old_text = ReadWhole(to), new_text = ReadWhole(from);
  if (old_text && new_text && *old_text == *new_text) return std::optional<std::string>();
  return Status::Conflict(to.string() + ": exists and differs from " + from.string() +
                          " beside the input; nothing was written (remove " + to.string() +
                          " or write to another directory)");
}

Result<std::string> CopyModelConfig(const std::string& config, const std::string& output_dir) {
  const std::string to = (fs::path(output_dir) / kConfigName).string();
  AtomicOutput out;
  RESCOPE_ASSIGN_OR_RETURN(OutputFile * file, out.Create(to));
  RESCOPE_RETURN_IF_ERROR(file->AppendFileContents(config));
  RESCOPE_RETURN_IF_ERROR(out.Commit());
  return to;
}

}  // namespace rescope::cli
