// SPDX-License-Identifier: Apache-2.0
// Tests of the rename-map language (core/rename/rename_rules.h), the planner
// (core/rename/rename_plan.h) and the optimizer-state recogniser (core/rename/optimizer_state.h).
#include "core/rename/rename_rules.h"

#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "core/rename/optimizer_state.h"
#include "core/rename/rename_plan.h"
#include "core/store/byte_source.h"

using namespace rescope;

namespace {

using Names = std::vector<std::string>;

RenameMap InlineMap(const Names& rules) {
  RenameMap map;
  for (const std::string& r : rules) REQUIRE(map.AddInlineRule(r).ok());
  return map;
}

RenameMap JsonMap(const std::string& text) {
  auto map = RenameMap::ParseJson(text, "map.json");
  REQUIRE_MESSAGE(map.ok(), map.status().message());
  return std::move(map).value();
}

std::string JsonError(const std::string& text) {
  auto map = RenameMap::ParseJson(text, "map.json");
  REQUIRE(!map.ok());
  CHECK(map.status().code() == StatusCode::kInvalidArgument);
  return map.status().message();
}

// "new" for a rename, "-" for a drop, "=" when no rule matched.
std::string Outcome(const RenameMap& map, const std::string& name) {
  const auto m = map.Apply(name);
  if (!m) return "=";
  return m->drop ? "-" : m->new_name;
}

}  // namespace

TEST_CASE("rename rules: exact names match only themselves") {
  const RenameMap map = InlineMap({"global_step=step"});
  REQUIRE(map.rules().size() == 1);
  CHECK(map.rules()[0].kind == RenameRule::Kind::kName);
  CHECK(map.rules()[0].origin == "--rule #1");
  CHECK(Outcome(map, "global_step") == "step");
  CHECK(Outcome(map, "global_step/x") == "=");
  CHECK(Outcome(map, "a/global_step") == "=");
  CHECK(Outcome(map, "global_ste") == "=");
}

TEST_CASE("rename rules: scopes match whole path segments and keep the rest") {
  const RenameMap map = InlineMap({"layer_a/=enc/layer_a/"});
  CHECK(map.rules()[0].kind == RenameRule::Kind::kScope);
  CHECK(map.rules()[0].from == "layer_a");
  CHECK(map.rules()[0].to == "enc/layer_a");
  CHECK(Outcome(map, "layer_a/w") == "enc/layer_a/w");
  CHECK(Outcome(map, "layer_a") == "enc/layer_a");
  CHECK(Outcome(map, "layer_a/w/Adam_1") == "enc/layer_a/w/Adam_1");
  CHECK(Outcome(map, "layer_ab/w") == "=");
  CHECK(Outcome(map, "layer_ab") == "=");
  CHECK(Outcome(map, "layer_a0") == "=");
  CHECK(Outcome(map, "x/layer_a/w") == "=");
  // TF2 object-based keys are ordinary names.
  const RenameMap tf2 = InlineMap({"layer_with_weights-0/=encoder/dense/"});
  CHECK(Outcome(tf2,
                "layer_with_weights-0/kernel/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/"
                "VARIABLE_VALUE") ==
        "encoder/dense/kernel/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE");
  CHECK(Outcome(tf2, "layer_with_weights-01/kernel/.ATTRIBUTES/VARIABLE_VALUE") == "=");
  // A target without the trailing '/' is still a scope.
  CHECK(Outcome(InlineMap({"a/=b"}), "a/w") == "b/w");
}

TEST_CASE("rename rules: empty target strips a scope, root scope adds one") {
  const RenameMap strip = InlineMap({"x/="});
  CHECK(Outcome(strip, "x/w") == "w");
  CHECK(Outcome(strip, "x/y/z") == "y/z");
  CHECK(Outcome(strip, "x") == "");  // rejected by the planner
  CHECK(Outcome(strip, "xy/w") == "=");
  const RenameMap root = InlineMap({"/=enc/"});
  CHECK(root.rules()[0].from == "");
  CHECK(Outcome(root, "a") == "enc/a");
  CHECK(Outcome(root, "a/b") == "enc/a/b");
}

TEST_CASE("rename rules: regex matches the whole name and expands captures") {
  const RenameMap map = JsonMap(R"({"rules": [
      {"regex": "^(.*)/weights$", "to": "$1/kernel"},
      {"regex": "layer", "to": "L"},
      {"regex": "(a)(b)(c)?", "to": "$2$$$1[$3]"}]})");
  CHECK(Outcome(map, "dense/weights") == "dense/kernel");
  CHECK(Outcome(map, "a/b/weights") == "a/b/kernel");
  CHECK(Outcome(map, "dense/weights/Adam") == "=");  // no partial match
  CHECK(Outcome(map, "layer") == "L");
  CHECK(Outcome(map, "layer_a") == "=");
  CHECK(Outcome(map, "ab") == "b$a[]");  // group 3 did not take part
  CHECK(Outcome(map, "abc") == "b$a[c]");
}

