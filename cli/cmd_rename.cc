// SPDX-License-Identifier: Apache-2.0
// `rescope rename IN -o OUT`: apply an explicit rename map and write the checkpoint back
// out. The whole plan is validated first; on any error nothing is written (exit 2).
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/gguf_metadata_edits.h"
#include "cli/json_document.h"
#include "cli/manifest_output.h"
#include "cli/output_settings.h"
#include "cli/plan_json.h"
#include "cli/progress_line.h"
#include "cli/rename_map_options.h"
#include "cli/write_checkpoint.h"
#include "cli/write_saved_model.h"
#include "core/rename/rename_plan.h"
#include "core/rename/rename_table.h"
#include "core/values/tensor_transform.h"
#include "formats/tf_bundle/saved_model_layout.h"

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

// BytesToStream (cli/progress_line.h) of the entries a name table keeps.
uint64_t TableBytesToStream(const RenameTable& table, bool checksum_pass) {
  uint64_t total = 0;
  for (const RenameTable::Row& row : table.rows()) {
    const TensorEntry& e = *row.entry;
    if (!e.data) continue;  // a table holds no partitioned variables
    total += e.byte_size;
    if (checksum_pass && e.stored_crc32c) total += e.byte_size;
  }
  return total;
}

// The document `rename --json` prints; ok is false when the plan or the write failed.
nlohmann::ordered_json RenameJson(const RenamePlan& plan, const RenameMap& map, bool ok,
                                  bool dry_run) {
  nlohmann::ordered_json doc = JsonDocument("rename", ok);
  doc["dry_run"] = dry_run;
  AppendPlanJson(doc, plan, map);
  return doc;
}

int RunRename(const RenameOptions& o) {
  // Checked before any work: a plan of 10,000 names is no use without somewhere to write it.
  if (!o.dry_run && o.output.empty()) {
    PrintError("rename needs -o OUT (or --dry-run)");
    return kExitError;
  }
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
  // Warnings are printed unless -q, and are part of the --json document.
  plan_options.word_unmatched_warnings = !Output().quiet || o.json;
  const RenamePlan plan = PlanStoreRename(ckpt->store, *map, plan_options);
  for (const std::string& w : plan.warnings) PrintWarning(w);
  if (!plan.ok()) {
    for (const std::string& e : plan.errors) PrintError(e);
    PrintError("rename plan has " + std::to_string(plan.errors.size()) +
               " error(s); nothing was written");
    if (o.json) PrintJson(RenameJson(plan, *map, false, o.dry_run));
    return kExitError;
  }
  // The output: a name table over the input's store when the writer takes one (a TF
  // bundle written pass-through: only its index changes), else the renamed store. A
  // SavedModel output (and a dry run without -o, which plans one) needs the store.
  const bool saved_model_output = o.output.empty() || OutputIsSavedModel(o.output);
  std::optional<RenameTable> table;
  if (!saved_model_output && WritesNameTable(*ckpt, o.write)) {
    table = RenameTable::Of(ckpt->store, plan);  // nullopt for transforms, partitioned variables
  }
  std::optional<TensorStore> renamed_store;
  if (!table) renamed_store = ApplyPlan(ckpt->store, plan);
  // What the writer would refuse (a rename the TF2 object graph cannot express) is checked
  // before the plan is shown, in a dry run as in a real one.
  const Status check = table ? CheckCheckpointWrite(*ckpt, *table, o.write)
                             : CheckCheckpointWrite(*ckpt, *renamed_store, o.write);
  if (!check.ok()) {
    PrintError(check);
    PrintError("the rename cannot be written; nothing was written");
    if (o.json) {
      nlohmann::ordered_json j = RenameJson(plan, *map, false, o.dry_run);
      j["errors"].push_back(check.message());
      PrintJson(j);
    }
    return kExitError;
  }
  // A SavedModel's variables are written as a whole SavedModel whose saved_model.pb
  // follows the rename; what it cannot follow is refused here, before anything is shown.
  std::optional<SavedModelOutput> saved_model;
  if (saved_model_output) {
    auto planned = PlanSavedModelOutput(*ckpt, *renamed_store);
    if (!planned.ok()) {
      PrintError(planned.status());
      PrintError("the rename cannot be written as a SavedModel; nothing was written");
      if (o.json) {
        nlohmann::ordered_json j = RenameJson(plan, *map, false, o.dry_run);
        j["errors"].push_back(planned.status().message());
        PrintJson(j);
      }
      return kExitError;
    }
    saved_model = std::move(planned).value();
  } else if (!plan.changes.empty() && tfbundle::SavedModelDirectoryOf(ckpt->path)) {
    PrintWarning(ckpt->path + " holds the variables of a SavedModel, and " + o.output +
                 " is a checkpoint prefix: only the variables are written (restore them with "
                 "tf.train.Checkpoint into the refactored code); give a directory (OUT/) to "
                 "write a SavedModel whose saved_model.pb follows the rename");
  }
  // Built only for --json: for 100,000 renames the JSON tree alone costs ~1 s and ~50 MB.
  nlohmann::ordered_json j;
  if (o.json) j = RenameJson(plan, *map, true, o.dry_run);
  // The per-name plan is what a dry run is for; a real run says it only when asked (-v):
  // 10,000 renamed names are 10,000 lines nobody reads.
  if (!o.json && !Output().quiet) {
    if (o.dry_run || Output().verbosity > 0) {
      PrintPlan(plan, *map);
    } else {
      PrintPlanSummary(plan, *map);
    }
  }
  if (o.dry_run) {
    if (o.json)
      PrintJson(j);
    else
      std::cout << "dry run: nothing written\n";
    return kExitOk;
  }
  std::optional<ProgressLine> progress;
  const uint64_t to_stream = table ? TableBytesToStream(*table, !o.write.ignore_checksums)
                                   : BytesToStream(*renamed_store, !o.write.ignore_checksums);
  progress.emplace("writing", to_stream, o.json);
  auto written = table ? WriteCheckpoint(*ckpt, *table, o.output, o.write)
                 : saved_model
                     ? WriteSavedModel(*ckpt, *renamed_store, *saved_model, o.output, o.write)
                     : WriteCheckpoint(*ckpt, *renamed_store, o.output, o.write);
  progress.reset();  // the line is erased before anything else is printed
  if (!written.ok()) {
    PrintError(written.status().WithContext("writing " + o.output));
    return kExitError;
  }
  const bool manifest_ok =
      o.write_manifest.empty() || WriteManifestOfOutput(written->output, o.write_manifest, o.jobs);
  if (o.json) {
    j["output"] = written->output;
    j["files"] = written->files;
    j["notes"] = written->notes;
    if (!o.write_manifest.empty() && manifest_ok) j["manifest"] = o.write_manifest;
    PrintJson(j);
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
  sub->add_flag("--dry-run", o->dry_run, "Print the plan (every name), write nothing");
  sub->add_flag("--strict", o->strict,
                "Every variable must match a rule; unmatched rules are errors");
  sub->add_flag("--drop-optimizer", o->drop_optimizer,
                "Drop optimizer state (slots, beta powers, optimizer objects)");
  sub->add_flag("--json", o->json, "Print the plan and result as JSON");
  AddWriteOptions(sub, o->write);
  AddMetadataEditOptions(sub, o->write.metadata_edits);
  AddWriteManifestOptions(sub, o->write_manifest, o->jobs);
  return {sub, [o] { return RunRename(*o); }};
}

}  // namespace rescope::cli
