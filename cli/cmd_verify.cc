// SPDX-License-Identifier: Apache-2.0
// `rescope verify CKPT`: every entry's bytes are present, inside their file, not
// overlapping another storage, and match their stored CRC32C. Exit 1 when anything fails,
// including a checkpoint whose bytes contradict its format so it cannot even be opened.
#include <algorithm>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/json_document.h"
#include "cli/manifest_output.h"
#include "cli/progress_line.h"
#include "formats/format_table.h"
#include "formats/verify.h"

namespace rescope::cli {
namespace {

struct VerifyOptions {
  std::string path;
  OpenOptions open;
  bool json = false;
  std::string manifest;  // --manifest: also check every tensor's SHA-256 against it
  unsigned jobs = 0;
};

// The tensors and files of `ckpt` hashed and compared with the manifest; hashing problems
// (unreadable bytes) count as mismatches of that tensor.
struct ManifestCheck {
  ManifestComparison comparison;
  std::vector<HashProblem> unreadable;
  bool ok() const { return comparison.ok() && unreadable.empty(); }
};

ManifestCheck CheckAgainstManifest(const Checkpoint& ckpt, const Manifest& expected,
                                   unsigned jobs) {
  HashOptions options;
  options.jobs = jobs;
  options.ignore_checksums = true;  // stored-checksum failures are verify's own findings
  HashResult hashed = HashCheckpoint(ckpt, options);
  ManifestCheck check;
  check.comparison = CompareManifests(expected, hashed.manifest);
  // A tensor that could not be read is reported as such, not also as missing.
  for (const HashProblem& p : hashed.failures) {
    std::erase(check.comparison.missing, p.name);
    std::erase(check.comparison.files_not_compared, p.name);
  }
  check.unreadable = std::move(hashed.failures);
  return check;
}

void PrintManifestCheck(const ManifestCheck& m, const std::string& path) {
  const ManifestComparison& c = m.comparison;
  for (const HashProblem& p : m.unreadable) {
    std::cout << "FAIL " << DisplayName(p.name) << ": cannot be hashed: " << p.problem << "\n";
  }
  for (const ManifestDifference& d : c.mismatched) {
    std::cout << "MISMATCH " << DisplayName(d.name) << ": " << d.problem << "\n";
  }
  for (const std::string& n : c.missing) {
    std::cout << "MISSING " << DisplayName(n) << ": in the manifest, not in the checkpoint\n";
  }
  for (const std::string& n : c.extra) {
    std::cout << "EXTRA " << DisplayName(n) << ": in the checkpoint, not in the manifest\n";
  }
  for (const ManifestDifference& d : c.files_mismatched) {
    std::cout << "MISMATCH file " << d.name << ": " << d.problem << "\n";
  }
  std::cout << "manifest " << path << ": " << c.tensors_matched << " tensors match, "
            << c.mismatched.size() + m.unreadable.size() << " differ, " << c.missing.size()
            << " missing, " << c.extra.size() << " extra; " << c.files_matched << " files match, "
            << c.files_mismatched.size() << " differ";
  if (!c.files_not_compared.empty()) {
    std::cout << " (" << c.files_not_compared.size() << " not compared: no file under that path)";
  }
  std::cout << "\n";
}

nlohmann::ordered_json ManifestCheckJson(const ManifestCheck& m, const std::string& path) {
  const ManifestComparison& c = m.comparison;
  nlohmann::ordered_json j;
  j["path"] = path;
  j["ok"] = m.ok();
  j["tensors_matched"] = c.tensors_matched;
  j["mismatched"] = nlohmann::ordered_json::array();
  for (const HashProblem& p : m.unreadable) {
    j["mismatched"].push_back({{"name", p.name}, {"problem", "cannot be hashed: " + p.problem}});
  }
  for (const ManifestDifference& d : c.mismatched) {
    j["mismatched"].push_back({{"name", d.name}, {"problem", d.problem}});
  }
  j["missing"] = c.missing;
  j["extra"] = c.extra;
  j["files_matched"] = c.files_matched;
  j["files_mismatched"] = nlohmann::ordered_json::array();
  for (const ManifestDifference& d : c.files_mismatched) {
    j["files_mismatched"].push_back({{"path", d.name}, {"problem", d.problem}});
  }
  j["files_not_compared"] = c.files_not_compared;
  return j;
}

// What the format's container checksums cover: one of them, and all of them in words.
std::pair<std::string_view, std::string_view> RegionChecksumWords(const Checkpoint& ckpt) {
  const FormatVariant* variant = FindFormatVariant(ckpt.format);
  if (variant == nullptr || variant->region_checksum_unit.empty()) {
    return {"region", "regions"};
  }
  return {variant->region_checksum_unit, variant->region_checksums_text};
}

// Which stored checksums verify recomputed, for --json.
nlohmann::ordered_json ChecksumsChecked(const Checkpoint& ckpt, const VerifyReport& report) {
  auto list = nlohmann::ordered_json::array();
  if (report.checksummed > 0) {
    list.push_back({{"kind", "crc32c"}, {"over", "tensor"}, {"count", report.checksummed}});
  }
  if (report.regions_checked > 0) {
    list.push_back({{"kind", "zip_crc32"},
                    {"over", RegionChecksumWords(ckpt).first},
                    {"count", report.regions_checked}});
  }
  if (report.fletcher32_checked > 0) {
    list.push_back(
        {{"kind", "hdf5_fletcher32"}, {"over", "dataset"}, {"count", report.fletcher32_checked}});
  }
  return list;
}

int RunVerify(const VerifyOptions& o) {
  std::optional<Manifest> expected;
  if (!o.manifest.empty()) {
    auto parsed = ReadManifestFile(o.manifest);
    if (!parsed.ok()) {
      PrintError(parsed.status().WithContext("--manifest"));
      return kExitError;
    }
    expected = std::move(parsed).value();
  }
  auto ckpt = OpenCheckpoint(o.path, o.open);
  if (!ckpt.ok()) {
    PrintError(ckpt.status());
    // A truncated or damaged file is what verify exists to find: a result, not a usage error.
    if (ckpt.status().code() == StatusCode::kCorruption) {
      if (!o.json) {
        std::cout << "checkpoint corrupt: it cannot be opened\n";
      } else {
        nlohmann::ordered_json j = JsonDocument("verify", false);
        j["path"] = o.path;
        j["corrupt"] = true;
        j["entries"] = nlohmann::ordered_json::array(
            {{{"name", o.path}, {"category", "failed"}, {"detail", ckpt.status().message()}}});
        PrintJson(j);
      }
      return kExitProblems;
    }
    return kExitError;
  }
  std::optional<ProgressLine> progress;
  progress.emplace("verifying", BytesToStream(ckpt->store, false), o.json);
  const VerifyReport report = VerifyCheckpoint(*ckpt, o.jobs);
  progress.reset();  // the line is erased before the report is printed
  std::optional<ManifestCheck> manifest_check;
  if (expected) manifest_check = CheckAgainstManifest(*ckpt, *expected, o.jobs);
  const bool ok = report.failures.empty() && (!manifest_check || manifest_check->ok());
  if (o.json) {
    nlohmann::ordered_json j = JsonDocument("verify", ok);
    j["path"] = ckpt->path;
    j["corrupt"] = false;
    j["checked"] = report.checked;
    j["checksummed"] = report.checksummed;
    j["failed"] = report.failed_entries;
    j["records_checksummed"] = report.regions_checked;
    j["records_failed"] = report.regions_failed;
    j["checksums_checked"] = ChecksumsChecked(*ckpt, report);
    j["tensors_without_checksum"] = report.without_checksum;
    j["entries"] = nlohmann::ordered_json::array();
    for (const VerifyFailure& f : report.failures) {
      j["entries"].push_back({{"name", f.name}, {"category", "failed"}, {"detail", f.problem}});
    }
    j["shared"] = nlohmann::ordered_json::array();
    for (const SharedStorage& s : report.shared) {
      j["shared"].push_back({{"storage", s.storage}, {"names", s.names}});
    }
    if (manifest_check) j["manifest"] = ManifestCheckJson(*manifest_check, o.manifest);
    PrintJson(j);
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
      std::cout << "checked " << report.regions_checked << " " << RegionChecksumWords(*ckpt).second
                << " against their stored CRC-32: "
                << report.regions_checked - report.regions_failed << " ok, "
                << report.regions_failed << " failed\n";
    }
    if (report.fletcher32_checked > 0) {
      std::cout << report.fletcher32_checked
                << " HDF5 datasets carry a Fletcher-32 checksum, checked by HDF5 as they "
                   "were read\n";
    }
    if (report.without_checksum > 0) {
      // Say what was not proven: sizes and offsets were checked and the bytes read, but
      // safetensors, HDF5 without Fletcher-32 and legacy PyTorch store no checksum.
      std::cout << (report.failures.empty() ? "structure valid; " : "") << report.without_checksum
                << (report.without_checksum == 1 ? " tensor carries" : " tensors carry")
                << " no checksum"
                << (manifest_check ? " of the format's own (the manifest checks them below)\n"
                                   : " (use rescope hash / verify --manifest)\n");
    }
    if (manifest_check) PrintManifestCheck(*manifest_check, o.manifest);
  }
  return ok ? kExitOk : kExitProblems;
}

}  // namespace

Command AddVerifyCommand(CLI::App& app) {
  auto o = std::make_shared<VerifyOptions>();
  CLI::App* sub = app.add_subcommand(
      "verify", "Check every entry's bytes against its file and stored checksum");
  sub->add_option("checkpoint", o->path, "Checkpoint: prefix, file or directory")->required();
  AddOpenOptions(sub, o->open);
  sub->add_flag("--json", o->json, "Print JSON");
  sub->add_option("--manifest", o->manifest,
                  "Also check every tensor's (and file's) SHA-256 against a `rescope hash` "
                  "manifest");
  sub->add_option("-j,--jobs", o->jobs,
                  "Threads recomputing checksums and hashes (default: one per core; the output "
                  "is the same)")
      ->check(CLI::Range(0u, 1024u));
  return {sub, [o] { return RunVerify(*o); }};
}

}  // namespace rescope::cli
