// SPDX-License-Identifier: Apache-2.0
// `rescope check CKPT --expect TARGET`: would a model expecting TARGET's variables restore
// from CKPT? TARGET is another checkpoint or a manifest (the `ls --json` schema).
// Exit 0 compatible, 1 not, 2 error. --suggest-map writes a draft rename map to review.
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/json_document.h"
#include "cli/output_settings.h"
#include "cli/rename_map_options.h"
#include "core/compare/compat.h"
#include "core/compare/compat_render.h"
#include "core/compare/suggest_map.h"
#include "core/rename/rename_plan.h"
#include "formats/atomic_output.h"
#include "formats/mapped_file.h"

namespace rescope::cli {
namespace {

struct CheckCliOptions {
  std::string ckpt;
  std::string expect;
  OpenOptions open;
  MapOptions map;
  CheckOptions check;
  std::string suggest_map;
  bool json = false;
  bool all = false;
};

bool LooksLikeJsonFile(const std::string& path) {
  if (!FileExists(path)) return false;
  std::ifstream in(path, std::ios::binary);
  char c = 0;
  while (in.get(c)) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    return c == '{';
  }
  return false;
}

// The expected variables: a manifest JSON, or every listed entry of another checkpoint.
Result<std::vector<ExpectedVar>> LoadExpected(const std::string& path) {
  if (LooksLikeJsonFile(path)) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return ParseManifest(text.str(), path);
  }
  auto target = OpenCheckpoint(path, {});
  if (!target.ok()) return target.status();
  std::vector<ExpectedVar> out;
  for (const auto& [name, e] : target->store) {
    if (e.kind == EntryKind::kSlice) continue;
    out.push_back({name, e.dtype, e.shape, std::nullopt});
  }
  return out;
}

Status WriteSuggestion(const std::string& path, const SuggestReport& suggest) {
  AtomicOutput out;
  auto file = out.Create(path);
  if (!file.ok()) return file.status();
  RESCOPE_RETURN_IF_ERROR((*file)->Append(ToJson(suggest).dump(2) + "\n"));
  return out.Commit();
}

int RunCheck(const CheckCliOptions& o) {
  auto map = BuildRenameMap(o.map);
  if (!map.ok()) {
    PrintError(map.status());
    return kExitError;
  }
  auto ckpt = OpenOrReport(o.ckpt, o.open);
  if (!ckpt) return kExitError;
  auto expected = LoadExpected(o.expect);
  if (!expected.ok()) {
    PrintError(expected.status().WithContext("--expect"));
    return kExitError;
  }
  auto store = MapStoreOrReport(std::move(ckpt->store), *map, o.map);
  if (!store) return kExitError;
  const CheckReport report = CheckCompat(*store, *expected, o.check);
  std::optional<SuggestReport> suggest;
  if (!o.suggest_map.empty()) {
    suggest = SuggestMap(report);
    Status st = WriteSuggestion(o.suggest_map, *suggest);
    if (!st.ok()) {
      PrintError(st);
      return kExitError;
    }
  }
  if (o.json) {
    nlohmann::ordered_json doc = JsonDocument("check", report.Compatible());
    AppendKeys(doc, ToJson(report));
    if (suggest) doc["suggested_map"] = ToJson(*suggest);
    PrintJson(doc);
  } else {
    CheckTextOptions t;
    t.list_all = o.all;
    t.color = Output().color_stdout;
    std::cout << FormatCheckText(report, t);
    if (suggest) {
      std::cout << "suggested map written to " << o.suggest_map << " (review it before use):\n"
                << FormatSuggestText(*suggest);
      if (!suggest->unresolved.empty()) {
        // The draft is refused by --map until a person settles these (core/compare/suggest_map.h).
        std::cout << suggest->unresolved.size()
                  << " unresolved: write rules for them (or decide they need none) and empty "
                     "\"unresolved\"; --map refuses the file until then\n";
      }
    }
  }
  return report.Compatible() ? kExitOk : kExitProblems;
}

}  // namespace

Command AddCheckCommand(CLI::App& app) {
  auto o = std::make_shared<CheckCliOptions>();
  CLI::App* sub = app.add_subcommand(
      "check", "Check that a checkpoint restores into a model expecting TARGET's variables");
  sub->add_option("checkpoint", o->ckpt, "Checkpoint to check")->required();
  sub->add_option("--expect", o->expect,
                  "What the model expects: a checkpoint, or a manifest in the `ls --json` schema")
      ->required();
  AddOpenOptions(sub, o->open);
  AddMapOptions(sub, o->map);
  sub->add_option("--allow-missing", o->check.allow_missing,
                  "Glob of expected names that may be missing");
  sub->add_option("--ignore-unused", o->check.ignore_unused,
                  "Glob of checkpoint names that may be unused");
  sub->add_flag("--model-only", o->check.model_only,
                "Set aside optimizer state, global_step, save_counter and the object graph");
  sub->add_option("--suggest-map", o->suggest_map,
                  "Write a draft rename map (JSON) proposing how missing names could be found");
  sub->add_flag("--all", o->all, "Also list restorable variables");
  sub->add_flag("--json", o->json, "Print the report as JSON");
  return {sub, [o] { return RunCheck(*o); }};
}

}  // namespace rescope::cli
