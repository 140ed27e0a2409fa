// SPDX-License-Identifier: Apache-2.0
// `rescope maps list` / `rescope maps show NAME`: the rename maps shipped with rescope.
#include <algorithm>
#include <fstream>
#include <iomanip>
#include <iostream>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/json_document.h"
#include "cli/shipped_maps.h"

namespace rescope::cli {
namespace {

struct MapsOptions {
  std::string action;
  std::string name;
  bool json = false;
};

int ListMaps(bool json) {
  const std::vector<ShippedMap> maps = ListShippedMaps();
  if (maps.empty()) {
    PrintError(
        "no shipped maps found (looked for share/rescope/maps beside the executable's "
        "bin/ directory); reinstall rescope, or give map files to --map");
    return kExitError;
  }
  if (json) {
    nlohmann::ordered_json doc = JsonDocument("maps", true);
    doc["maps"] = nlohmann::ordered_json::array();
    for (const ShippedMap& m : maps) {
      doc["maps"].push_back(
          {{"name", m.name}, {"description", m.description}, {"file", m.file.string()}});
    }
    PrintJson(doc);
    return kExitOk;
  }
  size_t width = 0;
  for (const ShippedMap& m : maps) width = std::max(width, m.name.size());
  for (const ShippedMap& m : maps) {
    std::cout << std::left << std::setw(static_cast<int>(width)) << m.name << "  "
              << (m.description.empty() ? "(no description)" : m.description) << "\n";
  }
  return kExitOk;
}

// The map file unchanged, so that `rescope maps show X > mine.json` starts a map of one's own.
int ShowMap(const std::string& name) {
  auto file = ResolveMapFile(name);
  if (!file.ok()) {
    PrintError(file.status());
    return kExitError;
  }
  std::ifstream in(*file, std::ios::binary);
  if (!in) {
    PrintError(file->string() + ": cannot open rename map");
    return kExitError;
  }
  std::cout << in.rdbuf();
  return std::cout ? kExitOk : kExitError;
}

int RunMaps(const MapsOptions& o) {
  if (o.action == "list") {
    if (!o.name.empty()) {
      PrintError("`maps list` takes no name (did you mean `rescope maps show " + o.name + "`?)");
      return kExitError;
    }
    return ListMaps(o.json);
  }
  if (o.json) {
    PrintError("`maps show` prints the map file itself, which is JSON; --json is for `maps list`");
    return kExitError;
  }
  if (o.name.empty()) {
    PrintError("`maps show` needs a map name (`rescope maps list` shows them)");
    return kExitError;
  }
  return ShowMap(o.name);
}

}  // namespace

Command AddMapsCommand(CLI::App& app) {
  auto o = std::make_shared<MapsOptions>();
  CLI::App* sub = app.add_subcommand(
      "maps", "List the rename maps shipped with rescope, or print one (use them with --map NAME)");
  sub->add_option("action", o->action, "list, or show NAME")
      ->required()
      ->check(CLI::IsMember({"list", "show"}));
  sub->add_option("map", o->name, "Shipped map to print (show)");
  sub->add_flag("--json", o->json, "maps list: print the maps as a JSON document");
  return {sub, [o] { return RunMaps(*o); }};
}

}  // namespace rescope::cli
