// SPDX-License-Identifier: Apache-2.0
// End-to-end rename scenarios through the library (plan, apply, write, re-open): the
// TF1 scope move of testdata/scopes, optimizer dropping and conflicts, and TF2 scope
// renames whose object graph must stay consistent with the index.
#include <doctest/doctest.h>

#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "core/rename/rename_plan.h"
#include "formats/verify.h"
#include "rename_test_util.h"

using namespace rescope;
using namespace rescope::rename_test;

namespace {

std::vector<std::string> Names(const TensorStore& store) {
  std::vector<std::string> out;
  for (const auto& [name, e] : store) out.push_back(name);
  return out;
}

float FloatAt(const std::string& bytes, size_t i) {
  float f = 0;
  REQUIRE(bytes.size() >= 4 * (i + 1));
  std::memcpy(&f, bytes.data() + 4 * i, 4);
  return f;
}

void CheckVerifies(const Checkpoint& ckpt) {
  const VerifyReport report = VerifyCheckpoint(ckpt);
  for (const VerifyFailure& f : report.failures) FAIL_CHECK(f.name << ": " << f.problem);
  CHECK(report.checked == ckpt.store.size());
}

// Every entry of `out` holds the same bytes, dtype and shape as `source`'s entry under
// the name `old_name_of` gives back.
template <typename OldName>
void CheckSameTensors(const Checkpoint& source, const Checkpoint& out, OldName old_name_of) {
  for (const auto& [name, e] : out.store) {
    if (name == tfbundle::kObjectGraphKey) continue;  // rewritten; checked separately
    CAPTURE(name);
    const TensorEntry* before = source.store.Find(old_name_of(name));
    REQUIRE(before != nullptr);
    CHECK(e.dtype == before->dtype);
    CHECK(e.shape == before->shape);
    CHECK(TensorBytes(e) == TensorBytes(*before));
  }
}

}  // namespace

TEST_CASE("rename scenario: moving scope model_1/layer_a to model_3/layer_a") {
  ScratchDir tmp;
  const Checkpoint source = OpenBundle(ScopesPrefix());
  const RenameMap map = InlineRules({"model_1/layer_a/=model_3/layer_a/"});
  const RenamePlan plan = PlanRename(RenamableNames(source.store), map, {});
  REQUIRE(plan.ok());
  // Exactly the layer_a variables and their Adam slots; layer_ab shares the prefix only.
  std::vector<std::string> moved;
  for (const RenameChange& c : plan.changes) {
    CHECK_FALSE(c.dropped);
    CHECK(c.new_name == "model_3/layer_a/" + c.old_name.substr(std::strlen("model_1/layer_a/")));
    moved.push_back(c.old_name);
  }
  CHECK(moved == std::vector<std::string>{"model_1/layer_a/biases", "model_1/layer_a/biases/Adam",
                                          "model_1/layer_a/biases/Adam_1",
                                          "model_1/layer_a/weights", "model_1/layer_a/weights/Adam",
                                          "model_1/layer_a/weights/Adam_1"});
  CHECK(plan.unchanged == std::vector<std::string>{"beta1_power", "beta2_power", "global_step",
                                                   "model_1/layer_ab/weights",
                                                   "model_2/layer_b/biases",
                                                   "model_2/layer_b/weights"});

  auto report = tfbundle::WriteTfBundle(source, ApplyPlan(source.store, plan), tmp / "out", {});
  REQUIRE_MESSAGE(report.ok(), report.status().message());
  const Checkpoint out = OpenBundle(tmp / "out");
  CHECK(Names(out.store) ==
        std::vector<std::string>{"beta1_power", "beta2_power", "global_step",
                                 "model_1/layer_ab/weights", "model_2/layer_b/biases",
                                 "model_2/layer_b/weights", "model_3/layer_a/biases",
                                 "model_3/layer_a/biases/Adam", "model_3/layer_a/biases/Adam_1",
                                 "model_3/layer_a/weights", "model_3/layer_a/weights/Adam",
                                 "model_3/layer_a/weights/Adam_1"});
  CheckSameTensors(source, out, [](const std::string& name) {
    return name.rfind("model_3/", 0) == 0 ? "model_1/" + name.substr(8) : name;
  });
  // Values from tests/tools/make_testdata.cc: weights[i] = -1 + 0.25 i, biases = 0.5 + 0.5 i.
  const std::string w = TensorBytes(*out.store.Find("model_3/layer_a/weights"));
  CHECK(FloatAt(w, 0) == -1.0f);
  CHECK(FloatAt(w, 11) == 1.75f);
  CHECK(FloatAt(TensorBytes(*out.store.Find("model_3/layer_a/biases")), 3) == 2.0f);
  CHECK(FloatAt(TensorBytes(*out.store.Find("model_1/layer_ab/weights")), 3) == 4.0f);
  CheckVerifies(out);
}

TEST_CASE("rename scenario: drop_optimizer removes slots and beta powers") {
  ScratchDir tmp;
  const Checkpoint source = OpenBundle(ScopesPrefix());
  PlanOptions options;
  options.drop_optimizer = true;
  auto report = RenameTo(source, InlineRules({"model_1/layer_a/=model_3/layer_a/"}), tmp / "out",
                         {}, options);
  REQUIRE_MESSAGE(report.ok(), report.status().message());
  const Checkpoint out = OpenBundle(tmp / "out");
  CHECK(Names(out.store) ==
        std::vector<std::string>{"global_step", "model_1/layer_ab/weights",
                                 "model_2/layer_b/biases", "model_2/layer_b/weights",
                                 "model_3/layer_a/biases", "model_3/layer_a/weights"});
  CheckSameTensors(source, out, [](const std::string& name) {
    return name.rfind("model_3/", 0) == 0 ? "model_1/" + name.substr(8) : name;
  });
  CheckVerifies(out);
}

