// SPDX-License-Identifier: Apache-2.0
// Shared pieces of the CLI: exit codes, opening a checkpoint with a printed error,
// byte formatting and the subcommand table type.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <optional>
#include <string>

#include "core/store/tensor_store.h"
#include "formats/registry.h"

namespace rescope::cli {

// Exit codes, like diff(1): 0 ok/same, 1 a check found problems, 2 usage or input error.
inline constexpr int kExitOk = 0;
inline constexpr int kExitProblems = 1;
inline constexpr int kExitError = 2;

struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

// Prints "rescope: error: <message>" to stderr.
void PrintError(const std::string& message);
void PrintError(const Status& status);
void PrintWarning(const std::string& message);

// Before a write to `output` (a file, prefix or directory): replays what a killed rescope
// run left in its directory (formats/write_journal.h), with a warning for each, so that the
// input, often in the same directory, is read in a consistent state.
void RecoverOutputDirectory(const std::string& output);

// Opens a checkpoint or prints the error; nullopt means "exit 2".
std::optional<Checkpoint> OpenOrReport(const std::string& path, const OpenOptions& options);

// "12.3 KiB" style; exact byte counts are printed next to it where it matters.
std::string HumanBytes(uint64_t bytes);
// "1,234,567"
std::string WithThousands(uint64_t n);

// Bytes a listing attributes to an entry (a partitioned variable: the sum of its slices).
uint64_t ListedBytes(const TensorStore& store, const TensorEntry& entry);
// True for entries `ls` lists (stored slices are shown through their variable).
inline bool IsListed(const TensorEntry& e) { return e.kind != EntryKind::kSlice; }
// Printable form of a key (binary slice keys escaped).
std::string DisplayName(std::string_view name);

// Adds the --step option shared by commands that open checkpoints.
void AddOpenOptions(CLI::App* app, OpenOptions& options);

// The absolute, symlink-free form of `path` (as far as it exists), to tell whether two
// paths name the same file; `path` itself when that cannot be worked out.
std::string CanonicalPath(const std::string& path);

}  // namespace rescope::cli
