// SPDX-License-Identifier: Apache-2.0
// JSON map files for RenameMap: parsing both forms (flat assignment_map and rule list)
// and writing the rule-list form.
#include <algorithm>
#include <climits>
#include <cstdint>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/rename/rename_rules.h"

namespace rescope {
namespace {

using Json = nlohmann::ordered_json;

constexpr size_t kMaxNesting = 32;
constexpr size_t kMaxReportedErrors = 50;

// Thrown from the parser callback; caught in ParseDocument.
struct StructureError {
  std::string message;
};

// Compact JSON of a rule for messages, never throwing on invalid UTF-8, cut when long.
std::string QuoteRule(const Json& j) {
  std::string s = j.dump(-1, ' ', false, Json::error_handler_t::replace);
  CutQuotedRule(s);
  return s;
}

std::string JsonTypeName(const Json& j) { return j.type_name(); }

// Builds the document from nlohmann's SAX events, rejecting duplicate keys (ordered_json
// would silently keep the last value) and nesting deeper than any map needs (keeps
// recursive dump() shallow). Json::parse is not used: inserting into an ordered_json
// object searches every key already there, so a 1,000,000-entry assignment_map took
// minutes; here members are appended and a hash set per object finds duplicates.
class MapDocumentBuilder {
 public:
  bool null() { return Add(Json(nullptr)); }
  bool boolean(bool value) { return Add(Json(value)); }
  bool number_integer(Json::number_integer_t value) { return Add(Json(value)); }
  bool number_unsigned(Json::number_unsigned_t value) { return Add(Json(value)); }
  bool number_float(Json::number_float_t value, const Json::string_t&) { return Add(Json(value)); }
  bool string(Json::string_t& value) { return Add(Json(std::move(value))); }
  bool binary(Json::binary_t& value) { return Add(Json(Json::binary_t(std::move(value)))); }
  bool start_object(std::size_t) { return Open(Json::object()); }
  bool start_array(std::size_t) { return Open(Json::array()); }
  bool key(Json::string_t& key) {
    if (IsDuplicate(open_.back(), key)) {
      throw StructureError{"duplicate key " + QuoteRule(Json(key)) + " (each key may appear once)"};
    }
    open_.back().pending_key = std::move(key);
    return true;
  }
  bool end_object() { return Close(); }
  bool end_array() { return Close(); }
  // Rethrown with its own type, so callers see what Json::parse would have thrown.
  template <typename Exception>
  bool parse_error(std::size_t, const std::string&, const Exception& error) {
    throw error;
  }

  Json Take() { return std::move(root_); }

 private:
  struct Level {
    Json* container;                       // stays valid: only the innermost open container grows
    std::unordered_set<std::string> keys;  // filled only once the object is large
    std::string pending_key;
  };
  static constexpr size_t kScannedKeys = 16;

  // A rule object has a handful of keys, scanned directly; a large object (an
  // assignment_map) gets a hash set.
  static bool IsDuplicate(Level& level, const std::string& key) {
    const auto& members = level.container->get_ref<const Json::object_t&>();
    if (members.size() < kScannedKeys) {
      return std::any_of(members.begin(), members.end(),
                         [&](const auto& member) { return member.first == key; });
    }
    if (level.keys.empty()) {
      level.keys.reserve(2 * members.size());
      for (const auto& member : members) level.keys.insert(member.first);
    }
    return !level.keys.insert(key).second;
  }

  // Places a finished value in the innermost open container (or as the root).
  Json* Place(Json value) {
    if (open_.empty()) {
      root_ = std::move(value);
      return &root_;
    }
    Json& parent = *open_.back().container;
    if (parent.is_array()) {
      parent.push_back(std::move(value));
      return &parent.back();
    }
    // Appended to the ordered map's vector directly: its own insert would search all keys.
    auto& members = parent.get_ref<Json::object_t&>();
    members.Json::object_t::Container::emplace_back(std::move(open_.back().pending_key),
                                                    std::move(value));
    return &members.back().second;
  }
  bool Add(Json value) {
    Place(std::move(value));
    return true;
  }
  bool Open(Json empty) {
    if (open_.size() >= kMaxNesting) {
      throw StructureError{"nesting deeper than " + std::to_string(kMaxNesting) + " levels"};
    }
    Json* container = Place(std::move(empty));
    open_.push_back(Level{container, {}, {}});
    return true;
  }
  bool Close() {
    open_.pop_back();
    return true;
  }

