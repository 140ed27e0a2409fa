// SPDX-License-Identifier: Apache-2.0
// Renames that must reach optimizer state kept under another object's path: TF2 slot keys
// follow an optimizer rename (FORMATS.md §3.3: `<var>/.OPTIMIZER_SLOT/<optimizer path>/
// <slot>`), Keras 2 optimizer weights follow their layer (names as tf_keras 2.21 and the
// real files in testdata/real write them), and object graphs compare by meaning.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/rename/keras_optimizer_names.h"
#include "core/rename/rename_plan.h"
#include "core/rename/tf2_slot_key.h"
#include "formats/tf_bundle/object_graph_store.h"

using namespace rescope;

namespace {

using Names = std::vector<std::string>;

RenameMap InlineMap(const Names& rules) {
  RenameMap map;
  for (const std::string& r : rules) REQUIRE(map.AddInlineRule(r).ok());
  return map;
}

// old -> new ("-" for dropped) of every change of the plan, in plan order.
Names Changes(const RenamePlan& plan) {
  Names out;
  for (const RenameChange& c : plan.changes) {
    out.push_back(c.old_name + " -> " + (c.dropped ? "-" : c.new_name));
  }
  return out;
}

// The keys of the tfx adam-slots checkpoint (testdata/real PROVENANCE.md) for one layer.
const Names kTf2Keys = {
    "layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE",
    "layer_with_weights-0/kernel/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE",
    "layer_with_weights-0/kernel/.OPTIMIZER_SLOT/optimizer/v/.ATTRIBUTES/VARIABLE_VALUE",
    "optimizer/iter/.ATTRIBUTES/VARIABLE_VALUE",
};

}  // namespace

TEST_CASE("tf2 slot keys: the optimizer path follows an optimizer rename") {
  const RenameMap map = InlineMap({"optimizer/=opt/"});
  const RenamePlan plan = PlanRename(kTf2Keys, map, {});
  REQUIRE(plan.ok());
  CHECK(Changes(plan) ==
        Names{"layer_with_weights-0/kernel/.OPTIMIZER_SLOT/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE"
              " -> layer_with_weights-0/kernel/.OPTIMIZER_SLOT/opt/m/.ATTRIBUTES/VARIABLE_VALUE",
              "layer_with_weights-0/kernel/.OPTIMIZER_SLOT/optimizer/v/.ATTRIBUTES/VARIABLE_VALUE"
              " -> layer_with_weights-0/kernel/.OPTIMIZER_SLOT/opt/v/.ATTRIBUTES/VARIABLE_VALUE",
              "optimizer/iter/.ATTRIBUTES/VARIABLE_VALUE -> opt/iter/.ATTRIBUTES/VARIABLE_VALUE"});
  CHECK(plan.changes[0].rule_index == 0);
}

TEST_CASE("tf2 slot keys: variable and optimizer renames both apply") {
  const RenameMap map = InlineMap({"layer_with_weights-0/=encoder/", "optimizer/=opt/"});
  const RenamePlan plan = PlanRename(kTf2Keys, map, {});
  REQUIRE(plan.ok());
  CHECK(plan.NewName(kTf2Keys[1]) ==
        "encoder/kernel/.OPTIMIZER_SLOT/opt/m/.ATTRIBUTES/VARIABLE_VALUE");
  CHECK(plan.NewName(kTf2Keys[0]) == "encoder/kernel/.ATTRIBUTES/VARIABLE_VALUE");
  CHECK(plan.unmatched_rules.empty());
}

TEST_CASE("tf2 slot keys: segment boundaries, drops and rules that do not keep the slot name") {
  CHECK(!MatchOptimizerPath(kTf2Keys[1], InlineMap({"optim/=x/"})));      // not a whole segment
  CHECK(!MatchOptimizerPath(kTf2Keys[0], InlineMap({"optimizer/=x/"})));  // no slot marker
  auto dropped = MatchOptimizerPath(kTf2Keys[1], [] {
    RenameMap m;
    REQUIRE(m.AddDrop("optimizer/").ok());
    return m;
  }());
  REQUIRE(dropped);
  CHECK(dropped->drop);
  // A rule that rewrites the slot name itself is not applied to the slot key (the object
  // graph rewrite then refuses the inconsistent result instead of writing it).
  CHECK(!MatchOptimizerPath(kTf2Keys[1], InlineMap({"optimizer/m/=optimizer/q/"})));
  // A nested optimizer path moves with its scope.
  const auto nested = MatchOptimizerPath(
      "model/d/kernel/.OPTIMIZER_SLOT/model/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE",
      InlineMap({"model/=net/"}));
  REQUIRE(nested);
  CHECK(nested->new_name ==
        "model/d/kernel/.OPTIMIZER_SLOT/net/optimizer/m/.ATTRIBUTES/VARIABLE_VALUE");
}

