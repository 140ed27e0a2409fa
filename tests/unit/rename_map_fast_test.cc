// SPDX-License-Identifier: Apache-2.0
// The fast map reader (RenameMap::ParseJsonFast, core/rename/rename_rules_fast.cc) against
// the strict one (RenameMap::ParseJsonStrict, built on nlohmann's parser): on every document
// the fast reader accepts, both give the same rules, origins and quoted texts; documents it
// must not judge (escapes, non-ASCII, duplicates, errors) are declined, so ParseJson's result
// and messages are the strict reader's.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/rename/rename_rules.h"

using namespace rescope;

namespace {

// Every field a message or a plan can see, one line per rule.
std::string Render(const RenameMap& map) {
  std::string out;
  for (const RenameRule& r : map.rules()) {
    out += std::to_string(static_cast<int>(r.kind)) + "|" + r.from + "|" + r.to + "|" +
           (r.drop ? "drop" : "keep") + "|" + r.scope_mark + "|" + r.Describe() + "|";
    if (r.permute) {
      for (const int axis : *r.permute) out += std::to_string(axis) + ",";
    }
    out += "\n";
  }
  for (const std::string& w : map.warnings()) out += "warning " + w + "\n";
  for (const std::string& u : map.unresolved()) out += "unresolved " + u + "\n";
  return out;
}

// "#index:new" for each name, as the index of the map resolves it.
std::string Outcomes(const RenameMap& map, const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) {
    const auto m = map.Apply(name, name.find('/') == std::string::npos ? '.' : '/');
    out += m ? "#" + std::to_string(m->rule_index) + ":" + (m->drop ? "-" : m->new_name) : "=";
    out += " ";
  }
  return out;
}

const std::vector<std::string> kNames = {"a",   "a/w",   "b",   "enc/w",       "enc/x/y", "fc1.w",
                                         "fc1", "dec/w", "p/q", "global_step", "zz",      "x/Adam"};

void CheckSameAsStrict(const std::string& text) {
  CAPTURE(text);
  const auto fast = RenameMap::ParseJsonFast(text, "dir/map.json");
  REQUIRE(fast.has_value());
  const auto strict = RenameMap::ParseJsonStrict(text, "dir/map.json");
  REQUIRE_MESSAGE(strict.ok(), strict.status().message());
  CHECK(Render(*fast) == Render(*strict));
  CHECK(Outcomes(*fast, kNames) == Outcomes(*strict, kNames));
}

void CheckDeclined(const std::string& text) {
  CAPTURE(text);
  CHECK(!RenameMap::ParseJsonFast(text, "map.json").has_value());
  const auto strict = RenameMap::ParseJsonStrict(text, "map.json");
  const auto parsed = RenameMap::ParseJson(text, "map.json");
  REQUIRE(strict.ok() == parsed.ok());
  if (strict.ok()) {
    CHECK(Render(*parsed) == Render(*strict));
  } else {
    CHECK(parsed.status().message() == strict.status().message());
  }
}

}  // namespace

TEST_CASE("fast map reader: accepted documents read as the strict reader reads them") {
  CheckSameAsStrict("{}");
  CheckSameAsStrict(" \t\r\n{ } \n");
  CheckSameAsStrict(R"({"a": "b", "enc/": "encoder/", "fc1.": "x", "dec/w":"d" , "/": "top/"})");
  CheckSameAsStrict(R"({"rules": "not a list, so a name rule", "a": "b"})");
  CheckSameAsStrict(R"({"rules": []})");
  CheckSameAsStrict(R"({ "description" : "what it is for" , "rules" : [ ] })");
  CheckSameAsStrict(R"({"rules": [
      {"scope": "enc", "to": "first"},
      {"name": "enc/w", "to": "second", "why": "evidence: shapes [3, 4] equal"},
      {"scope": "enc/", "to": "third/"},
      {"name": "dec/w", "to": "d1", "transpose": true},
      {"name": "dec/w", "to": "d2", "transpose": false, "drop": false},
      {"to": "p2/$1", "regex": "^p/(.*)$"},
      {"regex": "zz", "drop": true},
      {"glob": "*/Adam*", "drop": true},
      {"scope": "fc1.", "to": "fc", "permute": [ 3 , 2,0, 1 ]},
      {"name": "global_step", "drop": true},
      {"scope": "", "to": ""}
    ], "description": "after the rules"})");
  // Quoted texts longer than 200 characters are cut like the strict reader cuts them.
  const std::string long_name(300, 'n');
  CheckSameAsStrict("{\"" + long_name + "\": \"" + long_name + "\"}");
  CheckSameAsStrict(R"({"rules": [{"name": ")" + long_name + R"(", "to": "b"}]})");
  // A large generated map (the shape issue 13 is about) is read by the fast reader.
  std::string big = "{\"rules\": [";
  for (int i = 0; i < 5000; ++i) {
    big += (i ? ",\n  " : "") + std::string("{\"name\": \"model/layer_") + std::to_string(i) +
           "/kernel\", \"to\": \"n/" + std::to_string(i) + "\"}";
  }
  CheckSameAsStrict(big + "]}");
}

