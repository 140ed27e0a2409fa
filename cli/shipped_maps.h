// SPDX-License-Identifier: Apache-2.0
// The rename maps shipped with rescope (maps/ in the source tree, share/rescope/maps once
// installed), found by name so that `--map dataparallel/strip-module` works anywhere.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/store/status.h"

namespace rescope::cli {

struct ShippedMap {
  std::string name;  // path below the maps directory without ".json": "bert/tf1-to-hf-bertmodel"
  std::filesystem::path file;
  std::string description;  // the map's "description" key ("" when it has none)
};

// Where shipped maps are looked for, in order, keeping those that exist: share/rescope/maps
// beside the running executable's bin/ (an installed or unpacked package), then the source
// tree's maps/ (a build-tree run).
std::vector<std::filesystem::path> ShippedMapDirectories();

// Every map in the first directory of ShippedMapDirectories(), sorted by name.
std::vector<ShippedMap> ListShippedMaps();

// What `--map VALUE` reads: VALUE itself when it names an existing file (files win), else
// the shipped map called VALUE (".json" optional). NotFound names the nearest shipped map.
Result<std::filesystem::path> ResolveMapFile(const std::string& value);

}  // namespace rescope::cli
