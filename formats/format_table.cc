// SPDX-License-Identifier: Apache-2.0
// The rows of the format table, and lookups over them.
#include "formats/format_table.h"

#include <array>
#include <filesystem>

namespace rescope {

// Each format folder defines its row (formats/<format>/<format>_format.cc).
const FormatDescriptor& SafetensorsFormat();
const FormatDescriptor& KerasH5Format();
const FormatDescriptor& PyTorchFormat();
const FormatDescriptor& TfBundleFormat();

// To add a format: a folder formats/<format>/ with its reader (and writer), a
// <format>_format.cc defining `const FormatDescriptor& <Format>Format()`, its declaration
// above, and one row below. The order is the order of the content sniffs: cheap and
// unambiguous sniffs first (safetensors reads 8 bytes and a '{'; the HDF5 sniff probes
// for a superblock at 512 * 2^n through the whole file). Then add the format to README's
// "Formats" table and the man page's "Formats read" (format_table_test checks them).
std::span<const FormatDescriptor* const> Formats() {
  static const std::array<const FormatDescriptor*, 4> kTable = {
      &SafetensorsFormat(),
      &KerasH5Format(),
      &PyTorchFormat(),
      &TfBundleFormat(),
  };
  return kTable;
}

// A format that writes is also listed here, where users should find it among the others.
std::span<const FormatDescriptor* const> WritableFormats() {
  static const std::array<const FormatDescriptor*, 4> kWriters = {
      &TfBundleFormat(),
      &SafetensorsFormat(),
      &PyTorchFormat(),
      &KerasH5Format(),
  };
  return kWriters;
}

const FormatDescriptor& DefaultOutputFormat() { return *WritableFormats().front(); }

const FormatDescriptor* FindFormat(std::string_view name) {
  for (const FormatDescriptor* f : Formats()) {
    if (f->name == name) return f;
  }
  return nullptr;
}

const FormatDescriptor* FormatOfCheckpoint(std::string_view checkpoint_format) {
  for (const FormatDescriptor* f : Formats()) {
    for (const FormatVariant& v : f->variants) {
      if (v.name == checkpoint_format) return f;
    }
  }
  return nullptr;
}

const FormatDescriptor* FormatNamedBy(const std::string& base_name) {
  for (const FormatDescriptor* f : Formats()) {
    for (std::string_view suffix : f->writer.output_suffixes) {
      if (base_name.ends_with(suffix)) return f;
    }
  }
  for (const FormatDescriptor* f : Formats()) {
    if (f->writer.claims_output_name && f->writer.claims_output_name(base_name)) return f;
  }
  return nullptr;
}

std::string CheckpointStem(const std::string& path) {
  std::string base = std::filesystem::path(path).filename().string();
  for (std::string_view suffix :
       {".safetensors.index.json", ".bin.index.json", ".index.json", ".safetensors", ".bin", ".pt",
        ".pth", ".h5", ".keras", ".ckpt"}) {
    if (base.ends_with(suffix)) {
      base = base.substr(0, base.size() - suffix.size());
      break;
    }
  }
  return base.empty() ? "model" : base;
}

FormatWriteResult WrittenFileSet(const std::string& path, std::vector<std::string> files) {
  FormatWriteResult result;
  result.output = path;
  result.files = std::move(files);
  for (const std::string& f : result.files) {
    if (f.ends_with(".index.json")) result.output = f;
  }
  return result;
}

}  // namespace rescope
