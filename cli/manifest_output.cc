// SPDX-License-Identifier: Apache-2.0
#include "cli/manifest_output.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/cli_common.h"
#include "formats/atomic_output.h"

namespace rescope::cli {

void AddHashJobsOption(CLI::App* app, unsigned& jobs) {
  app->add_option("-j,--jobs", jobs, "Threads hashing tensors and files (default: one per CPU)")
      ->check(CLI::Range(0u, 1024u));
}

void AddWriteManifestOptions(CLI::App* app, std::string& manifest_path, unsigned& jobs) {
  app->add_option("--write-manifest", manifest_path,
                  "After the output is complete, write its SHA-256 manifest (as `rescope hash`)");
  AddHashJobsOption(app, jobs);
}

Status CheckManifestPath(const std::string& manifest_path, const std::string& input,
                         const std::string& output) {
  if (manifest_path.empty()) return Status::Ok();
  std::error_code ec;
  const auto canonical = [&](const std::string& p) {
    return std::filesystem::weakly_canonical(std::filesystem::path(p), ec);
  };
  const auto manifest = canonical(manifest_path);
  if (manifest == canonical(input) || (!output.empty() && manifest == canonical(output))) {
    return Status::InvalidArgument("--write-manifest " + manifest_path +
                                   ": names the input or the output checkpoint; give the "
                                   "manifest its own file name (e.g. M.json)");
  }
  return Status::Ok();
}

std::optional<Manifest> HashOrReport(const Checkpoint& ckpt, const HashOptions& options) {
  HashResult hashed = HashCheckpoint(ckpt, options);
  for (const HashProblem& p : hashed.ignored) {
    PrintWarning(DisplayName(p.name) + ": " + p.problem + "; hashed anyway (--ignore-checksums)");
  }
  if (!hashed.failures.empty()) {
    for (const HashProblem& p : hashed.failures) PrintError(DisplayName(p.name) + ": " + p.problem);
    return std::nullopt;
  }
  return std::move(hashed.manifest);
}

Status WriteManifestFile(const Manifest& manifest, const std::string& path) {
  AtomicOutput out;
  auto file = out.Create(path);
  if (!file.ok()) return file.status();
  RESCOPE_RETURN_IF_ERROR((*file)->Append(ManifestToJson(manifest)));
  return out.Commit();
}

Result<Manifest> ReadManifestFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(path + ": cannot open the manifest");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return Status::IOError(path + ": read failed");
  return ParseManifest(text.str(), path);
}

bool WriteManifestOfOutput(const std::string& output, const std::string& manifest_path,
                           unsigned jobs) {
  auto written = OpenCheckpoint(output, {});
  if (!written.ok()) {
    PrintError(written.status().WithContext("--write-manifest: reopening " + output));
    return false;
  }
  HashOptions options;
  options.jobs = jobs;
  auto manifest = HashOrReport(*written, options);
  if (!manifest) {
    PrintError("--write-manifest: " + output + " could not be hashed; no manifest written");
    return false;
  }
  if (Status st = WriteManifestFile(*manifest, manifest_path); !st.ok()) {
    PrintError(st.WithContext("--write-manifest"));
    return false;
  }
  return true;
}

}  // namespace rescope::cli
