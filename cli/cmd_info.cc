// SPDX-License-Identifier: Apache-2.0
// `rescope info CKPT`: format, files (present/missing), entry counts, bytes, dtypes.
#include <iomanip>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/json_document.h"

namespace rescope::cli {
namespace {

struct InfoOptions {
  std::string path;
  OpenOptions open;
  bool json = false;
};

struct DTypeRow {
  uint64_t count = 0, parameters = 0, bytes = 0;
};

int RunInfo(const InfoOptions& o) {
  auto ckpt = OpenOrReport(o.path, o.open);
  if (!ckpt) return kExitError;
  uint64_t tensors = 0, metadata = 0, partitioned = 0, slices = 0, parameters = 0, bytes = 0;
  uint64_t missing_data = 0;
  std::map<std::string, DTypeRow> dtypes;
  for (const auto& [name, e] : ckpt->store) {
    if (e.kind == EntryKind::kSlice) {
      ++slices;
      bytes += e.byte_size;
      continue;
    }
    if (e.is_metadata) {
      ++metadata;
      bytes += e.byte_size;
      continue;
    }
    ++tensors;
    if (e.kind == EntryKind::kPartitioned) ++partitioned;
    if (!e.data && e.kind == EntryKind::kTensor) ++missing_data;
    const uint64_t n = e.NumElements().value_or(0);
    parameters += n;
    if (e.kind == EntryKind::kTensor) bytes += e.byte_size;
    DTypeRow& row = dtypes[DTypeName(e.dtype)];
    ++row.count;
    row.parameters += n;
    row.bytes += ListedBytes(ckpt->store, e);
  }
  if (o.json) {
    nlohmann::ordered_json j = JsonDocument("info", true);
    j["path"] = ckpt->path;
    j["format"] = ckpt->format;
    j["format_version"] = ckpt->format_version;
    j["object_based"] = ckpt->object_based;
    j["properties"] = nlohmann::ordered_json::object();
    for (const auto& [k, v] : ckpt->properties) j["properties"][JsonKey(k)] = JsonValue(v);
    j["files"] = nlohmann::ordered_json::array();
    for (const CheckpointFile& f : ckpt->files) {
      j["files"].push_back(
          {{"path", f.path}, {"role", f.role}, {"present", f.present}, {"bytes", f.size}});
    }
    j["variables"] = tensors;
    j["metadata_entries"] = metadata;
    j["partitioned"] = partitioned;
    j["slices"] = slices;
    j["parameters"] = parameters;
    j["bytes"] = bytes;
    j["variables_without_data"] = missing_data;
    for (const auto& [name, row] : dtypes) {
      j["dtypes"][name] = {
          {"count", row.count}, {"parameters", row.parameters}, {"bytes", row.bytes}};
    }
    PrintJson(j);
    return kExitOk;
  }
  std::cout << "path:       " << ckpt->path << "\n";
  std::cout << "format:     " << ckpt->format << " (" << ckpt->format_version << ")\n";
  for (const auto& [k, v] : ckpt->properties) std::cout << k << ": " << v << "\n";
  std::cout << "files:\n";
  for (const CheckpointFile& f : ckpt->files) {
    std::cout << "  " << f.path << "  [" << f.role << "]  "
              << (f.present ? WithThousands(f.size) + " bytes" : std::string("MISSING")) << "\n";
  }
  std::cout << "variables:  " << WithThousands(tensors);
  if (metadata) std::cout << " (+" << metadata << " metadata)";
  if (partitioned) std::cout << ", " << partitioned << " partitioned in " << slices << " slices";
  std::cout << "\n";
  if (missing_data) std::cout << "without data: " << missing_data << " (missing data shard)\n";
  std::cout << "parameters: " << WithThousands(parameters) << "\n";
  std::cout << "bytes:      " << WithThousands(bytes) << " (" << HumanBytes(bytes) << ")\n";
  std::cout << "dtypes:\n";
  for (const auto& [name, row] : dtypes) {
    std::cout << "  " << std::left << std::setw(12) << name << std::right << std::setw(8)
              << row.count << " variables " << std::setw(14) << WithThousands(row.parameters)
              << " parameters " << std::setw(14) << WithThousands(row.bytes) << " bytes\n";
  }
  return kExitOk;
}

}  // namespace

Command AddInfoCommand(CLI::App& app) {
  auto o = std::make_shared<InfoOptions>();
  CLI::App* sub =
      app.add_subcommand("info", "Summarize a checkpoint: format, files, counts, dtypes");
  sub->add_option("checkpoint", o->path, "Checkpoint: prefix, file or directory")->required();
  AddOpenOptions(sub, o->open);
  sub->add_flag("--json", o->json, "Print JSON");
  return {sub, [o] { return RunInfo(*o); }};
}

}  // namespace rescope::cli
