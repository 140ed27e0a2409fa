// SPDX-License-Identifier: Apache-2.0
// Tests of the restore-compatibility check (core/compat), manifests, suggest-map
// (core/suggest_map) and their renderers (core/compat_render).
#include "core/compare/compat.h"

#include <doctest/doctest.h>

#include <map>

#include "core/compare/compat_render.h"
#include "core/compare/suggest_map.h"

using namespace rescope;

namespace {

struct Var {
  std::string name;
  DType dtype;
  std::vector<int64_t> shape;
};

TensorStore CkptOf(const std::vector<Var>& vars) {
  TensorStore s;
  for (const Var& v : vars) {
    TensorEntry e;
    e.name = v.name;
    e.dtype = v.dtype;
    e.shape = v.shape;
    REQUIRE(s.Add(std::move(e)).ok());
  }
  return s;
}

std::vector<ExpectedVar> Expected(const std::vector<Var>& vars) {
  std::vector<ExpectedVar> out;
  for (const Var& v : vars) out.push_back({v.name, v.dtype, v.shape, std::nullopt});
  return out;
}

const CheckItem& Item(const CheckReport& r, const std::string& name) {
  for (const CheckItem& i : r.items) {
    if (i.name == name) return i;
  }
  FAIL("no item " << name);
  return r.items.front();
}

constexpr DType F32 = DType::kFloat32;

// Scenario 1 of the classic variable-scope examples: two named layers.
const std::vector<Var> kTwoLayers = {{"layer1/weights", F32, {784, 100}},
                                     {"layer1/biases", F32, {100}},
                                     {"layer2/weights", F32, {100, 10}},
                                     {"layer2/biases", F32, {10}}};

}  // namespace

TEST_CASE("check: scenario 1, layer1/layer2 restore as saved") {
  const CheckReport r = CheckCompat(CkptOf(kTwoLayers), Expected(kTwoLayers));
  CHECK(r.Compatible());
  CHECK(r.Count(CheckCategory::kRestorable) == 4);
  CHECK(FormatCheckText(r) == "compatible: 4 restorable\n\nrestorable (4)\n");

  std::vector<Var> changed = kTwoLayers;
  changed[2].shape = {100, 20};  // layer2/weights
  changed[3].dtype = DType::kFloat64;
  const CheckReport bad = CheckCompat(CkptOf(kTwoLayers), Expected(changed));
  CHECK(!bad.Compatible());
  CHECK(Item(bad, "layer2/weights").category == CheckCategory::kShapeMismatch);
  CHECK(Item(bad, "layer2/biases").category == CheckCategory::kDTypeMismatch);
  CHECK(FormatCheckText(bad) ==
        "incompatible: 1 dtype mismatch, 1 shape mismatch, 2 restorable\n"
        "\n"
        "dtype mismatch (1):\n"
        "  layer2/biases  checkpoint float32 [10] vs expected float64 [10]\n"
        "\n"
        "shape mismatch (1):\n"
        "  layer2/weights  checkpoint float32 [100, 10] vs expected float32 [100, 20]\n"
        "\n"
        "restorable (2)\n");
  const nlohmann::json j = ToJson(bad);
  CHECK(!j.contains("compatible"));  // the CLI's envelope says "ok" (docs/json-schema)
  CHECK(j["counts"]["shape_mismatch"] == 1);
  CHECK(j["entries"][0]["name"] == "layer1/biases");
  CHECK(j["entries"][3]["expected"]["shape"] == nlohmann::json::array({100, 20}));
}

