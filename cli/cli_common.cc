// SPDX-License-Identifier: Apache-2.0
// Shared CLI helpers.
#include "cli/cli_common.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include "cli/output_settings.h"
#include "formats/format_table.h"
#include "formats/mapped_file.h"
#include "formats/write_journal.h"

namespace rescope::cli {

void PrintError(const std::string& message) { std::cerr << "rescope: error: " << message << "\n"; }
void PrintError(const Status& status) { PrintError(status.message()); }
void PrintWarning(const std::string& message) {
  if (Output().quiet) return;
  std::cerr << "rescope: warning: " << message << "\n";
}

namespace {

// Formats whose files nest dictionaries, of which --select KEY opens one.
bool IsSelectable(const std::string& checkpoint_format) {
  const FormatDescriptor* format = FormatOfCheckpoint(checkpoint_format);
  return format != nullptr && format->capabilities.selectable;
}

bool IsSelection(const Checkpoint& ckpt) {
  for (const auto& property : ckpt.properties) {
    if (property.first == "selected") return true;
  }
  return false;
}

// One line for the plain values a PyTorch file holds beside its tensors (a training
// checkpoint's epoch and loss): they are data, not tensors, so they are not listed.
void NoteSkippedValues(const Checkpoint& ckpt) {
  constexpr size_t kShown = 3;
  std::string shown;
  size_t count = 0;
  for (const auto& [what, text] : ckpt.properties) {
    if (what != "skipped") continue;
    if (++count <= kShown) shown += (shown.empty() ? "" : ", ") + text;
  }
  if (count == 0) return;
  if (count > kShown) shown += ", ...";
  PrintWarning(ckpt.path + ": " + std::to_string(count) + " non-tensor value" +
               (count == 1 ? "" : "s") + " not listed (" + shown + ")" +
               (IsSelectable(ckpt.format) && !IsSelection(ckpt)
                    ? "; --select KEY opens one dictionary"
                    : ""));
}

}  // namespace

void RecoverOutputDirectory(const std::string& output) {
  if (output.empty()) return;
  namespace fs = std::filesystem;
  const std::string dir = IsDirectory(output) ? output
                          : fs::path(output).has_parent_path()
                              ? fs::path(output).parent_path().string()
                              : ".";
  RecoveryReport report;
  const Status st = RecoverInterruptedWrites(dir, &report);
  for (const std::string& note : report.notes) PrintWarning(note);
  if (!st.ok()) PrintWarning(st.message());
}

std::optional<Checkpoint> OpenOrReport(const std::string& path, const OpenOptions& options) {
  auto ckpt = OpenCheckpoint(path, options);
  if (!ckpt.ok()) {
    PrintError(ckpt.status());
    return std::nullopt;
  }
  NoteSkippedValues(*ckpt);
  return std::move(ckpt).value();
}

std::string HumanBytes(uint64_t bytes) {
  static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
  if (bytes < 1024) return std::to_string(bytes) + " B";
  double v = static_cast<double>(bytes);
  size_t unit = 0;
  while (v >= 1024 && unit + 1 < std::size(kUnits)) {
    v /= 1024;
    ++unit;
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f %s", v, kUnits[unit]);
  return buf;
}

std::string WithThousands(uint64_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i != 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

uint64_t ListedBytes(const TensorStore& store, const TensorEntry& entry) {
  if (entry.kind != EntryKind::kPartitioned) return entry.byte_size;
  uint64_t total = 0;
  for (const auto& [name, e] : store) {
    if (e.kind == EntryKind::kSlice && e.partitioned_name() == entry.name) total += e.byte_size;
  }
  return total;
}

std::string DisplayName(std::string_view name) {
  // Almost every name needs no escape: copied whole (listing 100,000 names char by char
  // was a fifth of `ls`).
  const auto needs_escape = [](unsigned char c) { return c == '\\' || c < 0x20 || c == 0x7f; };
  if (std::none_of(name.begin(), name.end(), needs_escape)) return std::string(name);
  std::string out;
  for (unsigned char c : name) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c >= 0x20 && c < 0x7f) {
      out.push_back(static_cast<char>(c));
    } else if (c >= 0x80) {
      out.push_back(static_cast<char>(c));  // UTF-8 passes through
    } else {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x", c);
      out += buf;
    }
  }
  return out;
}

void AddOpenOptions(CLI::App* app, OpenOptions& options) {
  app->add_option("--step", options.step,
                  "With a directory holding a `checkpoint` file: open the checkpoint of this step");
  app->add_flag("--lenient", options.lenient,
                "PyTorch: list and skip objects of globals that are not allowed (numpy "
                "arrays, classes) and read pickle protocol 4, instead of failing");
  app->add_option("--select", options.select,
                  "PyTorch: open this dictionary of the file as the checkpoint "
                  "(model_state_dict of a training checkpoint)");
}

std::string CanonicalPath(const std::string& path) {
  std::error_code ec;
  const std::filesystem::path c =
      std::filesystem::weakly_canonical(std::filesystem::absolute(path), ec);
  return ec ? path : c.string();
}

}  // namespace rescope::cli
