// SPDX-License-Identifier: Apache-2.0
// Checkpoint path resolution.
#include "formats/tf_bundle/checkpoint_path.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "formats/mapped_file.h"

namespace rescope::tfbundle {
namespace fs = std::filesystem;
namespace {

constexpr uint64_t kMaxStateFileSize = 16 << 20;

std::string ReadSmallFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Unquotes a text-format string literal with C escapes. Returns nullopt if malformed.
std::optional<std::string> Unquote(std::string_view s) {
  if (s.size() < 2 || (s.front() != '"' && s.front() != '\'') || s.back() != s.front()) {
    return std::nullopt;
  }
  std::string out;
  for (size_t i = 1; i + 1 < s.size(); ++i) {
    char c = s[i];
    if (c != '\\') {
      out.push_back(c);
      continue;
    }
    if (++i + 1 > s.size() - 1) return std::nullopt;
    c = s[i];
    switch (c) {
      case 'n': out.push_back('\n'); break;
      case 't': out.push_back('\t'); break;
      case 'r': out.push_back('\r'); break;
      case '\\': case '"': case '\'': out.push_back(c); break;
      default:
        if (c >= '0' && c <= '7') {  // octal escape, up to 3 digits
          int v = 0, n = 0;
          while (n < 3 && i + 1 < s.size() && s[i] >= '0' && s[i] <= '7') {
            v = v * 8 + (s[i] - '0');
            ++i;
            ++n;
          }
          --i;
          out.push_back(static_cast<char>(v));
        } else {
          out.push_back(c);
        }
    }
  }
  return out;
}

bool IsBundlePrefix(const std::string& prefix) { return FileExists(prefix + ".index"); }

// A V1 sharded pattern "P-?????-of-NNNNN" or a V1 file family "P-00000-of-00002".
std::vector<std::string> FindV1Shards(const std::string& prefix) {
  std::vector<std::string> out;
  const fs::path p(prefix);
  const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
  const std::string base = p.filename().string();
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  const std::regex shard_re(R"(-(\d{5,})-of-(\d{5,})$)");
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.size() <= base.size() || name.compare(0, base.size(), base) != 0) continue;
    std::smatch m;
    const std::string rest = name.substr(base.size());
    if (std::regex_match(rest, m, shard_re) && e.is_regular_file()) out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// Strips a V1 glob written by TF1 Saver ("P-?????-of-00002") back to P.
std::string StripV1Glob(const std::string& path) {
  static const std::regex glob_re(R"(^(.*)-\?{5}-of-\d{5,}$)");
  std::smatch m;
  if (std::regex_match(path, m, glob_re)) return m[1].str();
  return path;
}

bool IsTableFile(const std::string& path) {
  auto size = FileSize(path);
  if (!size || *size < 48) return false;
  std::ifstream in(path, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(*size - 8));
  unsigned char magic[8] = {};
  in.read(reinterpret_cast<char*>(magic), 8);
  static const unsigned char kMagic[8] = {0x57, 0xfb, 0x80, 0x8b, 0x24, 0x75, 0x47, 0xdb};
  return std::equal(magic, magic + 8, kMagic);
}

// Tries `prefix` as a bundle prefix, a V1 file, or a V1 shard family.
std::optional<ResolvedPath> TryPrefix(const std::string& prefix, std::vector<std::string>& tried,
                                      const std::string& how) {
  tried.push_back(prefix + ".index");
  if (IsBundlePrefix(prefix)) return ResolvedPath{ResolvedPath::Kind::kBundle, prefix, {}, how};
  const std::string stripped = StripV1Glob(prefix);
  if (FileExists(stripped) && IsTableFile(stripped)) {
    tried.push_back(stripped + " (V1 table)");
    return ResolvedPath{ResolvedPath::Kind::kV1, stripped, {stripped}, how};
  }
  tried.push_back(stripped + "-NNNNN-of-NNNNN (V1 shards)");
  std::vector<std::string> shards = FindV1Shards(stripped);
  if (!shards.empty()) return ResolvedPath{ResolvedPath::Kind::kV1, stripped, shards, how};
  return std::nullopt;
}

// Applies the state file's path conventions: relative to its directory, stale absolute
// paths fall back to the basename in the directory, "." means the empty prefix.
std::string StatePathToPrefix(const std::string& dir, const std::string& recorded) {
  if (recorded == "." || recorded.empty()) return (fs::path(dir) / "").string();
  fs::path p(recorded);
  if (p.is_absolute()) return p.string();
  return (fs::path(dir) / p).string();
}

std::optional<int64_t> TrailingStep(const std::string& prefix) {
  static const std::regex step_re(R"(-(\d+)$)");
  std::smatch m;
  if (!std::regex_search(prefix, m, step_re)) return std::nullopt;
  // from_chars, not stoll: a state file may list a step beyond int64 (stoll would throw).
  int64_t step = 0;
  const std::string digits = m[1].str();
  const auto parsed = std::from_chars(digits.data(), digits.data() + digits.size(), step);
  if (parsed.ec != std::errc()) return std::nullopt;
  return step;
}

Result<ResolvedPath> ResolveDirectory(const std::string& dir, const ResolveOptions& options,
                                      std::vector<std::string>& tried) {
  const std::string state_file = (fs::path(dir) / "checkpoint").string();
  if (FileExists(state_file) && !IsBundlePrefix(state_file) &&
      FileSize(state_file).value_or(0) < kMaxStateFileSize) {
    auto state = ParseCheckpointState(ReadSmallFile(state_file), state_file);
    if (!state.ok()) return state.status();
    std::vector<std::string> candidates = state->all_model_checkpoint_paths;
    if (candidates.empty()) candidates.push_back(state->model_checkpoint_path);
    std::string recorded = state->model_checkpoint_path;
    if (options.step) {
      recorded.clear();
      for (const std::string& c : candidates) {
        if (TrailingStep(c) == options.step) recorded = c;
      }
      if (recorded.empty()) {
        std::string listed;
        for (const std::string& c : candidates) listed += "\n  " + c;
        // InvalidArgument: the directory is a checkpoint, the --step value is what is wrong.
        return Status::InvalidArgument(state_file + ": no checkpoint for step " +
                                       std::to_string(*options.step) + "; listed:" + listed);
      }
    }
    const std::string how = "from " + state_file;
    const std::string prefix = StatePathToPrefix(dir, recorded);
    if (auto r = TryPrefix(prefix, tried, how)) return *r;
    // Stale absolute path (TF1 Saver default): look beside the state file.
    const std::string beside = (fs::path(dir) / fs::path(recorded).filename()).string();
    if (beside != prefix) {
      if (auto r = TryPrefix(beside, tried, how + " (recorded path " + recorded + " missing)")) {
        return *r;
      }
    }
  } else if (options.step) {
    return Status::InvalidArgument(dir + ": --step needs a `checkpoint` state file in the directory");
  }
  for (const char* sub : {"variables/variables", "variables", ""}) {
    const std::string prefix = (fs::path(dir) / sub).string();
    if (auto r = TryPrefix(prefix, tried, "in directory")) return *r;
  }
  // A directory with exactly one *.index.
  std::vector<std::string> indexes;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().string();
    if (e.is_regular_file() && name.size() > 6 && name.compare(name.size() - 6, 6, ".index") == 0) {
      indexes.push_back(name.substr(0, name.size() - 6));
    }
  }
  if (indexes.empty()) {
    // A V1 sharded checkpoint: files "P-00000-of-00002" (not bundle data files).
    static const std::regex v1_re(R"(^(.*)-\d{5,}-of-\d{5,}$)");
    std::vector<std::string> families;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
      const std::string name = e.path().string();
      std::smatch m;
      if (e.is_regular_file() && name.find(".data-") == std::string::npos &&
          std::regex_match(name, m, v1_re) &&
          std::find(families.begin(), families.end(), m[1].str()) == families.end()) {
        families.push_back(m[1].str());
      }
    }
    if (families.size() == 1) {
      if (auto r = TryPrefix(families[0], tried, "V1 shards in directory")) return *r;
    }
  }
  if (indexes.size() == 1) {
    return ResolvedPath{ResolvedPath::Kind::kBundle, indexes[0], {}, "only .index in directory"};
  }
  if (indexes.size() > 1) {
    std::sort(indexes.begin(), indexes.end());
    std::string listed;
    for (const std::string& i : indexes) listed += "\n  " + i;
    return Status::InvalidArgument(dir + ": several checkpoints and no `checkpoint` state file; "
                                   "pass one prefix:" + listed);
  }
  return Status::NotFound("");
}

}  // namespace

