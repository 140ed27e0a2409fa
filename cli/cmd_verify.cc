// `rescope verify CKPT`: every entry's bytes are present, inside their file, not
// overlapping another storage, and match their stored CRC32C. Exit 1 when anything fails,
// including a checkpoint whose bytes contradict its format so it cannot even be opened.
#include <algorithm>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "formats/verify.h"

namespace rescope::cli {
namespace {

struct VerifyOptions {
  std::string path;
  OpenOptions open;
  bool json = false;
  unsigned jobs = 0;  // 0: one thread per core
};

int RunVerify(const VerifyOptions& o) {
  auto ckpt = OpenCheckpoint(o.path, o.open);
  if (!ckpt.ok()) {
    PrintError(ckpt.status());
    // A truncated or damaged file is what verify exists to find: a result, not a usage error.
    if (ckpt.status().code() == StatusCode::kCorruption) {
      if (!o.json) {
        std::cout << "checkpoint corrupt: it cannot be opened\n";
      } else {
        nlohmann::ordered_json j;
        j["path"] = o.path;
        j["ok"] = false;
        j["failures"] = nlohmann::ordered_json::array(
            {{{"name", o.path}, {"problem", ckpt.status().message()}}});
        std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
      }
      return kExitProblems;
    }
    return kExitError;
  }
  const VerifyReport report = VerifyCheckpoint(*ckpt, o.jobs);
  if (o.json) {
    nlohmann::ordered_json j;
    j["path"] = ckpt->path;
    j["checked"] = report.checked;
    j["checksummed"] = report.checksummed;
    j["records_checksummed"] = report.regions_checked;
    j["records_failed"] = report.regions_failed;
    j["ok"] = report.failures.empty();
    j["failures"] = nlohmann::ordered_json::array();
    for (const VerifyFailure& f : report.failures) {
      j["failures"].push_back({{"name", f.name}, {"problem", f.problem}});
    }
    j["shared"] = nlohmann::ordered_json::array();
    for (const SharedStorage& s : report.shared) {
      j["shared"].push_back({{"storage", s.storage}, {"names", s.names}});
    }
    std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    for (const VerifyFailure& f : report.failures) {
      std::cout << "FAIL " << DisplayName(f.name) << ": " << f.problem << "\n";
    }
    for (const SharedStorage& s : report.shared) {
      std::cout << "shared storage " << s.storage << ":";
      for (const std::string& n : s.names) std::cout << " " << DisplayName(n);
      std::cout << "\n";
    }
    std::cout << "verified " << report.checked << (report.checked == 1 ? " entry (" : " entries (")
              << report.checksummed << " with stored checksums): "
              << (report.checked - std::min<uint64_t>(report.checked, report.failed_entries))
              << " ok, " << report.failed_entries << " failed\n";
    if (report.regions_checked > 0) {
      std::cout << "checked " << report.regions_checked
                << " zip records (tensor storages and metadata) against their stored CRC-32: "
                << report.regions_checked - report.regions_failed << " ok, "
                << report.regions_failed << " failed\n";
    } else if (report.checksummed == 0 && report.checked > 0 && report.failures.empty()) {
      // Say what was not proven: sizes and offsets were checked, the bytes themselves
      // cannot be (safetensors and HDF5 without Fletcher-32 store no checksum).
      std::cout << "structure valid; the " << report.checked
                << " entries carry no stored checksum: their bytes were read, but nothing "
                   "can prove them unchanged\n";
    }
  }
  return report.failures.empty() ? kExitOk : kExitProblems;
}

}  // namespace

Command AddVerifyCommand(CLI::App& app) {
  auto o = std::make_shared<VerifyOptions>();
  CLI::App* sub = app.add_subcommand(
      "verify", "Check every entry's bytes against its file and stored checksum");
  sub->add_option("checkpoint", o->path, "Checkpoint: prefix, file or directory")->required();
  AddOpenOptions(sub, o->open);
  sub->add_flag("--json", o->json, "Print JSON");
  sub->add_option("-j,--jobs", o->jobs,
                  "Threads recomputing checksums (default: one per core; output is the same)")
      ->check(CLI::Range(1u, 1024u));
  return {sub, [o] { return RunVerify(*o); }};
}

}  // namespace rescope::cli
