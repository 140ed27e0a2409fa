// SPDX-License-Identifier: Apache-2.0
// `rescope hash CKPT [-o M.json]`: a manifest of the SHA-256 of every tensor's bytes and of
// every file, for checkpoints whose format stores no checksum. Nothing is written when any
// tensor or file cannot be read or fails its stored checksum (exit 2).
#include <iostream>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/manifest_output.h"
#include "cli/stored_checksums.h"

namespace rescope::cli {
namespace {

struct HashCliOptions {
  std::string path;
  std::string output;
  OpenOptions open;
  HashOptions hash;
};

int RunHash(const HashCliOptions& o) {
  if (!o.output.empty()) RecoverOutputDirectory(o.output);
  auto ckpt = OpenOrReport(o.path, o.open);
  if (!ckpt) return kExitError;
  auto manifest = HashOrReport(*ckpt, o.hash);
  if (!manifest) {
    PrintError("no manifest written");
    return kExitError;
  }
  if (o.output.empty()) {
    std::cout << ManifestToJson(*manifest);
    return kExitOk;
  }
  if (Status st = WriteManifestFile(*manifest, o.output); !st.ok()) {
    PrintError(st);
    return kExitError;
  }
  std::cout << "hashed " << manifest->tensors.size()
            << (manifest->tensors.size() == 1 ? " tensor and " : " tensors and ")
            << manifest->files.size() << (manifest->files.size() == 1 ? " file" : " files")
            << " (sha256): wrote " << o.output << "\n";
  return kExitOk;
}

}  // namespace

Command AddHashCommand(CLI::App& app) {
  auto o = std::make_shared<HashCliOptions>();
  CLI::App* sub = app.add_subcommand(
      "hash", "Write a manifest of per-tensor and per-file SHA-256 (check with verify --manifest)");
  sub->add_option("checkpoint", o->path, "Checkpoint: prefix, file or directory")->required();
  sub->add_option("-o,--output", o->output, "Manifest file to write (default: stdout)");
  AddOpenOptions(sub, o->open);
  AddHashJobsOption(sub, o->hash.jobs);
  AddIgnoreChecksumsFlag(sub, o->hash.ignore_checksums);
  return {sub, [o] { return RunHash(*o); }};
}

}  // namespace rescope::cli
