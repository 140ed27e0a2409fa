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
const FormatDescriptor& GgufFormat();

// To add a format (GGUF, ...):
//   1. a folder formats/<format>/ with its reader (and writer) and a README.md on its bytes;
//   2. formats/<format>/<format>_format.cc defining `const FormatDescriptor& <Format>Format()`
//      (safetensors_format.cc is a short example), declared above;
//   3. one row in kTable below, and, if it writes, one in kWriters;
//   4. its row in README.md's "Formats" table and its name in the man page's "Formats read"
//      (and "Formats written") sentences: tests/unit/format_table_test.cc checks them.
// kTable's order is the order of the content sniffs: cheap and unambiguous sniffs first
// (safetensors reads 8 bytes and a '{'; the HDF5 sniff probes for a superblock at
// 512 * 2^n through the whole file, faulting in pages all over a large file).
std::span<const FormatDescriptor* const> Formats() {
  static const std::array<const FormatDescriptor*, 5> kTable = {
      &GgufFormat(),  // 4 bytes of magic
      &SafetensorsFormat(), &KerasH5Format(), &PyTorchFormat(), &TfBundleFormat(),
  };
  return kTable;
}

// A format that writes is also listed here, where users should find it among the others.
std::span<const FormatDescriptor* const> WritableFormats() {
  static const std::array<const FormatDescriptor*, 5> kWriters = {
      &TfBundleFormat(), &SafetensorsFormat(), &PyTorchFormat(), &KerasH5Format(), &GgufFormat(),
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

const FormatVariant* FindFormatVariant(std::string_view checkpoint_format) {
  for (const FormatDescriptor* f : Formats()) {
    for (const FormatVariant& v : f->variants) {
      if (v.name == checkpoint_format) return &v;
    }
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
        ".pth", ".h5", ".keras", ".ckpt", ".gguf"}) {
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
