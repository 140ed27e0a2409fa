// SPDX-License-Identifier: Apache-2.0
// Tests that the rule indexes of RenameMap (hash lookups for names and scopes, pattern rules
// grouped by literal prefix) and the streaming JSON map parser keep the first-match-wins
// semantics of core/rename/rename_rules.h. Expected outcomes follow from the rule text by hand.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/rename/rename_plan.h"
#include "core/rename/rename_rules.h"

using namespace rescope;

namespace {

RenameMap JsonMap(const std::string& text) {
  auto map = RenameMap::ParseJson(text, "map.json");
  REQUIRE_MESSAGE(map.ok(), map.status().message());
  return std::move(map).value();
}

// "new" for a rename, "-" for a drop, "=" when no rule matched, "#N:" prefix = rule index.
std::string Outcome(const RenameMap& map, const std::string& name) {
  const auto m = map.Apply(name);
  if (!m) return "=";
  return "#" + std::to_string(m->rule_index) + ":" + (m->drop ? "-" : m->new_name);
}

}  // namespace

TEST_CASE("rename index: regex literal prefixes never hide a match") {
  const RenameMap map = JsonMap(R"json({"rules": [
      {"regex": "^ab?c/(.*)", "to": "opt/$1"},
      {"regex": "lit\\.x/(.*)", "to": "esc/$1"},
      {"regex": "xy|model/al/(.*)", "to": "alt/$1"},
      {"regex": "model/a{0}b/(.*)", "to": "brace/$1"},
      {"regex": "model/(.*)", "to": "any/$1"},
      {"regex": "m*odel2/(.*)", "to": "star/$1"}]
})json");
  CHECK(Outcome(map, "ac/w") == "#0:opt/w");  // 'b' is optional
  CHECK(Outcome(map, "abc/w") == "#0:opt/w");
  CHECK(Outcome(map, "lit.x/w") == "#1:esc/w");     // the prefix stops at the escape
  CHECK(Outcome(map, "model/al/w") == "#2:alt/w");  // an alternation has no prefix
  CHECK(Outcome(map, "xy") == "#2:alt/");
  CHECK(Outcome(map, "model/b/w") == "#3:brace/w");  // 'a{0}' is left out of the prefix
  CHECK(Outcome(map, "model/w") == "#4:any/w");
  CHECK(Outcome(map, "odel2/w") == "#5:star/w");  // 'm*' may be empty
  CHECK(Outcome(map, "other") == "=");
}

TEST_CASE("rename index: pattern rules from different prefix groups keep rule order") {
  const RenameMap map = JsonMap(R"json({"rules": [
      {"glob": "a/b/*", "drop": true},
      {"regex": "a/(.*)", "to": "x/$1"},
      {"glob": "*", "drop": true},
      {"name": "a/b/c", "to": "named"},
      {"glob": "[a]/*", "drop": true}]
})json");
  CHECK(Outcome(map, "a/b/c") == "#0:-");  // glob group "a/b/" before regex group "a/"
  CHECK(Outcome(map, "a/q") == "#1:x/q");  // regex "a/" before the prefix-less glob
  CHECK(Outcome(map, "zz") == "#2:-");     // only the prefix-less glob applies
}

TEST_CASE("rename index: exact names and scopes keep the first rule for a key") {
  const RenameMap map = JsonMap(R"json({"rules": [
      {"scope": "enc", "to": "first"},
      {"name": "enc/w", "to": "second"},
      {"scope": "enc", "to": "third"},
      {"name": "dec/w", "to": "d1"},
      {"name": "dec/w", "to": "d2"}]})json");
  CHECK(Outcome(map, "enc/w") == "#0:first/w");
  CHECK(Outcome(map, "dec/w") == "#3:d1");
}

TEST_CASE("rename index: a large assignment_map keeps file order and finds duplicates") {
  // Keys are written in descending order: file order, not sorted order, decides rule #.
  std::string text = "{";
  constexpr int kEntries = 20000;
  for (int i = kEntries - 1; i >= 0; --i) {
    text += "\"v" + std::to_string(i) + "\": \"w" + std::to_string(i) + "\"";
    text += i ? "," : "}";
  }
  const RenameMap map = JsonMap(text);
  REQUIRE(map.size() == kEntries);
  CHECK(map.rules()[0].from == "v" + std::to_string(kEntries - 1));
  CHECK(map.rules()[0].origin == "map.json: rule #1");
  CHECK(Outcome(map, "v7") == "#" + std::to_string(kEntries - 1 - 7) + ":w7");

  text.back() = ',';
  text += "\"v5\": \"again\"}";
  auto duplicate = RenameMap::ParseJson(text, "map.json");
  REQUIRE(!duplicate.ok());
  CHECK(duplicate.status().message() ==
        R"(map.json: duplicate key "v5" (each key may appear once))");
}

TEST_CASE("rename index: only the first unmatched rules get a did-you-mean hint") {
  RenameMap map;
  for (int i = 0; i < 25; ++i) {
    REQUIRE(map.AddInlineRule("model_" + std::to_string(i) + "/=x/").ok());
  }
  const RenamePlan plan = PlanRename({"model_1/w"}, map, {});
  REQUIRE(plan.errors.size() == 24);  // model_1/ matched
  size_t hinted = 0;
  for (const std::string& e : plan.errors) {
    CHECK(e.find(": matched no variable") != std::string::npos);
    if (e.find("did you mean model_1/?") != std::string::npos) ++hinted;
  }
  CHECK(hinted == 20);
}