TEST_CASE("rename rules: globs") {
  CHECK(GlobMatch("*/Adam*", "a/b/Adam_1"));
  CHECK(GlobMatch("*", ""));
  CHECK(GlobMatch("a?c", "abc"));
  CHECK(!GlobMatch("a?c", "ac"));
  CHECK(GlobMatch("a*b", "a/x/b"));
  CHECK(!GlobMatch("a*b", "a/x/bc"));
  CHECK(GlobMatch("a*b*c", "aXbYbZc"));
  CHECK(!GlobMatch("a*b*c", "aXbYbZ"));
  CHECK(GlobMatch("**?", "x"));
  CHECK(!GlobMatch("abc", "abcd"));
  RenameMap map;
  REQUIRE(map.AddDrop("*/Adam*").ok());
  REQUIRE(map.AddDrop("optimizer/").ok());
  CHECK(map.rules()[0].kind == RenameRule::Kind::kGlob);
  CHECK(map.rules()[1].kind == RenameRule::Kind::kScope);
  CHECK(map.rules()[1].origin == "--drop #2");
  CHECK(Outcome(map, "w/Adam") == "-");
  CHECK(Outcome(map, "w/Adam_1") == "-");
  CHECK(Outcome(map, "Adam") == "=");
  CHECK(Outcome(map, "optimizer/iter/.ATTRIBUTES/VARIABLE_VALUE") == "-");
  CHECK(Outcome(map, "optimizer_weights/x") == "=");
}

TEST_CASE("rename rules: first match wins whatever the rule kinds") {
  const RenameMap map = JsonMap(R"({"rules": [
      {"regex": "^a/(.*)$", "to": "r/$1"},
      {"scope": "a", "to": "s"},
      {"scope": "b", "to": "s"},
      {"name": "b/x", "to": "n"},
      {"name": "c", "to": "n1"},
      {"name": "c", "to": "n2"},
      {"glob": "d*", "drop": true},
      {"name": "d", "to": "never"}]})");
  const auto m = map.Apply("a/x");
  REQUIRE(m);
  CHECK(m->rule_index == 0);
  CHECK(m->new_name == "r/x");
  CHECK(map.Apply("a")->rule_index == 1);  // the regex needs "a/"
  CHECK(Outcome(map, "b/x") == "s/x");
  CHECK(map.Apply("c")->rule_index == 4);
  CHECK(Outcome(map, "d") == "-");
}

TEST_CASE("rename rules: rules do not chain") {
  const RenameMap map = InlineMap({"a=b", "b=c"});
  CHECK(Outcome(map, "a") == "b");
  CHECK(Outcome(map, "b") == "c");
  const RenamePlan plan = PlanRename({"a"}, map, {});
  REQUIRE(plan.changes.size() == 1);
  CHECK(plan.changes[0].new_name == "b");
  CHECK(plan.unmatched_rules == std::vector<size_t>{1});
}

TEST_CASE("rename rules: the two JSON forms") {
  // Flat assignment_map: file order, keys with '/' are scopes. The more specific scope
  // comes first, so it wins.
  const RenameMap flat = JsonMap(R"({"model_1/layer_a/": "model_3/layer_a/",
                                     "model_1/": "model_2/", "global_step": "step"})");
  REQUIRE(flat.size() == 3);
  CHECK(flat.rules()[0].kind == RenameRule::Kind::kScope);
  CHECK(flat.rules()[1].kind == RenameRule::Kind::kScope);
  CHECK(flat.rules()[2].kind == RenameRule::Kind::kName);
  CHECK(flat.rules()[2].origin == "map.json: rule #3");
  CHECK(flat.rules()[2].text == R"({"global_step":"step"})");
  CHECK(Outcome(flat, "model_1/layer_a/w") == "model_3/layer_a/w");
  CHECK(Outcome(flat, "model_1/layer_b/w") == "model_2/layer_b/w");
  CHECK(Outcome(flat, "global_step") == "step");
  CHECK(flat.warnings().empty());

  const RenameMap list = JsonMap(R"({"rules": [
      {"scope": "model_1/layer_a", "to": "model_3/layer_a"},
      {"name": "global_step", "to": "step"},
      {"regex": "^(.*)/weights$", "to": "$1/kernel"},
      {"regex": "^optimizer/", "drop": true},
      {"scope": "x", "drop": true},
      {"name": "y", "drop": true},
      {"name": "dense/kernel", "to": "fc/weight", "transpose": true, "why": "names share dense"},
      {"name": "conv/kernel", "to": "conv/weight", "permute": [3, 2, 0, 1]}],
    "unresolved": []})");
  REQUIRE(list.size() == 8);
  CHECK(list.rules()[0].from == "model_1/layer_a");
  CHECK(list.rules()[3].drop);
  CHECK(list.rules()[6].permute == std::vector<int>{1, 0});
  CHECK(list.rules()[7].permute == std::vector<int>{3, 2, 0, 1});
  CHECK(!list.rules()[0].permute);
  CHECK(Outcome(list, "model_1/layer_a/w") == "model_3/layer_a/w");
  CHECK(Outcome(list, "enc/weights") == "enc/kernel");
  CHECK(Outcome(list, "optimizer/iter") == "=");  // "^optimizer/" must match the whole name
  CHECK(Outcome(list, "x/v") == "-");
  CHECK(Outcome(list, "y") == "-");
  CHECK(list.warnings().empty());
  CHECK(list.unresolved().empty());
  // A draft with open questions keeps them, each named, for the plan to refuse.
  const RenameMap draft = JsonMap(R"({"rules": [{"name": "a", "to": "b"}],
    "unresolved": [{"to": "fc2/weight", "candidates": ["dense_1/kernel", "dense_2/kernel"],
                    "why": "2 candidates match the name equally well"},
                   {"to": "head/bias", "candidates": []}]})");
  CHECK(draft.unresolved() == Names{"map.json: unresolved #1 (for \"fc2/weight\", 2 candidates)",
                                    "map.json: unresolved #2 (for \"head/bias\", 0 candidates)"});
  // A shipped map says what it is for; the description changes no rule.
  const RenameMap described = JsonMap(
      R"({"description": "strip DataParallel's prefix", "rules": [{"name": "a", "to": "b"}]})");
  CHECK(described.size() == 1);
  CHECK(Outcome(described, "a") == "b");
  CHECK(JsonError(R"({"rules": [{"name": "a", "to": "b", "why": 3}]})")
            .find("\"why\" must be a string") != std::string::npos);
}