  Json root_;
  std::vector<Level> open_;
};

Result<Json> ParseDocument(std::string_view text, std::string_view source) {
  const std::string prefix = std::string(source) + ": ";
  try {
    MapDocumentBuilder builder;
    Json::sax_parse(text.begin(), text.end(), &builder);
    return builder.Take();
  } catch (const Json::parse_error& e) {
    // e.what() is "[json.exception.parse_error.101] parse error at line 1, column 5: ...".
    std::string what = e.what();
    const size_t cut = what.find("] ");
    if (cut != std::string::npos) what = what.substr(cut + 2);
    return Status::InvalidArgument(prefix + what);
  } catch (const StructureError& e) {
    return Status::InvalidArgument(prefix + e.message);
  } catch (const std::exception& e) {
    return Status::InvalidArgument(prefix + "invalid JSON: " + e.what());
  }
}

Status ReadPermute(const Json& value, std::vector<int>* permute) {
  if (!value.is_array()) return Status::InvalidArgument("\"permute\" must be an array of axes");
  for (const Json& axis : value) {
    // Axes that fit an int are kept so that ValidatePermute can show the whole list.
    const bool fits = axis.is_number_integer() &&
                      (axis.is_number_unsigned()
                           ? axis.get<uint64_t>() <= INT_MAX
                           : axis.get<int64_t>() >= INT_MIN && axis.get<int64_t>() <= INT_MAX);
    if (!fits) {
      return Status::InvalidArgument("\"permute\" must be an array of axis numbers (found " +
                                     QuoteRule(axis) + ")");
    }
    permute->push_back(static_cast<int>(axis.get<int64_t>()));
  }
  return Status::Ok();
}

// Reads one entry of the "rules" array into `rule` (kind, from, to, drop, permute). A rule
// with neither "to" nor "drop" comes back as a drop with *has_target false, so that
// FinishRule still reports a bad regex before the caller reports the missing target.
Status ReadListRule(const Json& j, RenameRule* rule, bool* has_target) {
  if (!j.is_object()) return Status::InvalidArgument("expected an object");
  static const std::pair<const char*, RenameRule::Kind> kKinds[] = {
      {"scope", RenameRule::Kind::kScope},
      {"name", RenameRule::Kind::kName},
      {"regex", RenameRule::Kind::kRegex},
      {"glob", RenameRule::Kind::kGlob}};
  std::string kind_key;
  bool has_to = false;
  std::optional<bool> transpose;
  for (const auto& [key, value] : j.items()) {
    bool is_kind = false;
    for (const auto& [kind_name, kind] : kKinds) {
      if (key != kind_name) continue;
      is_kind = true;
      if (!kind_key.empty()) {
        return Status::InvalidArgument("has both \"" + kind_key + "\" and \"" + key +
                                       "\" (a rule takes exactly one)");
      }
      if (!value.is_string()) return Status::InvalidArgument("\"" + key + "\" must be a string");
      kind_key = key;
      rule->kind = kind;
      rule->from = value.get<std::string>();
    }
    if (is_kind) continue;
    if (key == "to") {
      if (!value.is_string()) return Status::InvalidArgument("\"to\" must be a string");
      rule->to = value.get<std::string>();
      has_to = true;
    } else if (key == "drop" || key == "transpose") {
      if (!value.is_boolean())
        return Status::InvalidArgument("\"" + key + "\" must be true or false");
      (key == "drop" ? rule->drop : transpose.emplace()) = value.get<bool>();
    } else if (key == "permute") {
      rule->permute.emplace();
      RESCOPE_RETURN_IF_ERROR(ReadPermute(value, &*rule->permute));
    } else if (key == "why") {
      // The evidence `check --suggest-map` wrote for a person to read; not part of the rule.
      if (!value.is_string()) return Status::InvalidArgument("\"why\" must be a string");
    } else {
      return Status::InvalidArgument(
          "unknown key \"" + key +
          "\" (expected scope, name, regex or glob; to or drop; transpose or permute; why)");
    }
  }
  if (kind_key.empty()) {
    return Status::InvalidArgument("needs one of \"scope\", \"name\", \"regex\", \"glob\"");
  }
  if (has_to && rule->drop) {
    return Status::InvalidArgument("\"to\" and \"drop\": true exclude each other");
  }
  if (transpose && rule->permute) {
    return Status::InvalidArgument("\"transpose\" and \"permute\" exclude each other");
  }
  if (transpose.value_or(false)) rule->permute = std::vector<int>{1, 0};
  *has_target = has_to || rule->drop;
  if (!*has_target) {
    rule->drop = true;
    rule->permute.reset();
  }
  return Status::Ok();
}

std::string Join(const std::vector<std::string>& errors) {
  std::string out;
  const size_t shown = std::min(errors.size(), kMaxReportedErrors);
  for (size_t i = 0; i < shown; ++i) out += (i ? "\n" : "") + errors[i];
  if (errors.size() > shown) {
    out += "\n... and " + std::to_string(errors.size() - shown) + " more errors";
  }
  return out;
}

// "unresolved #2 (for \"x\", 2 candidates)" for an unresolved entry of a draft map.
std::string UnresolvedWarning(const std::string& where, const Json& entry) {
  std::string what;
  if (entry.is_object() && entry.contains("to") && entry["to"].is_string()) {
    what = "for \"" + entry["to"].get<std::string>() + "\"";
    if (entry.contains("candidates") && entry["candidates"].is_array()) {
      const size_t n = entry["candidates"].size();
      what += ", " + std::to_string(n) + " candidate" + (n == 1 ? "" : "s");
    }
  } else {
    what = QuoteRule(entry);
  }
  return where + " (" + what + ")";
}

}  // namespace

Result<RenameMap> RenameMap::ParseJson(std::string_view text, std::string_view source_name) {
  if (std::optional<RenameMap> fast = ParseJsonFast(text, source_name)) return std::move(*fast);
  return ParseJsonStrict(text, source_name);
}

Result<RenameMap> RenameMap::ParseJsonText(std::string text, std::string_view source_name) {
  auto shared = std::make_shared<const std::string>(std::move(text));
  if (std::optional<RenameMap> fast = ParseJsonFastShared(shared, source_name)) {
    return std::move(*fast);
  }
  return ParseJsonStrict(*shared, source_name);
}

Result<RenameMap> RenameMap::ParseJsonStrict(std::string_view text, std::string_view source_name) {
  const std::string source(source_name);
  RESCOPE_ASSIGN_OR_RETURN(const Json doc, ParseDocument(text, source));
  if (!doc.is_object()) {
    return Status::InvalidArgument(source + ": expected a JSON object at top level (found " +
                                   JsonTypeName(doc) + ")");
  }
  const auto rules_it = doc.find("rules");
  const bool list_form = rules_it != doc.end() && rules_it->is_array();

  RenameMap map;
  std::vector<std::string> errors;
  // Every rule's origin is this prefix and its number, put together when a message needs it.
  const auto origin_prefix = std::make_shared<const std::string>(source + ": rule #");
  const auto add = [&](RenameRule rule, Status st, bool has_target) {
    if (st.ok()) st = FinishRule(rule);
    if (st.ok() && !has_target) st = Status::InvalidArgument("needs \"to\" or \"drop\": true");
    if (!st.ok()) {
      errors.push_back(rule.Describe() + ": " + st.message());
    } else {
      map.AddRule(std::move(rule));
    }
  };

  if (list_form) {
    for (const auto& [key, value] : doc.items()) {
      if (key == "rules") continue;
      if (key == "description") {
        // What the map is for, shown by `rescope maps list`; not part of any rule.
        if (!value.is_string()) errors.push_back(source + ": \"description\" must be a string");
      } else if (key != "unresolved") {
        errors.push_back(source + ": unknown top-level key \"" + key +
                         "\" (expected \"rules\" and optionally \"description\", "
                         "\"unresolved\")");
      } else if (!value.is_array()) {
        errors.push_back(source + ": \"unresolved\" must be an array");
      } else {
        for (size_t i = 0; i < value.size(); ++i) {
          map.unresolved_.push_back(
              UnresolvedWarning(source + ": unresolved #" + std::to_string(i + 1), value[i]));
        }
      }
    }
    size_t number = 0;
    map.rules_.reserve(rules_it->size());
    for (const Json& j : *rules_it) {
      RenameRule rule;
      rule.origin = RuleOrigin(origin_prefix, ++number);
      rule.text = RuleText(QuoteRule(j));
      bool has_target = true;
      const Status st = ReadListRule(j, &rule, &has_target);
      add(std::move(rule), st, has_target);
    }
  } else {
    size_t number = 0;
    map.rules_.reserve(doc.size());
    for (const auto& [key, value] : doc.items()) {
      RenameRule rule;
      rule.origin = RuleOrigin(origin_prefix, ++number);
      rule.text = RuleText(QuoteRule(Json::object({{key, value}})));
      rule.kind =
          !key.empty() && key.back() == '/' ? RenameRule::Kind::kScope : RenameRule::Kind::kName;
      rule.from = key;
      Status st;
      if (!value.is_string()) {
        st = Status::InvalidArgument("value must be a string (the new name)");
      } else {
        rule.to = value.get<std::string>();
      }
      add(std::move(rule), st, true);
    }
  }
  if (!errors.empty()) return Status::InvalidArgument(Join(errors));
  return map;
}

nlohmann::ordered_json RenameMap::ToJson() const {
  Json rules = Json::array();
  for (const RenameRule& rule : rules_) {
    Json j = Json::object();
    switch (rule.kind) {
      case RenameRule::Kind::kName:
        j["name"] = rule.from;
        break;
      case RenameRule::Kind::kScope:
        // Written with the trailing '/' that ParseJson strips, so "a/" survives as "a/".
        j["scope"] = rule.from + "/";
        break;
      case RenameRule::Kind::kRegex:
        j["regex"] = rule.from;
        break;
      case RenameRule::Kind::kGlob:
        j["glob"] = rule.from;
        break;
    }
    if (rule.drop) {
      j["drop"] = true;
    } else {
      j["to"] = rule.kind == RenameRule::Kind::kScope && !rule.to.empty() ? rule.to + "/" : rule.to;
    }
    if (rule.permute) j["permute"] = *rule.permute;
    rules.push_back(std::move(j));
  }
  Json out = Json::object();
  out["rules"] = std::move(rules);
  return out;
}

}  // namespace rescope
