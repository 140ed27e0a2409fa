// SPDX-License-Identifier: Apache-2.0
// `rescope diff A B`: names, dtypes, shapes and (with --values) contents of two
// checkpoints of any formats. Exit 0 equal, 1 different, 2 error (like diff(1)).
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/diff_object_graph.h"
#include "cli/json_document.h"
#include "cli/output_settings.h"
#include "cli/progress_line.h"
#include "cli/rename_map_options.h"
#include "cli/stored_checksums.h"
#include "core/compare/diff.h"
#include "core/compare/diff_render.h"
#include "core/rename/rename_plan.h"
#include "formats/mapping_guard.h"

namespace rescope::cli {
namespace {

struct DiffCliOptions {
  std::string a, b;
  OpenOptions open;
  MapOptions map;
  DiffOptions diff;
  bool json = false;
  bool all = false;
  bool ignore_checksums = false;
  bool nan_equal = false;  // accepted for old scripts: NaN == NaN is the only rule now
};

int RunDiff(DiffCliOptions& o) {
  auto map = BuildRenameMap(o.map);
  if (!map.ok()) {
    PrintError(map.status());
    return kExitError;
  }
  auto a = OpenOrReport(o.a, o.open);
  if (!a) return kExitError;
  auto b = OpenOrReport(o.b, {});
  if (!b) return kExitError;
  // A's names are mapped first, with the same engine and semantics as `rename`, into a
  // copy: the object-graph comparison below needs A's store as it was read. Without a
  // map A's store is used as it is (copying 100,000 entries costs more than comparing).
  std::optional<TensorStore> mapped_a;
  if (!map->empty()) {
    mapped_a = MapStoreOrReport(a->store, *map, o.map);
    if (!mapped_a) return kExitError;
  }
  const TensorStore* store_a = mapped_a ? &*mapped_a : &a->store;
  std::optional<ProgressLine> progress;
  StreamCheckFactory check;
  if (o.diff.values) {
    const auto in_b = [&](const TensorEntry& e) { return b->store.Find(e.name) != nullptr; };
    const auto in_a = [&](const TensorEntry& e) { return store_a->Find(e.name) != nullptr; };
    // Stored CRC32Cs are recomputed on the windows the comparison reads (one pass over the
    // data); only strings and variants, whose checksum is not a CRC of the plain bytes,
    // take a pass of their own first. Only names present on both sides are read.
    const auto own_pass_b = [&](const TensorEntry& e) { return in_b(e) && NeedsChecksumPass(e); };
    const auto own_pass_a = [&](const TensorEntry& e) { return in_a(e) && NeedsChecksumPass(e); };
    progress.emplace("comparing",
                     BytesToStream(*store_a, false, in_b) + BytesToStream(b->store, false, in_a) +
                         BytesToStream(*store_a, false, own_pass_b) +
                         BytesToStream(b->store, false, own_pass_a),
                     o.json);
    Status crc = CheckStoredChecksums(*store_a, o.ignore_checksums, own_pass_b);
    if (crc.ok()) crc = CheckStoredChecksums(b->store, o.ignore_checksums, own_pass_a);
    if (!crc.ok()) {
      PrintError(crc);
      return kExitError;
    }
    check = [&](const TensorEntry& e) { return MakeStoredChecksumCheck(e, o.ignore_checksums); };
  }
  Result<DiffReport> compared = DiffStores(*store_a, b->store, o.diff, check);
  if (!compared.ok()) {
    PrintError(compared.status());
    return kExitError;
  }
  DiffReport& report = *compared;
  // TF2 object graphs: by meaning, after the map, as `rename` would have rewritten A's.
  CompareObjectGraphs(a->store, *store_a, b->store, report);
  progress.reset();  // the line is erased before the report is printed
  // Values compared in place in a mapped file that shrank meanwhile were zeros: print no
  // report made from them (formats/mapping_guard.h).
  if (Status intact = MappedFilesIntact(); !intact.ok()) {
    PrintError(intact);
    return kExitError;
  }
  if (o.json) {
    nlohmann::ordered_json doc = JsonDocument("diff", report.Verdict() == DiffVerdict::kSame);
    AppendKeys(doc, ToJson(report));
    PrintJson(doc);
  } else {
    DiffTextOptions t;
    t.list_all = o.all;
    t.color = Output().color_stdout;
    std::cout << FormatDiffText(report, t);
  }
  switch (report.Verdict()) {
    case DiffVerdict::kSame:
      return kExitOk;
    case DiffVerdict::kDifferent:
      return kExitProblems;
    case DiffVerdict::kError:
      return kExitError;
  }
  return kExitError;
}

}  // namespace

Command AddDiffCommand(CLI::App& app) {
  auto o = std::make_shared<DiffCliOptions>();
  CLI::App* sub =
      app.add_subcommand("diff", "Compare two checkpoints (names, dtypes, shapes, values)");
  sub->add_option("a", o->a, "First checkpoint (its names are mapped by --map/--rule)")->required();
  sub->add_option("b", o->b, "Second checkpoint")->required();
  AddOpenOptions(sub, o->open);
  AddMapOptions(sub, o->map);
  sub->add_flag("--values", o->diff.values, "Compare tensor contents (streamed)");
  sub->add_option("--atol", o->diff.atol, "Absolute tolerance: |a-b| <= atol + rtol*|b|");
  sub->add_option("--rtol", o->diff.rtol, "Relative tolerance");
  sub->add_flag("--nan-equal", o->nan_equal,
                "Accepted for compatibility: a NaN always equals a NaN at the same position");
  sub->add_option("--filter", o->diff.filters,
                  "Only compare names matching this glob (repeatable)");
  sub->add_flag("--all", o->all, "Also list identical entries");
  sub->add_flag("--json", o->json, "Print every entry as JSON");
  AddIgnoreChecksumsFlag(sub, o->ignore_checksums);
  return {sub, [o] { return RunDiff(*o); }};
}

}  // namespace rescope::cli