TEST_CASE("check: scenario 2, reused dense_layer") {
  const std::vector<Var> dense = {{"dense_layer/weights", F32, {3, 3}},
                                  {"dense_layer/biases", F32, {3}}};
  // A model that reuses the scope expects each variable once.
  CHECK(CheckCompat(CkptOf(dense), Expected(dense)).Compatible());
  // Built without reuse, the second call creates dense_layer_1/...: missing, and no
  // unused variable can stand in for them.
  std::vector<Var> unreused = dense;
  unreused.push_back({"dense_layer_1/weights", F32, {3, 3}});
  unreused.push_back({"dense_layer_1/biases", F32, {3}});
  const CheckReport r = CheckCompat(CkptOf(dense), Expected(unreused));
  CHECK(!r.Compatible());
  CHECK(r.Count(CheckCategory::kMissing) == 2);
  CHECK(r.Count(CheckCategory::kRestorable) == 2);
  const SuggestReport s = SuggestMap(r);
  CHECK(s.rules.empty());
  REQUIRE(s.unresolved.size() == 2);
  CHECK(s.unresolved[0].to == "dense_layer_1/biases");
  CHECK(s.unresolved[0].candidates.empty());
  CHECK(FormatSuggestText(s) ==
        "unresolved dense_layer_1/biases: no candidate (no unused checkpoint variable is "
        "float32 [3])\n"
        "unresolved dense_layer_1/weights: no candidate (no unused checkpoint variable is "
        "float32 [3, 3])\n");

  CheckOptions allow;
  allow.allow_missing = {"dense_layer_1/*"};
  const CheckReport allowed = CheckCompat(CkptOf(dense), Expected(unreused), allow);
  CHECK(allowed.Compatible());
  CHECK(FormatCheckText(allowed) ==
        "compatible: 2 missing (2 allowed), 2 restorable\n"
        "\n"
        "missing (2):\n"
        "  dense_layer_1/biases  float32 [3] (allowed)\n"
        "  dense_layer_1/weights  float32 [3, 3] (allowed)\n"
        "\n"
        "restorable (2)\n");
}

TEST_CASE("check: scenario 3, model_1 saved, model_3 expected") {
  const TensorStore ckpt =
      CkptOf({{"model_1/layer_a/weights", F32, {3, 3}}, {"model_1/layer_a/biases", F32, {3}}});
  const std::vector<ExpectedVar> expected =
      Expected({{"model_3/layer_a/weights", F32, {3, 3}}, {"model_3/layer_a/biases", F32, {3}}});
  const CheckReport r = CheckCompat(ckpt, expected);
  CHECK(!r.Compatible());
  CHECK(Item(r, "model_3/layer_a/weights").category == CheckCategory::kMissing);
  CHECK(Item(r, "model_3/layer_a/biases").category == CheckCategory::kMissing);
  CHECK(Item(r, "model_1/layer_a/weights").category == CheckCategory::kUnused);
  CHECK(Item(r, "model_1/layer_a/biases").category == CheckCategory::kUnused);
  CHECK(FormatCheckText(r) ==
        "incompatible: 2 missing, 2 unused\n"
        "\n"
        "missing (2):\n"
        "  model_3/layer_a/biases  float32 [3]\n"
        "  model_3/layer_a/weights  float32 [3, 3]\n"
        "\n"
        "unused (2):\n"
        "  model_1/layer_a/biases  float32 [3]\n"
        "  model_1/layer_a/weights  float32 [3, 3]\n");

  const SuggestReport s = SuggestMap(r);
  REQUIRE(s.rules.size() == 1);
  CHECK(s.rules[0].is_scope);
  CHECK(s.rules[0].from == "model_1/layer_a");
  CHECK(s.rules[0].to == "model_3/layer_a");
  CHECK(s.unresolved.empty());
  CHECK(ToJson(s).dump() ==
        R"({"rules":[{"scope":"model_1/layer_a","to":"model_3/layer_a","why":"2 variables under )"
        R"(model_1/layer_a keep their relative names under model_3/layer_a with equal dtype and )"
        R"x(shape (biases, weights)"}],"unresolved":[]})x");
}