TEST_CASE("rename scenario: a conflict is a plan error naming both sources") {
  const Checkpoint source = OpenBundle(ScopesPrefix());
  const RenameMap map = InlineRules({"model_1/layer_a/weights=w", "model_2/layer_b/weights=w"});
  const RenamePlan plan = PlanRename(RenamableNames(source.store), map, {});
  CHECK(plan.errors ==
        std::vector<std::string>{
            "\"model_1/layer_a/weights\" (--rule #1) and \"model_2/layer_b/weights\" "
            "(--rule #2) would both be renamed to \"w\""});
  const RenamePlan onto = PlanRename(RenamableNames(source.store),
                                     InlineRules({"model_1/layer_a/weights=global_step"}), {});
  CHECK(onto.errors ==
        std::vector<std::string>{"\"model_1/layer_a/weights\" (--rule #1) would be renamed to "
                                 "\"global_step\", which already exists and is neither renamed nor "
                                 "dropped"});
}

namespace {

struct Tf2Case {
  const char* prefix;  // under RESCOPE_TESTDATA_DIR
  const char* rule;
  std::vector<std::string> parent_path;  // local names from the root to the renamed edge's owner
  const char* old_edge;
  const char* new_edge;
  size_t renamed;
};

// Index of the child of node `node` named `local_name`; fails the test when absent.
size_t ChildIndex(const tfgraph::ObjectGraph& g, int32_t node, const std::string& local_name) {
  const auto& children = g.nodes[static_cast<size_t>(node)].children;
  for (size_t i = 0; i < children.size(); ++i) {
    if (children[i].local_name == local_name) return i;
  }
  FAIL("node " << node << " has no child " << local_name);
  return 0;
}

void RunTf2Case(const Tf2Case& c) {
  const std::string prefix = RealDir() + "/" + c.prefix;
  if (!FileExists(prefix + ".index")) {
    MESSAGE("skipped: " << prefix << ".index not found");
    return;
  }
  const std::string label = c.prefix;
  CAPTURE(label);
  ScratchDir tmp;
  const Checkpoint source = OpenBundle(prefix);
  const tfgraph::ObjectGraph before = CheckGraphMatchesIndex(source);
  const RenameMap map = InlineRules({c.rule});
  const RenamePlan plan = PlanRename(RenamableNames(source.store), map, {});
  REQUIRE(plan.ok());
  CHECK(plan.changes.size() == c.renamed);
  auto report = tfbundle::WriteTfBundle(source, ApplyPlan(source.store, plan), tmp / "out", {});
  REQUIRE_MESSAGE(report.ok(), report.status().message());
  CHECK(report->graph_rewritten);
  const Checkpoint out = OpenBundle(tmp / "out");
  const tfgraph::ObjectGraph after = CheckGraphMatchesIndex(out);
  CheckVerifies(out);
  CheckSameTensors(source, out, [&](const std::string& name) {
    for (const RenameChange& ch : plan.changes) {
      if (ch.new_name == name) return ch.old_name;
    }
    return name;
  });

  // The graph changed in exactly one place: the edge's local_name.
  int32_t owner = 0;
  for (const std::string& step : c.parent_path) {
    owner =
        before.nodes[static_cast<size_t>(owner)].children[ChildIndex(before, owner, step)].node_id;
  }
  tfgraph::ObjectGraph expected = before;
  auto& edge =
      expected.nodes[static_cast<size_t>(owner)].children[ChildIndex(before, owner, c.old_edge)];
  edge.local_name = c.new_edge;
  for (auto& node : expected.nodes) {
    for (auto& attr : node.attributes) attr.checkpoint_key = plan.NewName(attr.checkpoint_key);
  }
  CHECK(after.nodes.size() == before.nodes.size());
  CHECK(after == expected);
}

}  // namespace

TEST_CASE("rename scenario: TF2 scope renames rewrite the object graph") {
  SUBCASE("Keras model: a top-level layer") {
    RunTf2Case({"tfx-keras-savedmodel-adam-slots/variables",
                "layer_with_weights-1/=dense_mid/",
                {},
                "layer_with_weights-1",
                "dense_mid",
                6});
  }
  SUBCASE("tf.train.Checkpoint: a nested encoder") {
    RunTf2Case({"tfranking-bert-lite-tf2-checkpoint-save-counter/bert_lite_tf2.ckpt",
                "model/layer_with_weights-4/=model/encoder/",
                {"model"},
                "layer_with_weights-4",
                "encoder",
                16});
  }
}

TEST_CASE("rename scenario: a TF2 rename that changes depth is refused and writes nothing") {
  const std::string prefix = RealDir() + "/tfx-keras-savedmodel-adam-slots/variables";
  if (!FileExists(prefix + ".index")) {
    MESSAGE("skipped: " << prefix << ".index not found");
    return;
  }
  ScratchDir tmp;
  const Checkpoint source = OpenBundle(prefix);
  auto report = RenameTo(source, InlineRules({"layer_with_weights-1/=a/b/"}), tmp / "out");
  REQUIRE_FALSE(report.ok());
  CHECK(report.status().code() == StatusCode::kInvalidArgument);
  const std::string& message = report.status().message();
  CHECK(message.rfind("object graph: cannot rename \"layer_with_weights-1/", 0) == 0);
  CHECK(message.find("(2 segments) would become \"a/b/") != std::string::npos);
  CHECK(message.ends_with("objects can only be renamed in place, not moved to another depth"));
  CHECK(ListDir(tmp.path()).empty());
}