TEST_CASE("keras 2 optimizer weights follow their layer, in every naming tf.keras used") {
  // tf_keras 2.21 new optimizer (`Adam/m/dense_1/kernel:0`), legacy optimizer
  // (`Adam/dense_1/kernel/m:0`), TF 2.0-2.10 (`training/Adam/dense_1/kernel/m:0`).
  const Names names = {
      "dense_1/bias",
      "dense_1/kernel",
      "dense_10/kernel",
      "optimizer_weights/Adam/dense_1/kernel/m",
      "optimizer_weights/Adam/dense_10/kernel/m",
      "optimizer_weights/Adam/iter",
      "optimizer_weights/Adam/m/dense_1/bias",
      "optimizer_weights/training/Adam/dense_1/kernel/v",
  };
  const RenamePlan plan = PlanRename(names, InlineMap({"dense_1/=encoder/"}), {});
  REQUIRE(plan.ok());
  CHECK(Changes(plan) == Names{"dense_1/bias -> encoder/bias", "dense_1/kernel -> encoder/kernel",
                               "optimizer_weights/Adam/dense_1/kernel/m -> "
                               "optimizer_weights/Adam/encoder/kernel/m",
                               "optimizer_weights/Adam/m/dense_1/bias -> "
                               "optimizer_weights/Adam/m/encoder/bias",
                               "optimizer_weights/training/Adam/dense_1/kernel/v -> "
                               "optimizer_weights/training/Adam/encoder/kernel/v"});
  CHECK(plan.unchanged == Names{"dense_10/kernel", "optimizer_weights/Adam/dense_10/kernel/m",
                                "optimizer_weights/Adam/iter"});
  for (const RenameChange& c : plan.changes) CHECK(c.rule_index == 0);
}

TEST_CASE("keras 2 optimizer weights: an explicit rule wins, the longest variable path is used") {
  const Names names = {"a/b", "b", "optimizer_weights/Adam/a/b/m", "optimizer_weights/Adam/b/m"};
  const RenamePlan plan =
      PlanRename(names, InlineMap({"a/b=x/y", "b=z", "optimizer_weights/Adam/b/m=keep/m"}), {});
  // The explicit rule moves the optimizer weight out of optimizer_weights/; the writer
  // refuses that, but the plan must not overrule the user's rule.
  CHECK(plan.NewName("optimizer_weights/Adam/b/m") == "keep/m");
  CHECK(plan.NewName("optimizer_weights/Adam/a/b/m") == "optimizer_weights/Adam/x/y/m");
  const auto followed = FollowRenamedVariable("optimizer_weights/Adam/a/b/m", {{"b", "z"}});
  REQUIRE(followed);
  CHECK(followed->first == "optimizer_weights/Adam/a/z/m");
  CHECK(!FollowRenamedVariable("Adam/a/b/m", {{"b", "z"}}));
}

TEST_CASE("object graphs compare by meaning: the first difference in words") {
  using namespace rescope::tfgraph;
  ObjectGraph a;
  a.nodes.resize(2);
  a.nodes[0].children.push_back({1, "dense_1", {}});
  a.nodes[1].attributes.push_back({"VARIABLE_VALUE", "", "dense_1/.ATTRIBUTES/VARIABLE_VALUE", {}});
  ObjectGraph b = a;
  CHECK(FirstGraphDifference(a, b).empty());
  b.nodes[0].children[0].local_name = "encoder";
  CHECK(FirstGraphDifference(a, b) ==
        "node 0 child #0: \"dense_1\" -> node 1 vs \"encoder\" -> node 1");
  b = a;
  b.nodes[1].attributes[0].checkpoint_key = "x/.ATTRIBUTES/VARIABLE_VALUE";
  CHECK(FirstGraphDifference(a, b) ==
        "node 1 attribute #0: \"VARIABLE_VALUE\" key \"dense_1/.ATTRIBUTES/VARIABLE_VALUE\" vs "
        "\"VARIABLE_VALUE\" key \"x/.ATTRIBUTES/VARIABLE_VALUE\"");
  b = a;
  b.nodes.emplace_back();
  CHECK(FirstGraphDifference(a, b) == "2 vs 3 nodes");
}
