// SPDX-License-Identifier: Apache-2.0
// The open-addressing index of exact names and scopes (core/rename/rule_key_index.h), and
// rule origins and quoted texts built on demand from the map file's text
// (core/rename/rule_origin.h).
#include "core/rename/rule_key_index.h"

#include <doctest/doctest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/rename/rename_plan.h"
#include "core/rename/rename_rules.h"
#include "core/rename/rule_origin.h"

using namespace rescope;

TEST_CASE("rule key index: first rule per key, through growth, and misses") {
  // Keys repeat every 1,000 rules: rule i has key "k<i % 1000>", so the first 1,000 rules
  // own the keys and every later one is refused.
  std::vector<std::string> keys;
  for (int i = 0; i < 5000; ++i) keys.push_back("k" + std::to_string(i % 1000));
  const RuleKeyIndex::KeyOf key_of = [&](size_t i) { return std::string_view(keys[i]); };
  RuleKeyIndex index;
  CHECK(index.Find("k1", key_of) == RuleKeyIndex::kNotFound);
  for (size_t i = 0; i < keys.size(); ++i) {
    CHECK(index.Insert(keys[i], i, key_of) == (i < 1000));
  }
  CHECK(index.size() == 1000);
  for (size_t i = 0; i < 1000; ++i) CHECK(index.Find(keys[i], key_of) == i);
  CHECK(index.Find("k1000", key_of) == RuleKeyIndex::kNotFound);
  CHECK(index.Find("", key_of) == RuleKeyIndex::kNotFound);
  CHECK(index.Find("k", key_of) == RuleKeyIndex::kNotFound);
  // The empty key is a key like any other (the empty scope, written "/").
  keys.push_back("");
  CHECK(index.Insert(keys.back(), keys.size() - 1, key_of));
  CHECK(index.Find("", key_of) == keys.size() - 1);
}

TEST_CASE("rule origin and text: built on demand, equal to the ready-made texts") {
  CHECK(RuleOrigin("--rule #1").str() == "--rule #1");
  CHECK(RuleOrigin(std::make_shared<const std::string>("m.json: rule #"), 12).str() ==
        "m.json: rule #12");
  CHECK(RuleOrigin().str().empty());
  CHECK(RuleText().str().empty());
  CHECK(RuleText("a/=b/") == "a/=b/");

  const auto document =
      std::make_shared<const std::string>("{ \"a b\" :\n\t\"c\" , {\"x\": [1, 2]} }");
  // The member "a b" :\n\t"c" (positions 2..13), quoted as a one-member object; the space
  // inside the string stays.
  CHECK(RuleText(document, 2, 12, /*braces=*/true) == R"({"a b":"c"})");
  // The object {"x": [1, 2]} (positions 17..29), quoted as it is.
  CHECK(RuleText(document, 17, 13, /*braces=*/false) == R"({"x":[1,2]})");

  // Long rules are cut to 200 characters and "...", like every quoted rule.
  const std::string long_name(300, 'n');
  const auto long_document = std::make_shared<const std::string>("{\"" + long_name + "\": \"to\"}");
  const std::string quoted = RuleText(long_document, 1, 308, /*braces=*/true).str();
  CHECK(quoted == "{\"" + long_name.substr(0, 198) + "...");
}

TEST_CASE("rule texts outlive the text a map was parsed from") {
  // The fast reader's rules quote themselves from the map's text when a message needs
  // it; a map parsed from a string that is gone must still word its rules.
  std::optional<RenameMap> map;
  {
    std::string text = R"({"model_1/a": "model_2/a",   "x/": "y/"})";
    auto parsed = RenameMap::ParseJson(text, "gone.json");
    REQUIRE(parsed.ok());
    map = std::move(parsed).value();
    text.assign(text.size(), '#');  // the caller's buffer is reused...
  }                                 // ...and freed
  REQUIRE(map->size() == 2);
  CHECK(map->rules()[0].Describe() == R"(gone.json: rule #1 ({"model_1/a":"model_2/a"}))");
  CHECK(map->rules()[1].Describe() == R"(gone.json: rule #2 ({"x/":"y/"}))");

  std::optional<RenameMap> copy;
  {
    auto owned =
        RenameMap::ParseJsonText(R"({"rules": [ {"glob": "a*", "drop": true} ]})", "owned.json");
    REQUIRE(owned.ok());
    copy = *owned;  // a copy shares the text with the map it was copied from
  }
  CHECK(copy->rules()[0].Describe() == R"(owned.json: rule #1 ({"glob":"a*","drop":true}))");
}

TEST_CASE("unmatched-rule warnings can be left unworded, the rules still listed") {
  const auto map = RenameMap::ParseJson(R"({"a": "b", "gone": "x", "c/": "d/"})", "m.json");
  REQUIRE(map.ok());
  PlanOptions options;
  options.allow_unmatched = true;
  const RenamePlan worded = PlanRename({"a", "c/w"}, *map, options);
  CHECK(worded.warnings ==
        std::vector<std::string>{R"(m.json: rule #2 ({"gone":"x"}): matched no variable)"});
  options.word_unmatched_warnings = false;
  const RenamePlan quiet = PlanRename({"a", "c/w"}, *map, options);
  CHECK(quiet.warnings.empty());
  CHECK(quiet.unmatched_rules == std::vector<size_t>{1});
  CHECK(quiet.changes.size() == worded.changes.size());
  // Errors are never left out: without allow_unmatched the rule is refused either way.
  options.allow_unmatched = false;
  CHECK(!PlanRename({"a", "c/w"}, *map, options).ok());
}
