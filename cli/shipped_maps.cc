// SPDX-License-Identifier: Apache-2.0
#include "cli/shipped_maps.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <system_error>

#include "cli/usage_errors.h"

namespace rescope::cli {
namespace fs = std::filesystem;

namespace {

constexpr std::string_view kExtension = ".json";

// The running executable's path (Linux: /proc/self/exe); empty when unknown.
fs::path ExecutablePath() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  return ec ? fs::path() : exe;
}

// A map's "description", or "" when the file has none or is not a JSON object: listing
// never fails over one bad file (using it with --map reports the error properly).
std::string ReadDescription(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  const nlohmann::json doc = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return "";
  const auto it = doc.find("description");
  return it != doc.end() && it->is_string() ? it->get<std::string>() : "";
}

void AddMapsBelow(const fs::path& dir, std::map<std::string, ShippedMap>& found) {
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::path& file = it->path();
    if (!it->is_regular_file(ec) || file.extension() != kExtension) continue;
    std::string name = file.lexically_relative(dir).replace_extension().generic_string();
    if (found.count(name)) continue;  // an earlier directory wins
    found[name] = ShippedMap{name, file, ReadDescription(file)};
  }
}

}  // namespace

std::vector<fs::path> ShippedMapDirectories() {
  std::vector<fs::path> candidates;
  if (const fs::path exe = ExecutablePath(); !exe.empty()) {
    candidates.push_back(exe.parent_path().parent_path() / "share" / "rescope" / "maps");
  }
#ifdef RESCOPE_SOURCE_MAPS_DIR
  candidates.emplace_back(RESCOPE_SOURCE_MAPS_DIR);
#endif
  std::vector<fs::path> dirs;
  for (const fs::path& c : candidates) {
    std::error_code ec;
    if (fs::is_directory(c, ec)) dirs.push_back(c.lexically_normal());
  }
  return dirs;
}

std::vector<ShippedMap> ListShippedMaps() {
  std::map<std::string, ShippedMap> found;
  for (const fs::path& dir : ShippedMapDirectories()) AddMapsBelow(dir, found);
  std::vector<ShippedMap> maps;
  for (auto& [name, map] : found) maps.push_back(std::move(map));
  return maps;
}

Result<fs::path> ResolveMapFile(const std::string& value) {
  std::error_code ec;
  if (fs::exists(value, ec)) return fs::path(value);
  std::string name = value;
  if (name.size() > kExtension.size() && name.ends_with(kExtension)) {
    name.resize(name.size() - kExtension.size());
  }
  const std::vector<ShippedMap> maps = ListShippedMaps();
  std::vector<std::string> names;
  for (const ShippedMap& m : maps) {
    // maps/bert/x.json given from outside the source tree is the shipped bert/x too.
    if (m.name == name || "maps/" + m.name == name) return m.file;
    names.push_back(m.name);
  }
  std::string message = value + ": no such file, and no shipped map of that name";
  if (const std::string nearest = NearestCandidate(name, names); !nearest.empty()) {
    message += " (did you mean " + nearest + "?)";
  }
  message += maps.empty() ? "; no shipped maps were found (share/rescope/maps is not installed)"
                          : "; `rescope maps list` shows the shipped maps";
  return Status::NotFound(message);
}

}  // namespace rescope::cli
