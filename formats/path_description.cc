// SPDX-License-Identifier: Apache-2.0
// Describing what a path holds when it is not a checkpoint.
#include "formats/path_description.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "formats/format_table.h"
#include "formats/mapped_file.h"
#include "formats/tf_bundle/checkpoint_path.h"

namespace rescope {
namespace fs = std::filesystem;
namespace {

// Directories as large as /usr/lib are described from their first entries only.
constexpr size_t kMaxEntries = 2000;
constexpr size_t kNamesShown = 5;

bool EndsWith(const std::string& s, std::string_view suffix) { return s.ends_with(suffix); }

std::string ReadPrefix(const std::string& path, size_t n) {
  std::ifstream in(path, std::ios::binary);
  std::string out(n, '\0');
  in.read(out.data(), static_cast<std::streamsize>(n));
  out.resize(static_cast<size_t>(in.gcount()));
  return out;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Printable UTF-8 text: no NUL, no control bytes other than whitespace, valid sequences
// (a sequence cut at the end of the sample is allowed).
bool LooksLikeText(const std::string& sample) {
  for (size_t i = 0; i < sample.size();) {
    const auto c = static_cast<unsigned char>(sample[i]);
    if (c < 0x80) {
      if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f') return false;
      if (c == 0x7f) return false;
      ++i;
      continue;
    }
    const size_t len = (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
    if (len == 0) return false;
    for (size_t k = 1; k < len; ++k) {
      if (i + k >= sample.size()) return true;
      if ((static_cast<unsigned char>(sample[i + k]) & 0xc0) != 0x80) return false;
    }
    i += len;
  }
  return true;
}

std::string JoinShown(const std::vector<std::string>& names) {
  std::string out;
  for (size_t i = 0; i < names.size() && i < kNamesShown; ++i) {
    out += (i ? ", " : "") + names[i];
  }
  if (names.size() > kNamesShown) out += ", ...";
  return out;
}

std::string Hex8(const std::string& bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < bytes.size() && i < 8; ++i) {
    const auto b = static_cast<unsigned char>(bytes[i]);
    if (i) out += ' ';
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

bool IsShardName(const std::string& name) {
  static const std::regex shard_re(R"(.*-\d{5,}-of-\d{5,}\.(safetensors|bin)$)");
  return std::regex_match(name, shard_re);
}

bool IsIndexJson(const std::string& name) {
  return EndsWith(name, ".safetensors.index.json") || EndsWith(name, ".bin.index.json");
}

bool SniffsAsCheckpointFile(const std::string& path) {
  for (const FormatDescriptor* f : Formats()) {
    if (f->sniff_file && f->sniff_file(path)) return true;
  }
  return false;
}

std::string DescribeJson(const std::string& path) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(ReadAll(path));
  } catch (const nlohmann::json::exception&) {
    return "a file starting like JSON that does not parse";
  }
  if (!doc.is_object()) {
    return std::string("JSON (a top-level ") + doc.type_name() +
           "), not a checkpoint: an index needs an object with \"weight_map\", a manifest "
           "an object with \"variables\"";
  }
  std::vector<std::string> keys;
  for (auto it = doc.begin(); it != doc.end(); ++it) keys.push_back("\"" + it.key() + "\"");
  return "JSON that is neither a sharded-checkpoint index (no \"weight_map\") nor a manifest "
         "in the `ls --json` schema (no \"variables\"); its keys: " +
         (keys.empty() ? std::string("none") : JoinShown(keys));
}

// Where the variables of a graph file's checkpoint are: the prefix or directory TF's path
// rules resolve, or "" when none.
std::string VariablesAt(const std::string& prefix_or_dir) {
  auto resolved = tfbundle::ResolveCheckpointPath(prefix_or_dir, {});
  return resolved.ok() ? resolved->prefix : "";
}

std::string DescribeMetaGraph(const std::string& path) {
  const std::string prefix = path.substr(0, path.size() - std::string_view(".meta").size());
  const std::string at = VariablesAt(prefix);
  return "a TF MetaGraph (graph definition): graphs are not checkpoints; " +
         (at.empty() ? "their variables would be in " + prefix + ", which is missing"
                     : "their variables are in " + at);
}

std::string DescribeSavedModelGraph(const std::string& dir) {
  const std::string at = VariablesAt(dir);
  if (!at.empty()) {
    return "a SavedModel graph: graphs are not checkpoints; their variables are in " + at;
  }
  return "a SavedModel graph: graphs are not checkpoints, and this SavedModel has no "
         "variables (no " +
         (fs::path(dir) / "variables" / "variables").string() + ".index)";
}

std::string DescribeFile(const std::string& path, uint64_t size) {
  const std::string name = fs::path(path).filename().string();
  if (size == 0) return "an empty file (0 bytes)";
  if (EndsWith(name, ".meta")) return DescribeMetaGraph(path);
  if (name == "saved_model.pb" || name == "saved_model.pbtxt") {
    return DescribeSavedModelGraph(fs::path(path).parent_path().string());
  }
  static const std::regex data_re(R"(^(.*)\.data-\d{5,}-of-\d{5,}$)");
  std::smatch m;
  if (std::regex_match(path, m, data_re)) {
    return "a TF data shard whose index " + m[1].str() + ".index is missing";
  }
  const std::string head = ReadPrefix(path, 4096);
  const size_t first = head.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && (head[first] == '{' || head[first] == '[') &&
      size < (64u << 20)) {
    return DescribeJson(path);
  }
  if (name == "checkpoint" && head.find("model_checkpoint_path") != std::string::npos) {
    return "a TF checkpoint state file: open its directory, or a prefix it lists";
  }
  if (EndsWith(name, ".pb") || EndsWith(name, ".pbtxt")) {
    return "a protobuf file (a TF graph?): graphs are not checkpoints";
  }
  if (LooksLikeText(head)) {
    const std::string all = size < (1u << 20) ? ReadAll(path) : head;
    const auto lines = std::count(all.begin(), all.end(), '\n');
    return "a text file (" + std::to_string(size) + " bytes, " + std::to_string(lines) +
           (lines == 1 ? " line)" : " lines)");
  }
  if (head.size() >= 4 && head.compare(0, 4, "PK\x03\x04") == 0) {
    return "a zip archive (" + std::to_string(size) +
           " bytes) that is neither torch.save (no data.pkl) nor .keras (no config.json and "
           "model.weights.h5)";
  }
  return "a binary file of " + std::to_string(size) + " bytes in no format rescope reads (starts " +
         Hex8(head) + ")";
}

std::string DescribeDirectory(const std::string& dir) {
  if (FileExists((fs::path(dir) / "saved_model.pb").string())) {
    return "a SavedModel directory without variables/ (graph only): graphs are not "
           "checkpoints";
  }
  std::vector<std::string> names;
  std::error_code ec;
  size_t count = 0;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (++count > kMaxEntries) break;
    names.push_back(e.path().filename().string() + (e.is_directory() ? "/" : ""));
  }
  if (ec) return "a directory that cannot be read (" + ec.message() + ")";
  if (names.empty()) return "an empty directory";
  std::sort(names.begin(), names.end());
  return "a directory holding no checkpoint rescope reads (" + std::to_string(names.size()) +
         (names.size() > kMaxEntries ? "+" : "") + " entries: " + JoinShown(names) + ")";
}

std::string DescribeMissing(const std::string& path) {
  struct stat st {};
  const int err = ::stat(path.c_str(), &st) == 0 ? 0 : errno;
  std::string text = err ? std::strerror(err) : "cannot be read";
  const fs::path parent = fs::path(path).has_parent_path() ? fs::path(path).parent_path() : ".";
  std::error_code ec;
  if (!fs::is_directory(parent, ec)) return text + " (" + parent.string() + " does not exist)";
  // A TF prefix names no file itself: say that none with this prefix exists, and name the
  // checkpoints whose prefixes start the same way (`model.ckpt` -> `model.ckpt-1000`).
  const std::string base = fs::path(path).filename().string();
  std::vector<std::string> similar;
  size_t count = 0;
  for (const auto& e : fs::directory_iterator(parent, ec)) {
    if (++count > kMaxEntries) break;
    const std::string name = e.path().filename().string();
    if (name.starts_with(base) && EndsWith(name, ".index")) {
      similar.push_back((parent / name.substr(0, name.size() - 6)).string());
    }
  }
  std::sort(similar.begin(), similar.end());
  text += "; no TensorFlow checkpoint has this prefix (no " + path + ".index)";
  if (!similar.empty()) text += "; did you mean " + JoinShown(similar) + "?";
  return text;
}

}  // namespace