TEST_CASE("suggest: one rule per scope, name rules where a scope does not fit") {
  SUBCASE("two layers move together: one rule for the common scope") {
    const TensorStore ckpt = CkptOf({{"model_1/a/w", F32, {2}},
                                     {"model_1/a/b", F32, {1}},
                                     {"model_1/b/w", F32, {4}},
                                     {"model_1/b/b", F32, {3}}});
    const auto expected = Expected({{"model_3/a/w", F32, {2}},
                                    {"model_3/a/b", F32, {1}},
                                    {"model_3/b/w", F32, {4}},
                                    {"model_3/b/b", F32, {3}}});
    const SuggestReport s = SuggestMap(CheckCompat(ckpt, expected));
    REQUIRE(s.rules.size() == 1);
    CHECK(s.rules[0].from == "model_1");
    CHECK(s.rules[0].to == "model_3");
  }
  SUBCASE("a restorable variable under the scope forces a deeper rule") {
    const TensorStore ckpt = CkptOf({{"model_1/a/w", F32, {2}},
                                     {"model_1/a/b", F32, {1}},
                                     {"model_1/b/w", F32, {4}},
                                     {"model_1/keep", F32, {5}}});
    const auto expected = Expected({{"model_3/a/w", F32, {2}},
                                    {"model_3/a/b", F32, {1}},
                                    {"model_3/b/w", F32, {4}},
                                    {"model_1/keep", F32, {5}}});
    const SuggestReport s = SuggestMap(CheckCompat(ckpt, expected));
    REQUIRE(s.rules.size() == 2);
    CHECK(s.rules[0].is_scope);
    CHECK(s.rules[0].from == "model_1/a");
    CHECK(s.rules[0].to == "model_3/a");
    CHECK(s.rules[1].is_scope);
    CHECK(s.rules[1].from == "model_1/b");
    CHECK(ToJson(s)["rules"][1]["scope"] == "model_1/b");
    CHECK(ToJson(s)["rules"][1]["to"] == "model_3/b");
  }
  SUBCASE("an extra expected variable in the target scope leaves name rules") {
    const TensorStore ckpt = CkptOf({{"old/w", F32, {2}}});
    const auto expected = Expected({{"new/w", F32, {2}}, {"new/extra", F32, {9}}});
    const SuggestReport s = SuggestMap(CheckCompat(ckpt, expected));
    REQUIRE(s.rules.size() == 1);
    CHECK(!s.rules[0].is_scope);
    CHECK(s.rules[0].from == "old/w");
    CHECK(s.rules[0].to == "new/w");
    REQUIRE(s.unresolved.size() == 1);
    CHECK(s.unresolved[0].to == "new/extra");
    // Only the leaf "w" is shared: unique, but weak evidence, and marked so.
    CHECK(s.rules[0].weak);
    CHECK(
        ToJson(s).dump() ==
        R"({"rules":[{"name":"old/w","to":"new/w","why":"weak: names share \"w\"; float32 [2]"}],)"
        R"("unresolved":[{"candidates":[],"to":"new/extra","why":"no unused checkpoint )"
        R"(variable is float32 [9]"}]})");
    CHECK(FormatSuggestText(s) ==
          "name old/w -> new/w  [weak: names share \"w\"; float32 [2]]\n"
          "unresolved new/extra: no candidate (no unused checkpoint variable is float32 [9])\n");
  }
  SUBCASE("shared trailing segments outrank edit distance") {
    const TensorStore ckpt =
        CkptOf({{"enc/dense/kernel", F32, {4}}, {"enc/densa/kernex", F32, {4}}});
    const auto expected = Expected({{"encoder/dense/kernel", F32, {4}}});
    const SuggestReport s = SuggestMap(CheckCompat(ckpt, expected));
    REQUIRE(s.rules.size() == 1);
    CHECK(s.rules[0].from == "enc/dense");
    CHECK(s.rules[0].to == "encoder/dense");
  }
}

TEST_CASE("suggest: ambiguous candidates are unresolved, never guessed") {
  const TensorStore ckpt =
      CkptOf({{"model_1/layer_a/weights", F32, {3, 3}}, {"model_2/layer_a/weights", F32, {3, 3}}});
  const auto expected = Expected({{"model_3/layer_a/weights", F32, {3, 3}}});
  const SuggestReport s = SuggestMap(CheckCompat(ckpt, expected));
  CHECK(s.rules.empty());
  REQUIRE(s.unresolved.size() == 1);
  CHECK(s.unresolved[0].to == "model_3/layer_a/weights");
  CHECK(s.unresolved[0].candidates ==
        std::vector<std::string>{"model_1/layer_a/weights", "model_2/layer_a/weights"});
  CHECK(FormatSuggestText(s) ==
        "unresolved model_3/layer_a/weights: candidates model_1/layer_a/weights, "
        "model_2/layer_a/weights (2 candidates match the name equally well)\n");
  // Shape keeps incompatible names apart: with model_2's shape changed it is no candidate.
  const TensorStore ckpt2 =
      CkptOf({{"model_1/layer_a/weights", F32, {3, 3}}, {"model_2/layer_a/weights", F32, {3, 4}}});
  CHECK(SuggestMap(CheckCompat(ckpt2, expected)).rules.size() == 1);
}

