// SPDX-License-Identifier: Apache-2.0
// The format table (formats/format_table.h) against what the user documentation says:
// README.md's "Formats" table and the man page's "Formats read" / "Formats written"
// sentences must name every format of the table, and writing exactly where it writes.
#include "formats/format_table.h"

#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "formats/registry.h"

using namespace rescope;

namespace {

std::string ReadSourceFile(const std::string& relative) {
  std::ifstream in(std::string(RESCOPE_SOURCE_DIR) + "/" + relative, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "cannot read " << relative);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string Trim(const std::string& s) {
  const size_t first = s.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

struct ReadmeRow {
  std::string format, read, write;
};

// The rows of the markdown table under "## Formats" (header and rule left out).
std::vector<ReadmeRow> ReadmeFormatRows() {
  const std::string text = ReadSourceFile("README.md");
  const size_t section = text.find("\n## Formats\n");
  REQUIRE_MESSAGE(section != std::string::npos, "README.md has no \"## Formats\" section");
  std::vector<ReadmeRow> rows;
  size_t at = text.find("\n|", section);
  REQUIRE(at != std::string::npos);
  for (++at; at < text.size() && text[at] == '|';) {
    const size_t end = text.find('\n', at);
    const std::string line = text.substr(at, end - at);
    at = end == std::string::npos ? text.size() : end + 1;
    std::vector<std::string> cells;
    for (size_t from = 1, bar; (bar = line.find('|', from)) != std::string::npos; from = bar + 1) {
      cells.push_back(Trim(line.substr(from, bar - from)));
    }
    REQUIRE_MESSAGE(cells.size() == 3, "README Formats row without 3 cells: " << line);
    if (cells[0] == "format" || cells[0].starts_with("---")) continue;
    rows.push_back({cells[0], cells[1], cells[2]});
  }
  return rows;
}

// The man page's source with its line breaks as spaces (roff breaks sentences anywhere).
std::string ManText() {
  std::string text = ReadSourceFile("man/rescope.1");
  for (char& c : text) {
    if (c == '\n') c = ' ';
  }
  return text;
}

}  // namespace

TEST_CASE("format table: every format has one README Formats row, write column as the table") {
  const std::vector<ReadmeRow> rows = ReadmeFormatRows();
  for (const FormatDescriptor* f : Formats()) {
    CAPTURE(f->name);
    int found = 0;
    for (const ReadmeRow& row : rows) {
      if (!row.format.starts_with(f->display_name)) continue;
      ++found;
      CHECK(row.read == "yes");
      CHECK_MESSAGE(row.write.starts_with("yes") == f->writable(), "write column: " << row.write);
    }
    CHECK_MESSAGE(found == 1,
                  "README Formats rows starting with \"" << f->display_name << "\": " << found);
  }
  // Every row is a format of the table, or a variant of one with a row of its own (TF V1,
  // written as its format's bundles).
  for (const ReadmeRow& row : rows) {
    CAPTURE(row.format);
    bool known = false;
    for (const FormatDescriptor* f : Formats()) {
      if (row.format.starts_with(f->display_name)) known = true;
      for (const FormatVariant& v : f->variants) {
        if (v.display_name != f->display_name && row.format.starts_with(v.display_name)) {
          known = true;
          CHECK_FALSE(row.write.starts_with("yes"));
        }
      }
    }
    CHECK_MESSAGE(known, "README Formats row names no format of formats/format_table.cc");
  }
}

TEST_CASE("format table: the man page reads every format and writes the writable ones") {
  const std::string man = ManText();
  const size_t read = man.find("Formats read:");
  const size_t written = man.find("Formats written:");
  REQUIRE(read != std::string::npos);
  REQUIRE(written != std::string::npos);
  REQUIRE(read < written);
  const std::string read_text = man.substr(read, written - read);
  const std::string written_text = man.substr(written, man.find(".SH", written) - written);
  for (const FormatDescriptor* f : Formats()) {
    CAPTURE(f->name);
    CHECK(read_text.find(f->display_name) != std::string::npos);
    CHECK((written_text.find(f->display_name) != std::string::npos) == f->writable());
  }
}

TEST_CASE("format table: names, variants and output names") {
  // Checkpoint.format values as the readers document them (formats/*/..._reader.h).
  const std::vector<std::pair<std::string, std::string>> family = {
      {"tf_bundle", "tf_bundle"},     {"tf_v1", "tf_bundle"},
      {"keras_h5", "keras_h5"},       {"keras3_weights_h5", "keras_h5"},
      {"keras_zip", "keras_h5"},      {"hdf5", "keras_h5"},
      {"safetensors", "safetensors"}, {"pytorch_zip", "pytorch"},
      {"pytorch_legacy", "pytorch"},  {"gguf", "gguf"}};
  for (const auto& [format, name] : family) {
    CAPTURE(format);
    REQUIRE(FormatOfCheckpoint(format) != nullptr);
    CHECK(FormatOfCheckpoint(format)->name == name);
  }
  CHECK(ReadableFormats().size() == family.size());
  CHECK(FormatOfCheckpoint("onnx") == nullptr);

  // Names are unique, and every writer is offered to users.
  for (const FormatDescriptor* f : Formats()) {
    CHECK(FindFormat(f->name) == f);
    bool listed = false;
    for (const FormatDescriptor* w : WritableFormats()) listed = listed || w == f;
    CHECK(listed == f->writable());
    CHECK((f->name_separator == '/' || f->name_separator == '.'));
  }
  CHECK(DefaultOutputFormat().name == "tf_bundle");

  const std::vector<std::pair<std::string, std::string>> named = {
      {"model.safetensors", "safetensors"},
      {"model.safetensors.index.json", "safetensors"},
      {"pytorch_model.bin.index.json", "pytorch"},
      {"w.pth", "pytorch"},
      {"w.weights.h5", "keras_h5"},
      {"m.keras", "keras_h5"},
      {"model.ckpt-1000", "tf_bundle"},
      {"P.data-00000-of-00001", "tf_bundle"}};
  for (const auto& [base, name] : named) {
    CAPTURE(base);
    REQUIRE(FormatNamedBy(base) != nullptr);
    CHECK(FormatNamedBy(base)->name == name);
  }
  CHECK(FormatNamedBy("model.onnx") == nullptr);
  CHECK(CheckpointStem("/d/model.safetensors.index.json") == "model");
  CHECK(CheckpointStem("/d/.pt") == "model");
}
