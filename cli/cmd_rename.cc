// `rescope rename IN -o OUT`: apply an explicit rename map and write the checkpoint back
// out. The whole plan is validated first; on any error nothing is written (exit 2).
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/manifest_output.h"
#include "cli/rename_map_options.h"
#include "cli/write_checkpoint.h"
#include "core/rename_plan.h"
#include "core/tensor_transform.h"

namespace rescope::cli {
namespace {

struct RenameOptions {
  std::string input;
  std::string output;
  OpenOptions open;
  MapOptions map;
  WriteCheckpointOptions write;
  std::string write_manifest;  // --write-manifest: hash the output once it is complete
  unsigned jobs = 0;
  bool dry_run = false;
  bool strict = false;
  bool drop_optimizer = false;
  bool json = false;
};

nlohmann::ordered_json PlanJson(const RenamePlan& plan, const RenameMap& map) {
  nlohmann::ordered_json j;
  j["changes"] = nlohmann::ordered_json::array();
  size_t renamed = 0, dropped = 0;
  for (const RenameChange& c : plan.changes) {
    nlohmann::ordered_json cj{{"old", c.old_name}};
    if (c.dropped) {
      cj["dropped"] = true;
      ++dropped;
    } else {
      cj["new"] = c.new_name;
      if (!c.permute.empty()) cj["permute"] = c.permute;
      ++renamed;
    }
    if (c.is_slot) cj["slot"] = true;
    if (!c.follows.empty()) cj["follows"] = c.follows;
    j["changes"].push_back(cj);
  }
  j["renamed"] = renamed;
  j["dropped"] = dropped;
  j["unchanged"] = plan.unchanged.size();
  // Per rule that moved optimizer slots, as the text plan says it.
  j["slots_by_rule"] = nlohmann::ordered_json::array();
  const std::vector<RuleMoves> moves = CountRuleMoves(plan, map);
  for (size_t i = 0; i < moves.size(); ++i) {
    if (moves[i].slots == 0) continue;
    j["slots_by_rule"].push_back({{"rule", map.rules()[i].Describe()},
                                  {"variables", moves[i].variables},
                                  {"slots", moves[i].slots}});
  }
  j["unmatched_rules"] = nlohmann::ordered_json::array();
  for (size_t i : plan.unmatched_rules) j["unmatched_rules"].push_back(map.rules()[i].Describe());
  j["warnings"] = plan.warnings;
  j["errors"] = plan.errors;
  return j;
}

// A SavedModel's variables/ checkpoint: tf.saved_model.load binds it to saved_model.pb's
// object graph by edge names, which rescope does not rewrite.
void WarnIfSavedModelVariables(const std::string& input) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path dir = fs::absolute(fs::path(input), ec).parent_path();
  if (ec || dir.filename() != "variables") return;
  for (const char* graph : {"saved_model.pb", "saved_model.pbtxt"}) {
    if (!fs::exists(dir.parent_path() / graph, ec)) continue;
    PrintWarning(input + " holds the variables of a SavedModel; its " + graph +
                 " still names the old objects, so tf.saved_model.load will not find renamed "
                 "variables: restore them with tf.train.Checkpoint into the refactored code");
    return;
  }
}

int RunRename(const RenameOptions& o) {
  if (Status st = CheckManifestPath(o.write_manifest, o.input, o.output); !st.ok()) {
    PrintError(st);
    return kExitError;
  }
  auto map = BuildRenameMap(o.map);
  if (!map.ok()) {
    PrintError(map.status());
    return kExitError;
  }
  if (!o.dry_run) RecoverOutputDirectory(o.output);
  auto ckpt = OpenOrReport(o.input, o.open);
  if (!ckpt) return kExitError;
  PlanOptions plan_options;
  plan_options.strict = o.strict;
  plan_options.drop_optimizer = o.drop_optimizer;
  plan_options.allow_unmatched = o.map.allow_unmatched;
  const RenamePlan plan = PlanStoreRename(ckpt->store, *map, plan_options);
  for (const std::string& w : plan.warnings) PrintWarning(w);
  if (!plan.changes.empty()) WarnIfSavedModelVariables(ckpt->path);
  if (!plan.ok()) {
    for (const std::string& e : plan.errors) PrintError(e);
    PrintError("rename plan has " + std::to_string(plan.errors.size()) +
               " error(s); nothing was written");
    if (o.json) std::cout << PlanJson(plan, *map).dump(2) << "\n";
    return kExitError;
  }
  if (!o.dry_run && o.output.empty()) {
    PrintError("rename needs -o OUT (or --dry-run)");
    return kExitError;
  }
  // What the writer would refuse (a rename the TF2 object graph cannot express) is checked
  // before the plan is shown, in a dry run as in a real one.
  const TensorStore renamed = ApplyPlan(ckpt->store, plan);
  if (Status check = CheckCheckpointWrite(*ckpt, renamed, o.write); !check.ok()) {
    PrintError(check);
    PrintError("the rename cannot be written; nothing was written");
    if (o.json) {
      nlohmann::ordered_json j = PlanJson(plan, *map);
      j["errors"].push_back(check.message());
      std::cout << j.dump(2) << "\n";
    }
    return kExitError;
  }
  // Built only for --json: for 100,000 renames the JSON tree alone costs ~1 s and ~50 MB.
  nlohmann::ordered_json j;
  if (o.json) j = PlanJson(plan, *map);
  if (!o.json) PrintPlan(plan, *map);
  if (o.dry_run) {
    if (o.json)
      std::cout << j.dump(2) << "\n";
    else
      std::cout << "dry run: nothing written\n";
    return kExitOk;
  }
  auto written = WriteCheckpoint(*ckpt, renamed, o.output, o.write);
  if (!written.ok()) {
    PrintError(written.status().WithContext("writing " + o.output));
    return kExitError;
  }
  const bool manifest_ok =
      o.write_manifest.empty() || WriteManifestOfOutput(written->output, o.write_manifest, o.jobs);
  if (o.json) {
    j["output"] = written->output;
    j["files"] = written->files;
    if (!o.write_manifest.empty() && manifest_ok) j["manifest"] = o.write_manifest;
    std::cout << j.dump(2) << "\n";
  } else {
    for (const std::string& note : written->notes) std::cout << "note: " << note << "\n";
    std::cout << WrittenSummary(*written) << "\n";
    if (!o.write_manifest.empty() && manifest_ok) {
      std::cout << "wrote manifest " << o.write_manifest << "\n";
    }
  }
  return manifest_ok ? kExitOk : kExitError;
}

}  // namespace

Command AddRenameCommand(CLI::App& app) {
  auto o = std::make_shared<RenameOptions>();
  CLI::App* sub = app.add_subcommand(
      "rename", "Rename variables with an explicit map and write a new checkpoint");
  sub->add_option("input", o->input, "Checkpoint to read (never modified)")->required();
  sub->add_option("-o,--output", o->output,
                  "Output prefix or file; a directory gets a `checkpoint` state file");
  AddOpenOptions(sub, o->open);
  AddMapOptions(sub, o->map);
  sub->add_flag("--dry-run", o->dry_run, "Print the plan, write nothing");
  sub->add_flag("--strict", o->strict,
                "Every variable must match a rule; unmatched rules are errors");
  sub->add_flag("--drop-optimizer", o->drop_optimizer,
                "Drop optimizer state (slots, beta powers, optimizer objects)");
  sub->add_flag("--json", o->json, "Print the plan and result as JSON");
  AddWriteOptions(sub, o->write);
  AddWriteManifestOptions(sub, o->write_manifest, o->jobs);
  return {sub, [o] { return RunRename(*o); }};
}

}  // namespace rescope::cli