// The tiny Google BERT's layer 0 (keras-bert-google-run-pretraining-tf1_11-tiny-ckpt, shapes
// from its index: hidden 4, intermediate 16) as PyTorch names against the TF names. Issue 10:
// suggest-map swapped intermediate/output (same shape once transposed) and left out the
// transposes of the square attention kernels.
TEST_CASE("suggest: PyTorch BERT names back to Google's, with transposes, never swapped") {
  const TensorStore pt = CkptOf({
      {"bert.encoder.layer.0.attention.self.query.weight", F32, {4, 4}},
      {"bert.encoder.layer.0.attention.self.key.weight", F32, {4, 4}},
      {"bert.encoder.layer.0.attention.output.dense.weight", F32, {4, 4}},
      {"bert.encoder.layer.0.attention.output.LayerNorm.weight", F32, {4}},
      {"bert.encoder.layer.0.attention.output.LayerNorm.bias", F32, {4}},
      {"bert.encoder.layer.0.intermediate.dense.weight", F32, {16, 4}},
      {"bert.encoder.layer.0.output.dense.weight", F32, {4, 16}},
      {"bert.encoder.layer.0.output.LayerNorm.weight", F32, {4}},
      {"bert.encoder.layer.0.output.LayerNorm.bias", F32, {4}},
      {"bert.embeddings.position_embeddings.weight", F32, {16, 4}},
      {"cls.predictions.bias", F32, {15}},
      {"cls.seq_relationship.weight", F32, {2, 4}},
  });
  const auto tf = Expected({
      {"bert/encoder/layer_0/attention/self/query/kernel", F32, {4, 4}},
      {"bert/encoder/layer_0/attention/self/key/kernel", F32, {4, 4}},
      {"bert/encoder/layer_0/attention/output/dense/kernel", F32, {4, 4}},
      {"bert/encoder/layer_0/attention/output/LayerNorm/gamma", F32, {4}},
      {"bert/encoder/layer_0/attention/output/LayerNorm/beta", F32, {4}},
      {"bert/encoder/layer_0/intermediate/dense/kernel", F32, {4, 16}},
      {"bert/encoder/layer_0/output/dense/kernel", F32, {16, 4}},
      {"bert/encoder/layer_0/output/LayerNorm/gamma", F32, {4}},
      {"bert/encoder/layer_0/output/LayerNorm/beta", F32, {4}},
      {"bert/embeddings/position_embeddings", F32, {16, 4}},
      {"cls/predictions/output_bias", F32, {15}},
      {"cls/seq_relationship/output_weights", F32, {2, 4}},
  });
  const SuggestReport s = SuggestMap(CheckCompat(pt, tf));
  CHECK(s.unresolved.empty());
  std::map<std::string, std::pair<std::string, bool>> got;
  for (const SuggestedRule& r : s.rules) {
    CHECK(!r.is_scope);
    CHECK(!r.why.empty());
    got[r.from] = {r.to, r.transpose};
  }
  using P = std::pair<std::string, bool>;
  const std::string l0 = "bert/encoder/layer_0/";
  CHECK(got["bert.encoder.layer.0.attention.self.query.weight"] ==
        P{l0 + "attention/self/query/kernel", true});
  CHECK(got["bert.encoder.layer.0.attention.self.key.weight"] ==
        P{l0 + "attention/self/key/kernel", true});
  CHECK(got["bert.encoder.layer.0.attention.output.dense.weight"] ==
        P{l0 + "attention/output/dense/kernel", true});
  CHECK(got["bert.encoder.layer.0.attention.output.LayerNorm.weight"] ==
        P{l0 + "attention/output/LayerNorm/gamma", false});
  CHECK(got["bert.encoder.layer.0.output.LayerNorm.bias"] ==
        P{l0 + "output/LayerNorm/beta", false});
  CHECK(got["bert.encoder.layer.0.intermediate.dense.weight"] ==
        P{l0 + "intermediate/dense/kernel", true});
  CHECK(got["bert.encoder.layer.0.output.dense.weight"] == P{l0 + "output/dense/kernel", true});
  CHECK(got["bert.embeddings.position_embeddings.weight"] ==
        P{"bert/embeddings/position_embeddings", false});
  CHECK(got["cls.predictions.bias"] == P{"cls/predictions/output_bias", false});
  CHECK(got["cls.seq_relationship.weight"] == P{"cls/seq_relationship/output_weights", false});
  CHECK(ToJson(s)["rules"][0].contains("why"));
}

