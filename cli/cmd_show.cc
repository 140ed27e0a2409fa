// SPDX-License-Identifier: Apache-2.0
// `rescope show CKPT NAME`: a tensor's values printed like numpy, its statistics, or JSON.
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/json_document.h"
#include "cli/stored_checksums.h"
#include "core/values/partitioned_values.h"
#include "core/values/tensor_stats.h"
#include "core/values/value_format.h"
#include "core/values/value_json.h"

namespace rescope::cli {
namespace {

struct ShowOptions {
  std::string path;
  std::string name;
  OpenOptions open;
  bool full = false;
  bool stats = false;
  bool json = false;
  bool ignore_checksums = false;
};

std::string Number(double v) {
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%.9g", v);
  return buf;
}

// NaN and infinities are left out of min/max/mean/std; say so whenever there are any,
// so a NaN-poisoned tensor never reads as healthy.
std::string SkippedNote(const TensorStats& s) {
  if (s.nan_count == 0 && s.inf_count == 0) return "";
  return "min, max, mean and std are over the " + std::to_string(s.finite_count) +
         " finite elements; " + std::to_string(s.nan_count) + " NaN and " +
         std::to_string(s.inf_count) + " infinite left out";
}

void PrintStats(const TensorStats& s) {
  std::cout << "count: " << s.count << "\n"
            << "min:   " << Number(s.min) << "\n"
            << "max:   " << Number(s.max) << "\n"
            << "mean:  " << Number(s.mean) << "\n"
            << "std:   " << Number(s.std) << "\n"
            << "nan:   " << s.nan_count << "\n"
            << "inf:   " << s.inf_count << "\n"
            << "zeros: " << s.zero_count << "\n";
  if (const std::string note = SkippedNote(s); !note.empty())
    std::cout << "note:  " << note << "\n";
}

nlohmann::json StatsJson(const TensorStats& s) {
  nlohmann::json j = {{"count", s.count},   {"finite", s.finite_count}, {"min", s.min},
                      {"max", s.max},       {"mean", s.mean},           {"std", s.std},
                      {"nan", s.nan_count}, {"inf", s.inf_count},       {"zeros", s.zero_count}};
  if (const std::string note = SkippedNote(s); !note.empty()) j["note"] = note;
  return j;
}

const TensorEntry* FindOrSuggest(const TensorStore& store, const std::string& name) {
  const TensorEntry* e = store.Find(name);
  if (e != nullptr) return e;
  std::string msg = "no tensor \"" + name + "\" in checkpoint";
  const std::vector<std::string> close = store.Suggest(name);
  if (!close.empty()) {
    msg += "; did you mean ";
    for (size_t i = 0; i < close.size(); ++i) {
      msg +=
          (i ? (i + 1 == close.size() ? " or \"" : ", \"") : "\"") + DisplayName(close[i]) + "\"";
    }
    msg += "?";
  }
  PrintError(msg);
  return nullptr;
}

int RunShow(const ShowOptions& o) {
  auto ckpt = OpenOrReport(o.path, o.open);
  if (!ckpt) return kExitError;
  const TensorEntry* e = FindOrSuggest(ckpt->store, o.name);
  if (e == nullptr) return kExitError;
  // A partitioned variable is shown whole, as TF's get_tensor returns it: its slices are
  // copied into one in-memory tensor first (core/values/partitioned_values.h).
  std::optional<TensorEntry> assembled;
  if (e->kind == EntryKind::kPartitioned) {
    // The stored checksums are the slices'; the assembled copy carries none.
    const std::string& variable = e->name;
    if (Status crc = CheckStoredChecksums(ckpt->store, o.ignore_checksums,
                                          [&](const TensorEntry& slice) {
                                            return slice.kind == EntryKind::kSlice &&
                                                   slice.partitioned_name() == variable;
                                          });
        !crc.ok()) {
      PrintError(crc);
      return kExitError;
    }
    auto whole = AssemblePartitioned(ckpt->store, *e);
    if (!whole.ok()) {
      PrintError(whole.status());
      return kExitError;
    }
    assembled = std::move(whole).value();
    e = &*assembled;
  }
  if (!e->data) {
    PrintError("\"" + e->name + "\": " + e->data_error());
    return kExitError;
  }
  if (Status crc = CheckStoredChecksum(*e, o.ignore_checksums); !crc.ok()) {
    PrintError(crc);
    return kExitError;
  }
  if (o.json) {
    nlohmann::ordered_json j = JsonDocument("show", true);
    j["name"] = e->name;
    j["dtype"] = DTypeName(e->dtype);
    j["shape"] = e->shape;
    if (o.stats) {
      auto stats = ComputeStats(*e);
      if (!stats.ok()) {
        PrintError(stats.status());
        return kExitError;
      }
      j["stats"] = StatsJson(*stats);
    } else {
      auto values = ValuesToJson(*e);
      if (!values.ok()) {
        PrintError(values.status());
        return kExitError;
      }
      j["values"] = std::move(values).value();
    }
    PrintJson(j, -1);
    return kExitOk;
  }
  std::cout << DisplayName(e->name) << "  " << DTypeName(e->dtype) << " " << ShapeToString(e->shape)
            << "\n";
  if (o.stats) {
    auto stats = ComputeStats(*e);
    if (!stats.ok()) {
      PrintError(stats.status());
      return kExitError;
    }
    PrintStats(*stats);
    return kExitOk;
  }
  FormatOptions fo;
  fo.full = o.full;
  auto text = FormatTensor(*e, fo);
  if (!text.ok()) {
    PrintError(text.status());
    return kExitError;
  }
  std::cout << *text << "\n";
  return kExitOk;
}

}  // namespace

Command AddShowCommand(CLI::App& app) {
  auto o = std::make_shared<ShowOptions>();
  CLI::App* sub =
      app.add_subcommand("show", "Print a tensor's values (numpy style), statistics or JSON");
  sub->add_option("checkpoint", o->path, "Checkpoint: prefix, file or directory")->required();
  sub->add_option("name", o->name, "Tensor name")->required();
  AddOpenOptions(sub, o->open);
  sub->add_flag("--full", o->full, "Print every element (no ... summary)");
  sub->add_flag("--stats", o->stats, "Print min, max, mean, std, NaN/Inf/zero counts");
  sub->add_flag("--json", o->json,
                "Print {name, dtype, shape, values} with values flat, row-major");
  AddIgnoreChecksumsFlag(sub, o->ignore_checksums);
  return {sub, [o] { return RunShow(*o); }};
}

}  // namespace rescope::cli