TEST_CASE("rename rules: ToJson round-trips through ParseJson") {
  RenameMap map = JsonMap(R"({"rules": [
      {"scope": "a/", "to": "b/"}, {"scope": "s//", "to": ""},
      {"name": "n", "to": "m", "transpose": true}, {"regex": "^(x)$", "to": "$1$$"},
      {"glob": "*/Adam", "drop": true}, {"scope": "d", "drop": true},
      {"scope": "/", "to": "root"}]})");
  REQUIRE(map.AddInlineRule("p/=q/").ok());
  const std::string dumped = map.ToJson().dump();
  CHECK(dumped.starts_with(R"({"rules":[{"scope":"a/","to":"b/"},{"scope":"s//","to":""},)"));
  CHECK(dumped.ends_with(R"({"scope":"/","to":"root/"},{"scope":"p/","to":"q/"}]})"));
  const RenameMap again = JsonMap(dumped);
  REQUIRE(again.size() == map.size());
  for (size_t i = 0; i < map.size(); ++i) {
    const RenameRule& a = map.rules()[i];
    const RenameRule& b = again.rules()[i];
    CHECK(a.kind == b.kind);
    CHECK(a.from == b.from);
    CHECK(a.to == b.to);
    CHECK(a.drop == b.drop);
    CHECK(a.permute == b.permute);
  }
  CHECK(map.rules()[1].from == "s/");
  CHECK(Outcome(again, "s//w") == "w");
  CHECK(Outcome(again, "x") == "x$");
  CHECK(Outcome(again, "y") == "root/y");
  CHECK(again.rules()[7].origin == "map.json: rule #8");
}

TEST_CASE("rename rules: inline rule errors") {
  RenameMap map;
  CHECK(map.AddInlineRule("abc").message() == "--rule #1 (abc): expected FROM=TO");
  CHECK(map.AddInlineRule("=b").message() == "--rule #2 (=b): FROM is empty");
  CHECK(map.AddInlineRule("a=").message() ==
        "--rule #3 (a=): TO is empty (use --drop to remove a variable)");
  CHECK(map.AddInlineRule("a=b/").message() ==
        "--rule #4 (a=b/): new name \"b/\" ends with '/' but \"a\" is an exact name, not a "
        "scope (end both with '/')");
  CHECK(map.AddDrop("").message() == "--drop #1 (): empty pattern");
  CHECK(map.empty());
  CHECK(map.AddInlineRule("a=b=c").ok());  // splits at the first '='
  CHECK(map.rules()[0].to == "b=c");
  CHECK(map.rules()[0].origin == "--rule #5");
}

TEST_CASE("rename rules: JSON rule errors name the rule") {
  const std::string regex_error = JsonError(
      R"({"rules": [{"scope": "a", "to": "b"}, {"name": "c", "to": "d"}, {"regex": "(("}]})");
  CHECK(regex_error.starts_with(R"(map.json: rule #3 ({"regex":"(("}): invalid regex: )"));
  CHECK(regex_error.size() >
        std::string(R"(map.json: rule #3 ({"regex":"(("}): invalid regex: )").size());

  CHECK(
      JsonError(R"({"rules": [{"regex": "^(.*)$", "to": "$2"}]})") ==
      R"(map.json: rule #1 ({"regex":"^(.*)$","to":"$2"}): "to" uses $2 but the regex has 1 capture group)");
  CHECK(
      JsonError(R"({"rules": [{"regex": "x", "to": "$x"}]})") ==
      R"(map.json: rule #1 ({"regex":"x","to":"$x"}): "to" has '$x' (expected $1..$9, or $$ for a literal '$'))");
  CHECK(
      JsonError(R"({"rules": [{"regex": "x", "to": "a$"}]})") ==
      R"(map.json: rule #1 ({"regex":"x","to":"a$"}): "to" ends with a lone '$' (write $$ for a literal '$'))");
  CHECK(
      JsonError(R"({"rules": [{"scope": "a", "to": "b", "frm": 1}]})") ==
      R"(map.json: rule #1 ({"scope":"a","to":"b","frm":1}): unknown key "frm" (expected scope, name, regex or glob; to or drop; transpose or permute; why))");
  CHECK(
      JsonError(R"({"rules": [{"scope": "a", "name": "b", "to": "c"}]})") ==
      R"(map.json: rule #1 ({"scope":"a","name":"b","to":"c"}): has both "scope" and "name" (a rule takes exactly one))");
  CHECK(JsonError(R"({"rules": [{"to": "c"}]})") ==
        R"(map.json: rule #1 ({"to":"c"}): needs one of "scope", "name", "regex", "glob")");
  CHECK(JsonError(R"({"rules": [{"name": "a"}]})") ==
        R"(map.json: rule #1 ({"name":"a"}): needs "to" or "drop": true)");
  CHECK(
      JsonError(R"({"rules": [{"name": "a", "to": "b", "drop": true}]})") ==
      R"(map.json: rule #1 ({"name":"a","to":"b","drop":true}): "to" and "drop": true exclude each other)");
  CHECK(
      JsonError(R"({"rules": [{"glob": "a*", "to": "b"}]})") ==
      R"(map.json: rule #1 ({"glob":"a*","to":"b"}): a glob rule can only drop (use a regex to rename))");
  CHECK(
      JsonError(R"({"rules": [{"name": "a", "to": "b", "transpose": true, "permute": [1, 0]}]})") ==
      R"(map.json: rule #1 ({"name":"a","to":"b","transpose":true,"permute":[1,0]}): "transpose" and "permute" exclude each other)");
  CHECK(
      JsonError(R"({"rules": [{"name": "a", "to": "b", "permute": [3, 2, 0]}]})") ==
      R"(map.json: rule #1 ({"name":"a","to":"b","permute":[3,2,0]}): "permute" must list each of 0..2 once (found [3,2,0]))");
  CHECK(
      JsonError(R"({"rules": [{"name": "a", "drop": true, "transpose": true}]})") ==
      R"(map.json: rule #1 ({"name":"a","drop":true,"transpose":true}): "permute"/"transpose" make no sense on a dropping rule)");
  CHECK(JsonError(R"({"rules": [{"name": "a", "to": 3}]})") ==
        R"(map.json: rule #1 ({"name":"a","to":3}): "to" must be a string)");
  CHECK(JsonError(R"({"rules": ["a"]})") == R"(map.json: rule #1 ("a"): expected an object)");
  CHECK(
      JsonError(R"({"rules": [], "note": 1})") ==
      R"(map.json: unknown top-level key "note" (expected "rules" and optionally "description", "unresolved"))");
  CHECK(JsonError(R"({"rules": [], "description": 1})") ==
        R"(map.json: "description" must be a string)");
  CHECK(JsonError(R"({"a": 5})") ==
        R"(map.json: rule #1 ({"a":5}): value must be a string (the new name))");
  CHECK(
      JsonError(R"({"a": "b/"})") ==
      R"(map.json: rule #1 ({"a":"b/"}): new name "b/" ends with '/' but "a" is an exact name, not a scope (end both with '/'))");
  CHECK(JsonError(R"(["a"])") == "map.json: expected a JSON object at top level (found array)");
  CHECK(JsonError(R"({"a": "b", "a": "c"})") ==
        R"(map.json: duplicate key "a" (each key may appear once))");
  CHECK(JsonError(std::string(40, '[') + std::string(40, ']')) ==
        "map.json: nesting deeper than 32 levels");
}

TEST_CASE("rename rules: every bad rule is reported") {
  CHECK(JsonError(R"({"rules": [{"name": "a"}, {"scope": "ok", "to": "x"}, {"glob": ""}]})") ==
        "map.json: rule #1 ({\"name\":\"a\"}): needs \"to\" or \"drop\": true\n"
        "map.json: rule #3 ({\"glob\":\"\"}): empty pattern");
}

TEST_CASE("rename rules: malformed JSON reports the position") {
  // '}' is the 7th character of line 1.
  CHECK(JsonError(R"({"a": })").starts_with("map.json: parse error at line 1, column 7: "));
  // The trailing comma leaves '}' (line 3, column 1) where a key must be.
  CHECK(JsonError("{\n  \"a\": \"b\",\n}")
            .starts_with("map.json: parse error at line 3, column 1: "));
  CHECK(JsonError("").starts_with("map.json: parse error at line 1, column 1: "));
}

TEST_CASE("rename plan: the scope-move scenario") {
  const Names names = {"model_1/layer_a/weights",
                       "model_1/layer_a/biases",
                       "model_1/layer_ab/weights",
                       "model_2/layer_b/weights",
                       "model_2/layer_b/biases",
                       "model_1/layer_a/weights/Adam",
                       "model_1/layer_a/weights/Adam_1",
                       "beta1_power",
                       "beta2_power",
                       "global_step"};
  const RenameMap map = InlineMap({"model_1/layer_a/=model_3/layer_a/"});
  const RenamePlan plan = PlanRename(names, map, {});
  CHECK(plan.ok());
  CHECK(plan.warnings.empty());
  REQUIRE(plan.changes.size() == 4);
  // Sorted by old name.
  CHECK(plan.changes[0].old_name == "model_1/layer_a/biases");
  CHECK(plan.changes[0].new_name == "model_3/layer_a/biases");
  CHECK(plan.changes[1].new_name == "model_3/layer_a/weights");
  CHECK(plan.changes[2].new_name == "model_3/layer_a/weights/Adam");
  CHECK(plan.changes[3].new_name == "model_3/layer_a/weights/Adam_1");
  for (const RenameChange& c : plan.changes) {
    CHECK(!c.dropped);
    CHECK(c.rule_index == 0);
  }
  CHECK(plan.unchanged == Names{"beta1_power", "beta2_power", "global_step",
                                "model_1/layer_ab/weights", "model_2/layer_b/biases",
                                "model_2/layer_b/weights"});
  CHECK(plan.NewName("model_1/layer_a/weights/Adam") == "model_3/layer_a/weights/Adam");
  CHECK(plan.NewName("model_1/layer_ab/weights") == "model_1/layer_ab/weights");

  // With drop_optimizer the slots and Adam's beta powers go, the weights still move.
  PlanOptions drop;
  drop.drop_optimizer = true;
  const RenamePlan dropped = PlanRename(names, map, drop);
  CHECK(dropped.ok());
  REQUIRE(dropped.changes.size() == 6);
  CHECK(dropped.changes[0].old_name == "beta1_power");
  CHECK(dropped.changes[0].dropped);
  CHECK(dropped.changes[0].rule_index == -1);
  CHECK(dropped.NewName("model_1/layer_a/weights/Adam_1") == "");
  CHECK(dropped.NewName("model_1/layer_a/weights") == "model_3/layer_a/weights");
  CHECK(dropped.unmatched_rules.empty());
}

TEST_CASE("rename plan: conflicts, empty names and unmatched rules") {
  SUBCASE("two sources, one target") {
    const RenamePlan plan =
        PlanRename({"model_1/x", "model_2/x"}, InlineMap({"model_1/=", "model_2/="}), {});
    CHECK(plan.errors == Names{"\"model_1/x\" (--rule #1) and \"model_2/x\" (--rule #2) would "
                               "both be renamed to \"x\""});
    CHECK(!plan.ok());
  }
  SUBCASE("three sources") {
    const RenamePlan plan = PlanRename({"a", "b", "c"}, InlineMap({"a=x", "b=x", "c=x"}), {});
    CHECK(plan.errors == Names{"\"a\" (--rule #1), \"b\" (--rule #2) and \"c\" (--rule #3) would "
                               "all be renamed to \"x\""});
  }
  SUBCASE("onto a variable left in place") {
    const RenamePlan plan = PlanRename({"a", "b"}, InlineMap({"a=b"}), {});
    CHECK(plan.errors == Names{"\"a\" (--rule #1) would be renamed to \"b\", which already "
                               "exists and is neither renamed nor dropped"});
  }
  SUBCASE("swaps and moves onto dropped or moved names are fine") {
    RenameMap map = InlineMap({"a=b", "b=a", "c=d"});
    REQUIRE(map.AddDrop("d").ok());
    const RenamePlan plan = PlanRename({"a", "b", "c", "d"}, map, {});
    CHECK(plan.ok());
    CHECK(plan.NewName("a") == "b");
    CHECK(plan.NewName("b") == "a");
    CHECK(plan.NewName("c") == "d");
    CHECK(plan.FindChange("d")->dropped);
  }
  SUBCASE("empty new name") {
    const RenamePlan plan = PlanRename({"x", "x/w"}, InlineMap({"x/="}), {});
    CHECK(plan.errors == Names{"\"x\" (--rule #1): new name is empty"});
    CHECK(plan.NewName("x/w") == "w");
  }
  SUBCASE("protected target") {
    const RenamePlan plan = PlanRename({"g"}, InlineMap({"g=_CHECKPOINTABLE_OBJECT_GRAPH"}), {});
    CHECK(plan.errors == Names{"\"g\" (--rule #1) would be renamed to the protected name "
                               "\"_CHECKPOINTABLE_OBJECT_GRAPH\""});
  }
  SUBCASE("unmatched rule: error, a warning when allowed, an error under strict") {
    const RenameMap map = InlineMap({"a=b", "model_9/=x/"});
    const RenamePlan plan = PlanRename({"a", "model_1/w"}, map, {});
    CHECK(plan.errors == Names{"--rule #2 (model_9/=x/): matched no variable; did you mean "
                               "model_1/? (--allow-unmatched ignores it)"});
    CHECK(plan.unmatched_rules == std::vector<size_t>{1});
    PlanOptions allow;
    allow.allow_unmatched = true;
    const RenamePlan allowed = PlanRename({"a"}, map, allow);
    CHECK(allowed.ok());
    CHECK(allowed.warnings == Names{"--rule #2 (model_9/=x/): matched no variable"});
    PlanOptions strict;
    strict.strict = true;
    const RenamePlan strict_plan = PlanRename({"a", "z"}, map, strict);
    CHECK(strict_plan.errors ==
          Names{"\"z\": matched no rule (strict)", "--rule #2 (model_9/=x/): matched no variable"});
    CHECK(strict_plan.warnings.empty());
  }
}

TEST_CASE("rename plan: strict accepts full coverage, drops and protected names") {
  RenameMap map = InlineMap({"dense/=fc/"});
  REQUIRE(map.AddDrop("keras_api/").ok());
  PlanOptions options;
  options.strict = true;
  options.drop_optimizer = true;
  const RenamePlan plan =
      PlanRename({"", "_CHECKPOINTABLE_OBJECT_GRAPH", "dense/kernel", "dense/kernel/Adam",
                  "keras_api/metrics/0/total", "optimizer/iter/.ATTRIBUTES/VARIABLE_VALUE"},
                 map, options);
  CHECK(plan.errors.empty());
  CHECK(plan.unchanged == Names{"", "_CHECKPOINTABLE_OBJECT_GRAPH"});
  CHECK(plan.NewName("dense/kernel") == "fc/kernel");
  CHECK(plan.NewName("dense/kernel/Adam") == "");
  CHECK(plan.FindChange("dense/kernel/Adam")->rule_index == -1);
  CHECK(plan.FindChange("keras_api/metrics/0/total")->rule_index == 1);
}

TEST_CASE("rename plan: protected names are never touched by user rules") {
  const RenameMap map = JsonMap(R"({"rules": [{"name": "_CHECKPOINTABLE_OBJECT_GRAPH",
      "drop": true}, {"scope": "/", "to": "enc"}]})");
  const RenamePlan plan = PlanRename({"", "_CHECKPOINTABLE_OBJECT_GRAPH", "a"}, map, {});
  CHECK(plan.ok());
  CHECK(plan.unchanged == Names{"", "_CHECKPOINTABLE_OBJECT_GRAPH"});
  CHECK(plan.NewName("a") == "enc/a");
  CHECK(plan.unmatched_rules == std::vector<size_t>{0});
  CHECK(plan.warnings ==
        Names{"map.json: rule #1 ({\"name\":\"_CHECKPOINTABLE_OBJECT_GRAPH\",\"drop\":true}): "
              "matched no variable"});
}

TEST_CASE("rename plan: an empty unresolved list is no warning") {
  const RenameMap map = JsonMap(R"({"rules": [{"name": "a", "to": "b"}], "unresolved": []})");
  const RenamePlan plan = PlanRename({"a"}, map, {});
  CHECK(plan.warnings.empty());
}

TEST_CASE("rename plan: unresolved map entries are errors, warnings when allowed") {
  const RenameMap map =
      JsonMap(R"({"rules": [{"name": "a", "to": "b"}], "unresolved": [{"to": "c"}]})");
  const RenamePlan plan = PlanRename({"a"}, map, {});
  CHECK(plan.errors == Names{"map.json: unresolved #1 (for \"c\"): not a rule; resolve it into "
                             "a rule in \"rules\" or remove it (--allow-unmatched ignores it)"});
  PlanOptions allow;
  allow.allow_unmatched = true;
  const RenamePlan allowed = PlanRename({"a"}, map, allow);
  CHECK(allowed.ok());
  CHECK(allowed.warnings == Names{"map.json: unresolved #1 (for \"c\"): ignored"});
}

TEST_CASE("rename plan: ApplyPlan moves entries without touching their bytes") {
  auto bytes = std::make_shared<MemoryByteSource>("mem", std::vector<uint8_t>(64, 0x2a));
  TensorStore store;
  const auto add = [&](const std::string& name, uint64_t offset, EntryKind kind,
                       const std::string& partitioned) {
    TensorEntry e;
    e.name = name;
    e.dtype = DType::kFloat32;
    e.shape = {2, 2};
    e.byte_size = 16;
    e.data = bytes;
    e.data_offset = offset;
    e.stored_crc32c = 0x12345678u;
    e.kind = kind;
    e.set_partitioned_name(partitioned);
    REQUIRE(store.Add(e).ok());
  };
  add("model_1/w", 0, EntryKind::kTensor, "");
  add("model_1/w/Adam", 16, EntryKind::kTensor, "");
  add("emb", 32, EntryKind::kPartitioned, "");
  add(std::string("\0emb\0slice0", 11), 32, EntryKind::kSlice, "emb");
  add("keep", 48, EntryKind::kTensor, "");
  CHECK(RenamableNames(store) == Names{"emb", "keep", "model_1/w", "model_1/w/Adam"});

  RenameMap map;
  REQUIRE(map.AddDrop("*/Adam").ok());  // first, or the scope rule would move the slot
  REQUIRE(map.AddInlineRule("model_1/=model_2/").ok());
  REQUIRE(map.AddInlineRule("emb=embedding").ok());
  const RenamePlan plan = PlanRename(RenamableNames(store), map, {});
  REQUIRE(plan.ok());
  const TensorStore out = ApplyPlan(store, plan);
  CHECK(out.size() == 4);
  CHECK(out.Find("model_1/w") == nullptr);
  CHECK(out.Find("model_2/w/Adam") == nullptr);
  const TensorEntry* w = out.Find("model_2/w");
  REQUIRE(w != nullptr);
  CHECK(w->data.get() == bytes.get());
  CHECK(w->data_offset == 0);
  CHECK(w->byte_size == 16);
  CHECK(w->stored_crc32c == 0x12345678u);
  CHECK(w->shape == std::vector<int64_t>{2, 2});
  REQUIRE(out.Find("embedding") != nullptr);
  const TensorEntry* slice = out.Find(std::string("\0emb\0slice0", 11));
  REQUIRE(slice != nullptr);
  CHECK(slice->partitioned_name() == "embedding");
  CHECK(out.Find("keep")->data_offset == 48);
}

TEST_CASE("optimizer state: real TF1 slot and training names") {
  // Names from testdata/real (PROVENANCE.md): minigo, t2t, tfx wide-deep, tfx 2019,
  // keras-bert run_pretraining, t5x Adafactor.
  for (const char* name : {"batch_normalization/beta/Momentum",
                           "dense_1/kernel/Momentum",
                           "training/transformer/body/decoder/layer_0/ffn/conv1/kernel/Adam",
                           "training/transformer/body/decoder/layer_0/ffn/conv1/kernel/Adam_1",
                           "training/beta1_power",
                           "training/beta2_power",
                           "beta1_power",
                           "beta2_power",
                           "training/Adagrad/dnn/hiddenlayer_0/kernel/accumulator",
                           "training/Ftrl/linear/linear_model/company_xf/weights/accumulator",
                           "training/Ftrl/linear/linear_model/company_xf/weights/linear",
                           "training/Ftrl/iter",
                           "training/Ftrl/learning_rate_power",
                           "training/Adagrad/decay",
                           "dnn/hiddenlayer_0/bias/Adagrad",
                           "linear/linear_model/company_xf/weights/Ftrl",
                           "linear/linear_model/company_xf/weights/Ftrl_1",
                           "bert/embeddings/word_embeddings/adam_m",
                           "bert/embeddings/word_embeddings/adam_v",
                           "decoder/block_000/layer_000/SelfAttention/q_slot_v",
                           "encoder/block_000/layer_001/DenseReluDense/wi/kernel_slot_v",
                           "shared/embedding_slot_v",
                           "w/RMSProp_1",
                           "w/Adadelta",
                           "w/AdamW",
                           "x/y_slot_vr"}) {
    CHECK_MESSAGE(IsOptimizerState(name), name);
  }
  for (const char* name : {"batch_normalization/beta",
                           "batch_normalization/moving_mean",
                           "dense_1/kernel",
                           "transformer/body/decoder/layer_0/ffn/conv1/kernel",
                           "global_step",
                           "train_stats/problem_0_steps",
                           "losses_avg/problem_0/total_loss",
                           "linear/linear_model/company_xf/weights",
                           "linear/linear_model/bias_weights",
                           "dnn/logits/bias",
                           "bert/embeddings/word_embeddings",
                           "cls/predictions/output_bias",
                           "decoder/block_000/layer_000/SelfAttention/q",
                           "shared/embedding",
                           "input_tensor",
                           "Adam",
                           "Momentum",
                           "w/Adamant",
                           "slot_v",
                           "x/_slot_v"}) {
    CHECK_MESSAGE(!IsOptimizerState(name), name);
  }
}

TEST_CASE("optimizer state: real TF2, Keras and PyTorch names") {
  for (const char* name :
       {"layer_with_weights-0/kernel/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE",
        "layer-1/kernel/.OPTIMIZER_SLOT/optimizer/v/.ATTRIBUTES/VARIABLE_VALUE",
        "layer_with_weights-0/bias/.OPTIMIZER_SLOT/optimizer/base_optimizer/momentum/"
        ".ATTRIBUTES/VARIABLE_VALUE",
        "optimizer/iter/.ATTRIBUTES/VARIABLE_VALUE", "optimizer/beta_1/.ATTRIBUTES/VARIABLE_VALUE",
        "optimizer/base_optimizer/iter/.ATTRIBUTES/VARIABLE_VALUE",
        "optimizer/loss_scale/current_loss_scale/.ATTRIBUTES/VARIABLE_VALUE",
        "model/optimizer/iter/.ATTRIBUTES/VARIABLE_VALUE", "optimizer/vars/0",
        "optimizer_weights/Adam/dense/kernel/m:0", "/optimizer_weights/iteration:0",
        "optimizer.state.0.momentum_buffer", "optimizer.param_groups.0.lr",
        "optimizer_state_dict.state.0.momentum_buffer"}) {
    CHECK_MESSAGE(IsOptimizerState(name), name);
  }
  for (const char* name :
       {"layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE",
        "model/layer_with_weights-4/_attention_layer/_query_dense/kernel/.ATTRIBUTES/"
        "VARIABLE_VALUE",
        "keras_api/metrics/0/total/.ATTRIBUTES/VARIABLE_VALUE",
        "save_counter/.ATTRIBUTES/VARIABLE_VALUE", "_CHECKPOINTABLE_OBJECT_GRAPH",
        "a/b/optimizer/c", "model_weights/dense/dense/kernel:0", "fc1.weight",
        "bert.embeddings.word_embeddings.weight", "optimizer.weight"}) {
    CHECK_MESSAGE(!IsOptimizerState(name), name);
  }
}

TEST_CASE("optimizer state: bookkeeping") {
  CHECK(IsBookkeeping("global_step"));
  CHECK(IsBookkeeping("save_counter/.ATTRIBUTES/VARIABLE_VALUE"));
  CHECK(IsBookkeeping("_CHECKPOINTABLE_OBJECT_GRAPH"));
  CHECK(!IsBookkeeping("optimizer/iter/.ATTRIBUTES/VARIABLE_VALUE"));
  CHECK(!IsBookkeeping("model/global_step"));
  CHECK(!IsBookkeeping("dense/kernel"));
}

TEST_CASE("rename rules: regex matching cannot blow up") {
  // A backtracking matcher takes 2^n steps on these; the map must answer at once.
  const RenameMap map = JsonMap(R"j({"rules": [{"regex": "^(.*)+x$", "drop": true},
      {"regex": "(a|a)*b", "drop": true}, {"regex": "(.*)/(.*)", "to": "$2/$1"}]})j");
  CHECK(Outcome(map, std::string(60, 'a')) == "=");
  CHECK(Outcome(map,
                "layer_with_weights-0/kernel/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/"
                "VARIABLE_VALUE") ==
        "VARIABLE_VALUE/layer_with_weights-0/kernel/"
        ".OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES");
}

TEST_CASE("rename plan: TF2 object keys with drop_optimizer") {
  // Key shapes of tfx-keras-savedmodel-adam-slots (testdata/real/PROVENANCE.md).
  const Names names = {
      "_CHECKPOINTABLE_OBJECT_GRAPH",
      "layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE",
      "layer_with_weights-0/kernel/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE",
      "layer_with_weights-0/kernel/.OPTIMIZER_SLOT/optimizer/v/.ATTRIBUTES/VARIABLE_VALUE",
      "layer_with_weights-1/kernel/.ATTRIBUTES/VARIABLE_VALUE",
      "keras_api/metrics/0/total/.ATTRIBUTES/VARIABLE_VALUE",
      "optimizer/iter/.ATTRIBUTES/VARIABLE_VALUE",
      "optimizer/beta_1/.ATTRIBUTES/VARIABLE_VALUE"};
  PlanOptions options;
  options.drop_optimizer = true;
  const RenamePlan plan = PlanRename(names, InlineMap({"layer_with_weights-0/=dense/"}), options);
  CHECK(plan.ok());
  CHECK(plan.NewName("layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE") ==
        "dense/kernel/.ATTRIBUTES/VARIABLE_VALUE");
  CHECK(plan.unchanged == Names{"_CHECKPOINTABLE_OBJECT_GRAPH",
                                "keras_api/metrics/0/total/.ATTRIBUTES/VARIABLE_VALUE",
                                "layer_with_weights-1/kernel/.ATTRIBUTES/VARIABLE_VALUE"});
  int dropped = 0;
  for (const RenameChange& c : plan.changes) dropped += c.dropped ? 1 : 0;
  CHECK(dropped == 4);
  // The slot matched the scope rule but drop_optimizer removes it.
  CHECK(plan.FindChange("layer_with_weights-0/kernel/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/"
                        "VARIABLE_VALUE")
            ->dropped);
}
