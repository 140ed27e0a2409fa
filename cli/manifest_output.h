// SPDX-License-Identifier: Apache-2.0
// Shared by `hash`, `verify --manifest` and `--write-manifest` (convert, rename): hashing an
// open checkpoint with the CLI's options and writing or reading manifest files.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "core/compare/manifest.h"
#include "core/store/tensor_store.h"
#include "formats/tensor_hash.h"

namespace rescope::cli {

// Adds -j/--jobs (threads for hashing; 0 = one per CPU).
void AddHashJobsOption(CLI::App* app, unsigned& jobs);

// Adds --write-manifest M and -j/--jobs to a command that writes a checkpoint.
void AddWriteManifestOptions(CLI::App* app, std::string& manifest_path, unsigned& jobs);

// A --write-manifest path must not name the input or the output (usage error otherwise).
Status CheckManifestPath(const std::string& manifest_path, const std::string& input,
                         const std::string& output);

// Prints every failure ("rescope: error: NAME: problem") and every checksum failure let
// through; nullopt when something could not be hashed.
std::optional<Manifest> HashOrReport(const Checkpoint& ckpt, const HashOptions& options);

// Writes the manifest JSON to `path` atomically (temporary, fsync, rename).
Status WriteManifestFile(const Manifest& manifest, const std::string& path);

// Reads and parses a manifest file.
Result<Manifest> ReadManifestFile(const std::string& path);

// After a convert or rename wrote `output`: reopens it, hashes what was written and writes
// the manifest to `manifest_path`. Prints errors; returns false on failure.
bool WriteManifestOfOutput(const std::string& output, const std::string& manifest_path,
                           unsigned jobs);

}  // namespace rescope::cli
