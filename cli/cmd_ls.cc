// SPDX-License-Identifier: Apache-2.0
// `rescope ls CKPT`: the variables of a checkpoint as a table, a scope tree, or JSON.
#include <algorithm>
#include <iomanip>
#include <iostream>
#include <map>
#include <regex>

#include "cli/cli_common.h"
#include "cli/commands.h"
#include "cli/listing_json.h"
#include "core/rename/name_glob.h"

namespace rescope::cli {
namespace {

struct LsOptions {
  std::string path;
  OpenOptions open;
  std::vector<std::string> filters;
  std::string regex;
  std::string sort = "name";
  bool tree = false;
  bool json = false;
};

using Totals = ListingTotals;

void Accumulate(Totals& t, const TensorStore& store, const TensorEntry& e) {
  if (e.is_metadata) {
    ++t.metadata;
  } else {
    ++t.variables;
    t.parameters += e.NumElements().value_or(0);
  }
  t.bytes += ListedBytes(store, e);
}

std::string TotalsLine(const Totals& t) {
  std::string line = WithThousands(t.variables) + (t.variables == 1 ? " variable" : " variables");
  if (t.metadata) line += " (+" + std::to_string(t.metadata) + " metadata)";
  line += ", " + WithThousands(t.parameters) +
          (t.parameters == 1 ? " parameter, " : " parameters, ") + WithThousands(t.bytes) +
          " bytes (" + HumanBytes(t.bytes) + ")";
  return line;
}

std::string ShapeColumn(const TensorEntry& e) {
  std::string s = ShapeToString(e.shape);
  if (e.kind == EntryKind::kPartitioned) {
    s += " partitioned:";
    for (const TensorSlice& slice : e.slices()) s += " " + SliceToString(slice);
  }
  // GGUF stores dims fastest-varying first; show them beside the row-major shape, since
  // llama.cpp's tools print that order.
  for (const auto& [key, value] : e.notes()) {
    if (key == "gguf_dims") s += " (gguf " + value + ")";
  }
  return s;
}

// Appends `text` padded with spaces to `width`, on the right (left-aligned) or the left.
void AppendLeft(std::string& out, std::string_view text, size_t width) {
  out += text;
  if (text.size() < width) out.append(width - text.size(), ' ');
}
void AppendRight(std::string& out, std::string_view text, size_t width) {
  if (text.size() < width) out.append(width - text.size(), ' ');
  out += text;
}

// Rows are formatted into one buffer written in large pieces: a 100,000-row listing
// through iostream manipulators cost more than reading the index.
void PrintTable(const std::vector<const TensorEntry*>& rows, const TensorStore& store) {
  size_t name_w = 4, dtype_w = 5, shape_w = 5;
  for (const TensorEntry* e : rows) {
    name_w = std::max(name_w, DisplayName(e->name).size());
    dtype_w = std::max(dtype_w, DTypeName(e->dtype).size());
    shape_w = std::max(shape_w, ShapeColumn(*e).size());
  }
  std::string out;
  AppendLeft(out, "NAME", name_w);
  out += "  ";
  AppendLeft(out, "DTYPE", dtype_w);
  out += "  ";
  AppendLeft(out, "SHAPE", shape_w);
  out += "  ";
  AppendRight(out, "BYTES", 12);
  out += '\n';
  constexpr size_t kFlushBytes = 1 << 16;
  for (const TensorEntry* e : rows) {
    AppendLeft(out, DisplayName(e->name), name_w);
    out += "  ";
    AppendLeft(out, DTypeName(e->dtype), dtype_w);
    out += "  ";
    AppendLeft(out, ShapeColumn(*e), shape_w);
    out += "  ";
    AppendRight(out, std::to_string(ListedBytes(store, *e)), 12);
    out += '\n';
    if (out.size() >= kFlushBytes) {
      std::cout.write(out.data(), static_cast<std::streamsize>(out.size()));
      out.clear();
    }
  }
  std::cout.write(out.data(), static_cast<std::streamsize>(out.size()));
}

// Scope tree: one line per scope prefix with the totals of everything under it.
void PrintTree(const std::vector<const TensorEntry*>& rows, const TensorStore& store) {
  std::map<std::string, Totals> scopes;  // "a/b/" -> totals
  for (const TensorEntry* e : rows) {
    std::string_view name = e->name;
    size_t pos = 0;
    while ((pos = name.find('/', pos)) != std::string_view::npos) {
      Accumulate(scopes[std::string(name.substr(0, pos + 1))], store, *e);
      ++pos;
    }
    Accumulate(scopes[std::string(name)], store, *e);
  }
  std::cout << std::left << std::setw(48) << "SCOPE" << std::right << std::setw(8) << "VARS"
            << std::setw(14) << "PARAMS" << std::setw(14) << "BYTES"
            << "\n";
  for (const auto& [scope, t] : scopes) {
    const bool leaf = scope.empty() || scope.back() != '/';
    const std::string_view trimmed =
        leaf ? std::string_view(scope) : std::string_view(scope).substr(0, scope.size() - 1);
    const size_t depth = static_cast<size_t>(std::count(trimmed.begin(), trimmed.end(), '/'));
    const size_t last = trimmed.rfind('/');
    std::string label(depth * 2, ' ');
    label += DisplayName(last == std::string_view::npos ? trimmed : trimmed.substr(last + 1));
    if (!leaf) label += "/";
    std::cout << std::left << std::setw(48) << label << std::right << std::setw(8)
              << t.variables + t.metadata << std::setw(14) << t.parameters << std::setw(14)
              << t.bytes << "\n";
  }
}

int RunLs(const LsOptions& o) {
  auto ckpt = OpenOrReport(o.path, o.open);
  if (!ckpt) return kExitError;
  std::optional<std::regex> re;
  if (!o.regex.empty()) {
    try {
      re.emplace(o.regex, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      PrintError("--regex \"" + o.regex + "\": " + e.what());
      return kExitError;
    }
  }
  std::vector<const TensorEntry*> rows;
  for (const auto& item : ckpt->store) {
    const std::string& name = item.first;
    const TensorEntry& e = item.second;
    if (!IsListed(e)) continue;
    if (!o.filters.empty() &&
        std::none_of(o.filters.begin(), o.filters.end(),
                     [&](const std::string& g) { return GlobMatch(g, name); })) {
      continue;
    }
    if (re && !std::regex_search(name, *re)) continue;
    rows.push_back(&e);
  }
  if (o.sort == "size") {
    std::stable_sort(rows.begin(), rows.end(), [&](const TensorEntry* a, const TensorEntry* b) {
      return ListedBytes(ckpt->store, *a) > ListedBytes(ckpt->store, *b);
    });
  }
  Totals totals;
  for (const TensorEntry* e : rows) Accumulate(totals, ckpt->store, *e);
  if (o.json) {
    PrintListingJson(*ckpt, rows, totals);
    return kExitOk;
  }
  if (o.tree) {
    PrintTree(rows, ckpt->store);
  } else {
    PrintTable(rows, ckpt->store);
  }
  std::cout << TotalsLine(totals) << "\n";
  for (const CheckpointFile& f : ckpt->files) {
    if (!f.present) std::cout << "note: " << f.role << " missing: " << f.path << "\n";
  }
  return kExitOk;
}

}  // namespace

Command AddLsCommand(CLI::App& app) {
  auto o = std::make_shared<LsOptions>();
  CLI::App* sub =
      app.add_subcommand("ls", "List the variables of a checkpoint (reads only its index)");
  sub->add_option("checkpoint", o->path, "Checkpoint: prefix, file or directory")->required();
  AddOpenOptions(sub, o->open);
  sub->add_option("--filter", o->filters, "Only names matching this glob (repeatable)");
  sub->add_option("--regex", o->regex, "Only names containing a match of this regex");
  sub->add_option("--sort", o->sort, "Order: name (default) or size")
      ->check(CLI::IsMember({"name", "size"}));
  sub->add_flag("--tree", o->tree, "Show the scope tree with per-scope totals");
  sub->add_flag("--json", o->json, "Print JSON (the manifest schema of rescope(1))");
  return {sub, [o] { return RunLs(*o); }};
}

}  // namespace rescope::cli