TEST_CASE("suggest: a shape alone is never a rule, nor an undecidable layout") {
  SUBCASE("names share nothing: unresolved with the shape-only candidate") {
    const SuggestReport s = SuggestMap(
        CheckCompat(CkptOf({{"enc/proj", F32, {3, 5}}}), Expected({{"dec/table", F32, {3, 5}}})));
    CHECK(s.rules.empty());
    REQUIRE(s.unresolved.size() == 1);
    CHECK(s.unresolved[0].candidates == std::vector<std::string>{"enc/proj"});
    CHECK(s.unresolved[0].why.find("shape alone") != std::string::npos);
  }
  SUBCASE("LayerNorm weight is no candidate for beta, though every other segment matches") {
    const SuggestReport s = SuggestMap(CheckCompat(CkptOf({{"enc.LayerNorm.weight", F32, {4}}}),
                                                   Expected({{"enc/LayerNorm/beta", F32, {4}}})));
    CHECK(s.rules.empty());
    REQUIRE(s.unresolved.size() == 1);
  }
  SUBCASE("weights~weight on a square matrix: transpose or not cannot be told") {
    const SuggestReport s = SuggestMap(CheckCompat(CkptOf({{"fc1.weight", F32, {4, 4}}}),
                                                   Expected({{"fc1/weights", F32, {4, 4}}})));
    CHECK(s.rules.empty());
    REQUIRE(s.unresolved.size() == 1);
    CHECK(s.unresolved[0].candidates == std::vector<std::string>{"fc1.weight"});
    CHECK(s.unresolved[0].why.find("transpose") != std::string::npos);
  }
  SUBCASE("weights~weight, non-square: the shape shows the transpose") {
    const SuggestReport s = SuggestMap(CheckCompat(CkptOf({{"fc1.weight", F32, {4, 3}}}),
                                                   Expected({{"fc1/weights", F32, {3, 4}}})));
    REQUIRE(s.rules.size() == 1);
    CHECK(s.rules[0].transpose);
  }
  SUBCASE("kernel~weight with an untransposed non-square shape contradicts the names") {
    const SuggestReport s = SuggestMap(CheckCompat(CkptOf({{"fc1.weight", F32, {3, 4}}}),
                                                   Expected({{"fc1/kernel", F32, {3, 4}}})));
    CHECK(s.rules.empty());
  }
}

// The seed scenario: model_1/layer_a with a decoy layer_ab and Adam slots, expected under
// model_3/layer_a (the decoy stays where it is).
TEST_CASE("suggest: seed scenario with Adam slots and a decoy scope") {
  const TensorStore ckpt = CkptOf({{"model_1/layer_a/weights", F32, {3, 4}},
                                   {"model_1/layer_a/weights/Adam", F32, {3, 4}},
                                   {"model_1/layer_a/weights/Adam_1", F32, {3, 4}},
                                   {"model_1/layer_a/biases", F32, {4}},
                                   {"model_1/layer_a/biases/Adam", F32, {4}},
                                   {"model_1/layer_a/biases/Adam_1", F32, {4}},
                                   {"model_1/layer_ab/weights", F32, {3, 4}},
                                   {"global_step", DType::kInt64, {}}});
  const auto expected = Expected({{"model_3/layer_a/weights", F32, {3, 4}},
                                  {"model_3/layer_a/weights/Adam", F32, {3, 4}},
                                  {"model_3/layer_a/weights/Adam_1", F32, {3, 4}},
                                  {"model_3/layer_a/biases", F32, {4}},
                                  {"model_3/layer_a/biases/Adam", F32, {4}},
                                  {"model_3/layer_a/biases/Adam_1", F32, {4}},
                                  {"model_1/layer_ab/weights", F32, {3, 4}},
                                  {"global_step", DType::kInt64, {}}});
  for (bool model_only : {false, true}) {
    CheckOptions o;
    o.model_only = model_only;
    const SuggestReport s = SuggestMap(CheckCompat(ckpt, expected, o));
    CHECK(s.unresolved.empty());
    REQUIRE(s.rules.size() == 1);
    CHECK(s.rules[0].is_scope);
    CHECK(s.rules[0].from == "model_1/layer_a");
    CHECK(s.rules[0].to == "model_3/layer_a");
    CHECK(!s.rules[0].weak);
  }
}

