// SPDX-License-Identifier: Apache-2.0
// `rescope recover DIR`: replays what a killed rescope write left in DIR (write_journal.h):
// an interrupted replacement is rolled back to the old checkpoint, or forward to the new
// one when its switch had finished; leftover temporaries of dead runs are removed.
#include <iostream>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/json_document.h"
#include "formats/mapped_file.h"
#include "formats/write_journal.h"

namespace rescope::cli {
namespace {

struct RecoverOptions {
  std::string dir;
  bool json = false;
};

int RunRecover(const RecoverOptions& o) {
  const std::string& dir = o.dir;
  if (!IsDirectory(dir)) {
    PrintError(dir + ": not a directory (recover takes the directory a write went to)");
    return kExitError;
  }
  RecoveryReport report;
  const Status st = RecoverInterruptedWrites(dir, &report);
  if (o.json) {
    nlohmann::ordered_json doc = JsonDocument("recover", st.ok());
    doc["directory"] = dir;
    doc["notes"] = report.notes;
    PrintJson(doc);
  } else {
    for (const std::string& note : report.notes) std::cout << note << "\n";
  }
  if (!st.ok()) {
    PrintError(st);
    return kExitError;
  }
  if (o.json) return kExitOk;
  if (report.notes.empty()) std::cout << "nothing to recover in " << dir << "\n";
  return kExitOk;
}

}  // namespace

Command AddRecoverCommand(CLI::App& app) {
  auto o = std::make_shared<RecoverOptions>();
  CLI::App* sub = app.add_subcommand(
      "recover", "Finish or roll back a rescope write that was killed, in one directory");
  sub->add_option("directory", o->dir, "Directory the interrupted write went to")->required();
  sub->add_flag("--json", o->json, "Print what was done as JSON");
  return {sub, [o] { return RunRecover(*o); }};
}

}  // namespace rescope::cli
