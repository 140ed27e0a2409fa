// SPDX-License-Identifier: Apache-2.0
// `rescope convert IN OUT [--to FORMAT]`: write a checkpoint in another format, with an
// optional rename map, reporting what could not be carried over.
#include <iostream>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/gguf_metadata_edits.h"
#include "cli/json_document.h"
#include "cli/manifest_output.h"
#include "cli/plan_json.h"
#include "cli/progress_line.h"
#include "cli/rename_map_options.h"
#include "cli/stored_checksums.h"
#include "cli/write_checkpoint.h"
#include "core/rename/rename_plan.h"
#include "core/values/dequantized_entry.h"
#include "core/values/ggml_dequant.h"
#include "formats/format_table.h"
#include "formats/unwritable_tensors.h"

namespace rescope::cli {
namespace {

struct ConvertOptions {
  std::string input, output;
  OpenOptions open;
  MapOptions map;
  WriteCheckpointOptions write;
  std::string write_manifest;  // --write-manifest: hash the output once it is complete
  unsigned jobs = 0;
  bool drop_optimizer = false;
  bool strict = false;
  bool dry_run = false;
  bool json = false;
  bool dequantize = false;  // GGML block types -> float32 (core/values/dequantized_entry.h)
};

// The --to choices: every format rescope writes.
std::vector<std::string> WritableFormatNames() {
  std::vector<std::string> names;
  for (const FormatDescriptor* f : WritableFormats()) names.emplace_back(f->name);
  return names;
}

// GGML block-quantized tensors that the output cannot hold are refused by name (exit 2),
// never left out with a note as other unwritable tensors are: a model missing its quantized
// weights is useless. --dequantize writes them as float32 instead; --drop names them away.
Result<TensorStore> QuantizedTensorsForTarget(TensorStore store, const std::string& target,
                                              bool dequantize) {
  const FormatDescriptor* format = FindFormat(target);
  if (format && format->capabilities.ggml_blocks) return store;
  std::vector<std::string> names;
  std::vector<TensorEntry> dequantized;
  for (const auto& [name, e] : store) {
    if (!IsGgmlBlockDType(e.dtype)) continue;
    if (dequantize && HasGgmlDequantizer(e.dtype)) {
      RESCOPE_ASSIGN_OR_RETURN(TensorEntry as_float, DequantizedEntry(e));
      dequantized.push_back(std::move(as_float));
      continue;
    }
    names.push_back("\"" + name + "\" (" + DTypeName(e.dtype) + ")");
  }
  if (!names.empty()) {
    const size_t count = names.size();
    const std::string tensors =
        std::to_string(count) + (count == 1 ? " tensor is" : " tensors are") +
        " GGML block-quantized, which " + target + " cannot hold:" + ListedProblems(names);
    return Status::NotSupported(
        tensors + (dequantize ? "\nrescope has no dequantizer for these types; drop them with "
                                "--drop NAME"
                              : "\ndrop them with --drop NAME, or pass --dequantize to write "
                                "them as float32"));
  }
  for (TensorEntry& e : dequantized) store.Put(std::move(e));
  return store;
}

// Removes what the target format cannot hold, saying what was left behind.
TensorStore CarryableStore(const TensorStore& in, const std::string& target,
                           std::vector<std::string>& notes) {
  const FormatDescriptor* format = FindFormat(target);
  const FormatCapabilities can = format ? format->capabilities : FormatCapabilities{};
  TensorStore out;
  for (const auto& [name, e] : in) {
    if (e.is_metadata && !can.object_graph) {
      notes.push_back("not carried: \"" + name + "\" (TF2 object graph; " + target +
                      " has no object graph)");
      continue;
    }
    if (e.kind != EntryKind::kTensor && !can.partitioned) {
      notes.push_back("not carried: \"" + DisplayName(name) +
                      "\" (partitioned variable slice layout)");
      continue;
    }
    if (format && format->writer.why_not_writable) {
      if (auto why = format->writer.why_not_writable(e)) {
        notes.push_back("not carried: \"" + DisplayName(name) + "\" (" + *why + ")");
        continue;
      }
    }
    out.Put(e);
  }
  return out;
}

int RunConvert(ConvertOptions& o) {
  // Decided before anything is read: a name that says no format (out.onnx) is refused
  // instead of silently becoming a TF prefix.
  auto target = ResolveOutputFormat(o.output, o.write.to_format, "");
  if (!target.ok()) {
    PrintError(target.status());
    return kExitError;
  }
  o.write.to_format = *target;
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
  plan_options.drop_optimizer = o.drop_optimizer;
  plan_options.strict = o.strict;
  plan_options.allow_unmatched = o.map.allow_unmatched;
  const auto plan = PlanOrReport(ckpt->store, *map, plan_options, "nothing was written");
  if (!plan) return kExitError;
  std::vector<std::string> notes;
  auto planned =
      QuantizedTensorsForTarget(ApplyPlan(ckpt->store, *plan), o.write.to_format, o.dequantize);
  if (!planned.ok()) {
    PrintError(planned.status());
    PrintError("nothing was written");
    return kExitError;
  }
  const TensorStore store = CarryableStore(*planned, o.write.to_format, notes);
  nlohmann::ordered_json doc;
  if (o.json) {
    doc = JsonDocument("convert", true);
    doc["dry_run"] = o.dry_run;
    doc["path"] = ckpt->path;
    doc["format"] = ckpt->format;
    doc["to"] = o.write.to_format;
    doc["tensors"] = store.size();
    AppendPlanJson(doc, *plan, *map);
    doc["notes"] = notes;
  }
  if (o.dry_run) {
    // Fails exactly when the real run's writer would refuse the result.
    if (Status check = CheckCheckpointWrite(*ckpt, store, o.write); !check.ok()) {
      PrintError(check);
      PrintError("the conversion cannot be written; nothing was written");
      return kExitError;
    }
    if (o.json) {
      PrintJson(doc);
      return kExitOk;
    }
    PrintPlan(*plan, *map);
    std::cout << "dry run: nothing written\n";
    return kExitOk;
  }
  std::optional<ProgressLine> progress;
  progress.emplace("converting", BytesToStream(store, !o.write.ignore_checksums), o.json);
  auto written = WriteCheckpoint(*ckpt, store, o.output, o.write);
  progress.reset();  // the line is erased before anything else is printed
  if (!written.ok()) {
    PrintError(written.status().WithContext("writing " + o.output));
    return kExitError;
  }
  if (o.json) {
    for (const std::string& n : written->notes) doc["notes"].push_back(n);
    doc["output"] = written->output;
    doc["files"] = written->files;
    PrintJson(doc);
    return kExitOk;
  }
  for (const std::string& n : notes) std::cout << "note: " << n << "\n";
  for (const std::string& n : written->notes) std::cout << "note: " << n << "\n";
  std::cout << "converted " << ckpt->format << " -> " << o.write.to_format << ": " << store.size()
            << " tensors, " << WrittenSummary(*written) << "\n";
  if (!o.write_manifest.empty()) {
    if (!WriteManifestOfOutput(written->output, o.write_manifest, o.jobs)) return kExitError;
    std::cout << "wrote manifest " << o.write_manifest << "\n";
  }
  return kExitOk;
}

}  // namespace

Command AddConvertCommand(CLI::App& app) {
  auto o = std::make_shared<ConvertOptions>();
  CLI::App* sub = app.add_subcommand("convert", "Write a checkpoint in another format");
  sub->add_option("input", o->input, "Checkpoint to read (never modified)")->required();
  sub->add_option("output", o->output, "Output path (format from --to or its extension)")
      ->required();
  sub->add_option("--to", o->write.to_format, "Output format")
      ->check(CLI::IsMember(WritableFormatNames()));
  AddOpenOptions(sub, o->open);
  AddMapOptions(sub, o->map);
  sub->add_flag("--drop-optimizer", o->drop_optimizer, "Leave optimizer state behind");
  sub->add_flag("--strict", o->strict,
                "Every variable must match a rule; unmatched rules are errors");
  sub->add_flag("--dry-run", o->dry_run, "Print the rename plan, write nothing");
  sub->add_flag("--json", o->json, "Print the plan and result as JSON");
  sub->add_option("--index-compression", o->write.index_compression,
                  "TF index blocks: keep, none, snappy")
      ->check(CLI::IsMember({"keep", "none", "snappy"}));
  sub->add_option(
      "--max-shard-size", o->write.max_shard_size,
      "safetensors/pytorch output: split into shards of at most this size (5GB, 500MiB)");
  AddIgnoreChecksumsFlag(sub, o->write.ignore_checksums);
  AddMetadataEditOptions(sub, o->write.metadata_edits);
  sub->add_flag(
      "--dequantize", o->dequantize,
      "GGUF input: write GGML block-quantized tensors as float32 (dequantized as ggml does)");
  AddWriteManifestOptions(sub, o->write_manifest, o->jobs);
  return {sub, [o] { return RunConvert(*o); }};
}

}  // namespace rescope::cli