TEST_CASE("check: model_only sets optimizer state and bookkeeping aside") {
  TensorStore ckpt =
      CkptOf({{"dense/kernel", F32, {2, 2}},
              {"dense/kernel/Adam", F32, {2, 2}},
              {"dense/kernel/Adam_1", F32, {2, 2}},
              {"beta1_power", F32, {}},
              {"global_step", DType::kInt64, {}},
              {"save_counter/.ATTRIBUTES/VARIABLE_VALUE", DType::kInt64, {}},
              {"model/layer/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE", F32, {2}},
              {"optimizer/iter/.ATTRIBUTES/VARIABLE_VALUE", DType::kInt64, {}}});
  TensorEntry graph;
  graph.name = "_CHECKPOINTABLE_OBJECT_GRAPH";
  graph.dtype = DType::kString;
  graph.is_metadata = true;
  REQUIRE(ckpt.Add(graph).ok());
  const auto expected = Expected({{"dense/kernel", F32, {2, 2}}});
  const CheckReport plain = CheckCompat(ckpt, expected);
  CHECK(plain.Compatible());  // unused entries do not prevent a restore
  CHECK(plain.Count(CheckCategory::kUnused) == 8);
  CheckOptions o;
  o.model_only = true;
  const CheckReport r = CheckCompat(ckpt, expected, o);
  CHECK(r.Count(CheckCategory::kSetAside) == 8);
  CHECK(r.Count(CheckCategory::kUnused) == 0);
  CHECK(r.Count(CheckCategory::kRestorable) == 1);
  CHECK(FormatCheckText(r).find("  global_step  int64 [] (checkpoint)\n") != std::string::npos);
  o.set_aside = [](std::string_view name) { return name == "global_step"; };
  CHECK(CheckCompat(ckpt, expected, o).Count(CheckCategory::kSetAside) == 2);  // + graph
  CheckOptions ignore;
  ignore.ignore_unused = {"*Adam*", "*_power"};
  CHECK(CheckCompat(ckpt, expected, ignore).Count(CheckCategory::kUnused, false) == 5);  // 8 - 3
}

TEST_CASE("manifest: schema and located errors") {
  auto ok = ParseManifest(R"({"format": "rescope-manifest", "variables": [
      {"name": "dense/kernel", "dtype": "float32", "shape": [784, 10], "bytes": 31360},
      {"name": "step", "dtype": "int64", "shape": []},
      {"name": "s", "dtype": "string", "shape": [2], "bytes": 17, "extra": 1}]})",
                          "model.json");
  REQUIRE_MESSAGE(ok.ok(), ok.status().message());
  REQUIRE(ok->size() == 3);
  CHECK((*ok)[0].name == "dense/kernel");
  CHECK((*ok)[0].dtype == DType::kFloat32);
  CHECK((*ok)[0].shape == std::vector<int64_t>{784, 10});
  CHECK((*ok)[0].bytes == 31360u);
  CHECK((*ok)[1].shape.empty());
  CHECK(!(*ok)[1].bytes.has_value());

  auto err = [](std::string_view text) {
    auto r = ParseManifest(text, "model.json");
    REQUIRE(!r.ok());
    CHECK(r.status().code() == StatusCode::kInvalidArgument);
    return r.status().message();
  };
  CHECK(err(R"({"variables": [{"name": "a", "dtype": "float32", "shape": [1]},
                 {"name": "b", "dtype": "floatt", "shape": [1]}]})") ==
        "model.json: variables[1] (\"b\"): \"dtype\": unknown dtype \"floatt\"");
  CHECK(err(R"({"variables": [{"dtype": "float32", "shape": [1]}]})") ==
        "model.json: variables[0]: \"name\": expected a non-empty string");
  CHECK(err(R"({"variables": [{"name": "a", "dtype": "float32", "shape": [-1]}]})") ==
        "model.json: variables[0] (\"a\"): \"shape\": expected an array of non-negative integers");
  CHECK(err(R"({"variables": [{"name": "a", "dtype": "float32", "shape": [2], "bytes": 4}]})") ==
        "model.json: variables[0] (\"a\"): \"bytes\": 4 does not match float32 [2] (expected 8)");
  CHECK(err(R"({"variables": [{"name": "a", "dtype": "int8", "shape": []},
                 {"name": "a", "dtype": "int8", "shape": []}]})") ==
        "model.json: variables[1] (\"a\"): duplicate name (first at variables[0])");
  CHECK(err(R"({"format": 1, "variables": []})") == "model.json: \"format\": expected a string");
  CHECK(err(R"({"vars": []})") ==
        "model.json: \"variables\": missing: not a manifest (`rescope ls --json` writes one), "
        "which lists the expected variables under \"variables\"");
  CHECK(err(R"({"variables": {}})") == "model.json: \"variables\": expected an array of variables");
  CHECK(err("[1]") == "model.json: top level: expected a JSON object");
  CHECK(err("{").starts_with("model.json: invalid JSON: parse error at line 1, column 2"));
  // A number too large for a double is an out_of_range error inside the JSON parser.
  CHECK(err(R"({"format": 7e6666})").starts_with("model.json: invalid JSON: "));
}