TEST_CASE("fast map reader: declines what only the strict reader may judge") {
  // Strings the strict reader decodes or dumps differently from their source.
  CheckDeclined(R"({"a\/b": "c"})");
  CheckDeclined(R"({"a": "\u0062"})");
  CheckDeclined("{\"caf\xc3\xa9\": \"b\"}");
  CheckDeclined("{\"bad\xff\": \"b\"}");
  CheckDeclined("{\"tab\there\": \"b\"}");
  CheckDeclined("\xef\xbb\xbf{\"a\": \"b\"}");  // byte order mark
  // Duplicate keys at every level.
  CheckDeclined(R"({"a": "b", "a": "c"})");
  CheckDeclined(R"({"a/": "b", "c": "d", "a/": "e"})");
  CheckDeclined(R"({"rules": [], "rules": []})");
  CheckDeclined(R"({"description": "x", "description": "y", "rules": []})");
  CheckDeclined(R"({"rules": [{"name": "a", "to": "b", "to": "c"}]})");
  // Entries the fast reader leaves to the strict one.
  CheckDeclined(R"({"rules": [], "unresolved": [{"to": "x", "candidates": ["a", "b"]}]})");
  CheckDeclined(R"({"rules": [], "other": 1})");
  CheckDeclined(R"({"rules": [], "description": 3})");
  CheckDeclined(R"({"a": "b", "rules": []})");
  CheckDeclined(R"({"rules": 5})");
  // Rules the strict reader reports.
  CheckDeclined(R"({"": "b"})");
  CheckDeclined(R"({"a": ""})");
  CheckDeclined(R"({"a": "b/"})");
  CheckDeclined(R"({"a": 1})");
  CheckDeclined(R"({"rules": [{}]})");
  CheckDeclined(R"({"rules": [{"name": "a"}]})");
  CheckDeclined(R"({"rules": [{"name": "a", "drop": false}]})");
  CheckDeclined(R"({"rules": [{"name": "a", "scope": "b", "to": "c"}]})");
  CheckDeclined(R"({"rules": [{"name": "a", "to": "b", "drop": true}]})");
  CheckDeclined(R"({"rules": [{"name": "a", "to": "b", "transpose": true, "permute": [1, 0]}]})");
  CheckDeclined(R"({"rules": [{"name": "a", "to": "b", "permute": []}]})");
  CheckDeclined(R"({"rules": [{"name": "a", "to": "b", "permute": [0, 0]}]})");
  CheckDeclined(R"({"rules": [{"name": "a", "to": "b", "permute": [1, -0]}]})");
  CheckDeclined(R"({"rules": [{"name": "a", "to": "b", "permute": [01, 0]}]})");
  CheckDeclined(R"({"rules": [{"name": "a", "to": "b", "permute": [1.0, 0]}]})");
  CheckDeclined(R"({"rules": [{"name": "a", "to": "b", "permute": [1e0, 0]}]})");
  CheckDeclined(R"({"rules": [{"name": "a", "to": "b", "permute": [99999999999, 0]}]})");
  CheckDeclined(R"({"rules": [{"name": "a", "to": "b", "drop": null}]})");
  CheckDeclined(R"({"rules": [{"name": "a", "to": "b", "why": 1}]})");
  CheckDeclined(R"({"rules": [{"name": "a", "to": "b", "extra": 1}]})");
  CheckDeclined(R"({"rules": [{"regex": "((", "to": "b"}]})");
  CheckDeclined(R"j({"rules": [{"regex": "(a)", "to": "$2"}]})j");
  CheckDeclined(R"({"rules": [{"glob": "a*", "to": "b"}]})");
  CheckDeclined(R"({"rules": ["a"]})");
  // Not JSON, or not one object.
  CheckDeclined("");
  CheckDeclined("[]");
  CheckDeclined(R"({"a": "b",})");
  CheckDeclined(R"({"a": "b"} x)");
  CheckDeclined(R"({"a": "b"}{})");
  CheckDeclined(R"({"a": "b")");
  CheckDeclined(R"({"rules": [{"name": "a", "to": "b", "drop": falsey}]})");
  CheckDeclined(R"({"rules": [{"name": "a", "to": "b"},]})");
  CheckDeclined(std::string("{\"a\": \"b\"}\0", 11));
}

TEST_CASE("fast map reader: a repeated assignment_map key gets the strict reader's message") {
  const auto parsed = RenameMap::ParseJson(R"({"x/": "y/", "a": "b", "x/": "z/"})", "m.json");
  REQUIRE(!parsed.ok());
  CHECK(parsed.status().message() == R"(m.json: duplicate key "x/" (each key may appear once))");
}