std::vector<std::string> CheckpointsInDirectory(const std::string& dir) {
  std::vector<std::string> found;
  std::vector<std::string> files;
  bool has_index_json = false;
  std::error_code ec;
  size_t count = 0;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (++count > kMaxEntries) break;
    std::error_code type_ec;
    if (!e.is_regular_file(type_ec)) continue;
    const std::string path = e.path().string();
    const std::string name = e.path().filename().string();
    if (EndsWith(name, ".index") && name.size() > 6) {
      found.push_back(path.substr(0, path.size() - 6));
    } else if (IsIndexJson(name)) {
      has_index_json = true;
      found.push_back(path);
    } else if (name.find(".data-") == std::string::npos && !EndsWith(name, ".json") &&
               name != "checkpoint") {
      files.push_back(path);
    }
  }
  for (const std::string& f : files) {
    if (has_index_json && IsShardName(fs::path(f).filename().string())) continue;
    if (SniffsAsCheckpointFile(f)) found.push_back(f);
  }
  std::sort(found.begin(), found.end());
  return found;
}

std::string DescribeNonCheckpoint(const std::string& path) {
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (ec || !fs::exists(status)) return path + ": " + DescribeMissing(path);
  if (fs::is_directory(status)) return path + ": " + DescribeDirectory(path);
  if (!fs::is_regular_file(status)) return path + ": not a regular file or directory";
  const uint64_t size = fs::file_size(path, ec);
  if (ec) return path + ": cannot be read (" + ec.message() + ")";
  return path + ": " + DescribeFile(path, size);
}

}  // namespace rescope
