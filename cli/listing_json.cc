// SPDX-License-Identifier: Apache-2.0
// `ls --json`, streamed: every entry is formatted into one buffer written out in large
// pieces. The layout is nlohmann's dump with indent 2, so the document reads (and diffs)
// the same as every other `--json` output.
#include "cli/listing_json.h"

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "cli/cli_common.h"
#include "cli/json_document.h"

namespace rescope::cli {
namespace {

class JsonOut {
 public:
  ~JsonOut() { Flush(); }

  void Raw(std::string_view text) {
    buffer_ += text;
    if (buffer_.size() >= kFlushBytes) Flush();
  }
  // A JSON string literal. Plain printable ASCII is copied; anything else (escapes,
  // UTF-8, invalid bytes to replace) goes through nlohmann as PrintJson would.
  void String(std::string_view text) {
    const bool plain = std::all_of(text.begin(), text.end(), [](char ch) {
      const auto c = static_cast<unsigned char>(ch);
      return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
    });
    if (plain) {
      buffer_ += '"';
      buffer_ += text;
      buffer_ += '"';
    } else {
      buffer_ += nlohmann::json(std::string(text))
                     .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
  }
  void Number(uint64_t n) { buffer_ += std::to_string(n); }
  void Number(int64_t n) { buffer_ += std::to_string(n); }
  // `"key": ` at the given indentation, preceded by the separator of the previous member.
  void Key(int indent, std::string_view key, bool first) {
    buffer_ += first ? "\n" : ",\n";
    buffer_.append(static_cast<size_t>(indent), ' ');
    String(key);
    buffer_ += ": ";
  }
  void Close(int indent, char bracket) {
    buffer_ += '\n';
    buffer_.append(static_cast<size_t>(indent), ' ');
    buffer_ += bracket;
  }
  void Flush() {
    std::cout.write(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
    buffer_.clear();
  }

 private:
  static constexpr size_t kFlushBytes = 1 << 16;
  std::string buffer_;
};

// One element of "variables", at indentation 4 (its members at 6).
void PrintEntry(JsonOut& out, const TensorStore& store, const TensorEntry& e) {
  out.Raw("{");
  out.Key(6, "name", true);
  out.String(e.name);
  out.Key(6, "dtype", false);
  out.String(DTypeName(e.dtype));
  out.Key(6, "shape", false);
  if (e.shape.empty()) {
    out.Raw("[]");
  } else {
    out.Raw("[");
    for (size_t i = 0; i < e.shape.size(); ++i) {
      out.Raw(i ? ",\n        " : "\n        ");
      out.Number(e.shape[i]);
    }
    out.Close(6, ']');
  }
  out.Key(6, "bytes", false);
  out.Number(ListedBytes(store, e));
  if (e.shard >= 0) {
    out.Key(6, "shard", false);
    out.Number(int64_t{e.shard});
  }
  if ((e.data || !e.data_error().empty()) && e.kind != EntryKind::kPartitioned) {
    out.Key(6, "offset", false);
    out.Number(e.data_offset);
  }
  if (e.stored_crc32c) {
    char buf[16];
    std::snprintf(buf, sizeof(buf), "0x%08x", *e.stored_crc32c);
    out.Key(6, "crc32c", false);
    out.String(buf);
  }
  if (e.is_metadata) {
    out.Key(6, "metadata", false);
    out.Raw("true");
  }
  if (e.kind == EntryKind::kPartitioned) {
    out.Key(6, "slices", false);
    if (e.slices().empty()) {
      out.Raw("[]");
    } else {
      out.Raw("[");
      for (size_t i = 0; i < e.slices().size(); ++i) {
        out.Raw(i ? ",\n        " : "\n        ");
        out.String(SliceToString(e.slices()[i]));
      }
      out.Close(6, ']');
    }
  }
  if (!e.data && !e.data_error().empty() && e.kind != EntryKind::kPartitioned) {
    out.Key(6, "data_missing", false);
    out.Raw("true");
  }
  if (!e.notes().empty()) {
    // A later note with the same key replaces the earlier one (as assigning into a DOM
    // object did), at the earlier one's place.
    nlohmann::ordered_json notes;
    for (const auto& [k, v] : e.notes()) notes[k] = v;
    out.Key(6, "notes", false);
    out.Raw("{");
    bool first = true;
    for (auto it = notes.begin(); it != notes.end(); ++it) {
      out.Key(8, it.key(), first);
      out.String(it.value().get_ref<const std::string&>());
      first = false;
    }
    out.Close(6, '}');
  }
  out.Close(4, '}');
}

}  // namespace

void PrintListingJson(const Checkpoint& ckpt, const std::vector<const TensorEntry*>& rows,
                      const ListingTotals& totals) {
  JsonOut out;
  out.Raw("{");
  out.Key(2, "schema_version", true);
  out.Number(int64_t{kJsonSchemaVersion});
  out.Key(2, "command", false);
  out.String("ls");
  out.Key(2, "ok", false);
  out.Raw("true");
  out.Key(2, "format", false);
  out.String(ckpt.format);
  out.Key(2, "path", false);
  out.String(ckpt.path);
  out.Key(2, "variables", false);
  if (rows.empty()) {
    out.Raw("[]");
  } else {
    out.Raw("[");
    for (size_t i = 0; i < rows.size(); ++i) {
      out.Raw(i ? ",\n    " : "\n    ");
      PrintEntry(out, ckpt.store, *rows[i]);
    }
    out.Close(2, ']');
  }
  out.Key(2, "totals", false);
  out.Raw("{");
  out.Key(4, "variables", true);
  out.Number(totals.variables);
  out.Key(4, "metadata", false);
  out.Number(totals.metadata);
  out.Key(4, "parameters", false);
  out.Number(totals.parameters);
  out.Key(4, "bytes", false);
  out.Number(totals.bytes);
  out.Close(2, '}');
  out.Close(0, '}');
  out.Raw("\n");
}

}  // namespace rescope::cli