Result<CheckpointState> ParseCheckpointState(const std::string& text, const std::string& file) {
  CheckpointState state;
  std::istringstream in(text);
  std::string line;
  int line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    const size_t colon = line.find(':');
    if (line.find_first_not_of(" \t\r") == std::string::npos || colon == std::string::npos) continue;
    std::string key = line.substr(0, colon);
    key.erase(0, key.find_first_not_of(" \t"));
    key.erase(key.find_last_not_of(" \t") + 1);
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    value.erase(value.find_last_not_of(" \t\r") + 1);
    if (key != "model_checkpoint_path" && key != "all_model_checkpoint_paths") continue;
    auto unquoted = Unquote(value);
    if (!unquoted) {
      return Status::Corruption(file + ": line " + std::to_string(line_no) + ": " + key +
                                ": expected a quoted string, found " + value);
    }
    if (key == "model_checkpoint_path") {
      state.model_checkpoint_path = *unquoted;
    } else {
      state.all_model_checkpoint_paths.push_back(*unquoted);
    }
  }
  if (state.model_checkpoint_path.empty()) {
    return Status::Corruption(file + ": no model_checkpoint_path in checkpoint state file");
  }
  return state;
}

std::string DataFileName(const std::string& prefix, int32_t shard, int32_t num_shards) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), ".data-%05d-of-%05d", shard, num_shards);
  return prefix + buf;
}

Result<ResolvedPath> ResolveCheckpointPath(const std::string& path, const ResolveOptions& options) {
  std::vector<std::string> tried;
  auto not_found = [&]() {
    std::string msg = path + ": no TensorFlow checkpoint found; tried:";
    for (const std::string& t : tried) msg += "\n  " + t;
    return Status::NotFound(msg);
  };
  if (path.empty()) return Status::InvalidArgument("empty checkpoint path");
  if (IsDirectory(path)) {
    auto r = ResolveDirectory(path, options, tried);
    if (r.ok() || !r.status().message().empty()) return r;
    return not_found();
  }
  if (options.step) {
    return Status::InvalidArgument(path + ": --step applies to a directory with a `checkpoint` file");
  }
  // PREFIX.index and PREFIX.data-NNNNN-of-NNNNN name their prefix.
  static const std::regex data_re(R"(^(.*)\.data-\d{5,}-of-\d{5,}$)");
  std::smatch m;
  if (path.size() >= 6 && path.compare(path.size() - 6, 6, ".index") == 0) {
    const std::string prefix = path.substr(0, path.size() - 6);
    if (FileExists(path)) return ResolvedPath{ResolvedPath::Kind::kBundle, prefix, {}, "index file"};
    tried.push_back(path);
    return not_found();
  }
  if (std::regex_match(path, m, data_re)) {
    const std::string prefix = m[1].str();
    if (auto r = TryPrefix(prefix, tried, "data file")) return *r;
    return not_found();
  }
  if (auto r = TryPrefix(path, tried, "prefix")) return *r;
  return not_found();
}

bool LooksLikeTfCheckpoint(const std::string& path) {
  return ResolveCheckpointPath(path, {}).ok();
}

}  // namespace rescope::tfbundle
