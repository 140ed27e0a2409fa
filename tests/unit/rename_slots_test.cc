// SPDX-License-Identifier: Apache-2.0
// Optimizer slots follow their variable in every TF1 layout; rules that match nothing are
// errors with a suggestion; scopes split on the checkpoint's separator. Names are written
// by hand from the layouts TF1 optimizers, tensor2tensor and Estimators produce
// (core/rename/optimizer_slots.h), and read from the real files of testdata/real (PROVENANCE.md).
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "core/rename/optimizer_slots.h"
#include "core/rename/rename_plan.h"
#include "judge_python.h"
#include "rename_test_util.h"

using namespace rescope;
using namespace rescope::rename_test;

namespace {

using Names = std::vector<std::string>;

// old -> new for every renamed entry, "-" for dropped, as "old=new" strings.
Names Moves(const RenamePlan& plan) {
  Names out;
  for (const RenameChange& c : plan.changes) {
    out.push_back(c.old_name + "=" + (c.dropped ? std::string("-") : c.new_name));
  }
  return out;
}

bool HasMessage(const Names& messages, const std::string& part) {
  return std::any_of(messages.begin(), messages.end(),
                     [&](const std::string& m) { return m.find(part) != std::string::npos; });
}

RenamePlan Plan(const Names& names, std::initializer_list<const char*> rules,
                PlanOptions options = {}) {
  return PlanRename(names, InlineRules(rules), options);
}

bool HaveRealData() {
  if (std::filesystem::is_directory(RealDir())) return true;
  if (rescope::test::JudgesRequired()) FAIL("real test data " << RealDir() << " not found");
  MESSAGE("skipped: real test data " << RealDir() << " not found");
  return false;
}

}  // namespace

TEST_CASE("slots: layouts of TF1 optimizers are attributed to their variable") {
  const Names names = {"dnn/w",
                       "dnn/w/Adam",
                       "dnn/w/Adam_1",
                       "training/dnn/w/Adam",
                       "training/Adagrad/dnn/w/accumulator",
                       "Ftrl/dnn/w/linear",
                       "dnn/w/ExponentialMovingAverage",
                       "dnn/w/RMSProp_1",
                       "dnn/m",           // a variable named like a Keras slot
                       "dnn/x/Momentum",  // its variable is not in the set
                       "training/beta1_power"};
  const SlotAttribution slots = AttributeSlots(names, '/');
  for (const char* slot :
       {"dnn/w/Adam", "dnn/w/Adam_1", "training/dnn/w/Adam", "training/Adagrad/dnn/w/accumulator",
        "Ftrl/dnn/w/linear", "dnn/w/ExponentialMovingAverage", "dnn/w/RMSProp_1"}) {
    CAPTURE(slot);
    const SlotOwner* owner = slots.Find(slot);
    REQUIRE(owner != nullptr);
    CHECK(owner->owner == "dnn/w");
    CHECK(owner->prefix + owner->owner + owner->suffix == slot);
  }
  CHECK(slots.Find("dnn/m") == nullptr);  // `m` is a slot name only inside <Opt>/
  CHECK(slots.Find("training/beta1_power") == nullptr);
  CHECK(slots.unattributed.count("dnn/x/Momentum") == 1);
  CHECK(AttributeSlots(names, '.').slots.empty());  // dotted formats keep no TF1 slots
}

TEST_CASE("slots: an entry two variables could own is attributed to neither") {
  const SlotAttribution slots = AttributeSlots({"w", "training/w", "training/w/Adam"}, '/');
  CHECK(slots.Find("training/w/Adam") == nullptr);
  REQUIRE(slots.ambiguous.count("training/w/Adam") == 1);
  CHECK(slots.ambiguous.at("training/w/Adam").size() == 2);
  // A rename of either owner leaves the entry in place and names it in a warning.
  const RenamePlan plan = Plan({"w", "training/w", "training/w/Adam"}, {"w=v"});
  REQUIRE(plan.ok());
  CHECK(Moves(plan) == Names{"w=v"});
  CHECK(HasMessage(plan.warnings, "\"training/w/Adam\" may be optimizer state of"));
}

TEST_CASE("slots: exact-name and scope rules carry slots in every layout") {
  const Names names = {"dnn/hiddenlayer_0/kernel",
                       "dnn/hiddenlayer_0/bias",
                       "dnn/hiddenlayer_1/kernel",
                       "training/Adagrad/dnn/hiddenlayer_0/kernel/accumulator",
                       "training/Adagrad/dnn/hiddenlayer_0/bias/accumulator",
                       "training/Adagrad/dnn/hiddenlayer_1/kernel/accumulator",
                       "training/Adagrad/decay",
                       "training/dnn/hiddenlayer_0/kernel/Adam",
                       "training/dnn/hiddenlayer_0/kernel/Adam_1",
                       "dnn/hiddenlayer_0/kernel/Momentum"};
  SUBCASE("scope rule") {
    const RenamePlan plan = Plan(names, {"dnn/hiddenlayer_0/=dnn/h0/"});
    REQUIRE(plan.ok());
    CHECK(Moves(plan) ==
          Names{"dnn/hiddenlayer_0/bias=dnn/h0/bias", "dnn/hiddenlayer_0/kernel=dnn/h0/kernel",
                "dnn/hiddenlayer_0/kernel/Momentum=dnn/h0/kernel/Momentum",
                "training/Adagrad/dnn/hiddenlayer_0/bias/accumulator="
                "training/Adagrad/dnn/h0/bias/accumulator",
                "training/Adagrad/dnn/hiddenlayer_0/kernel/accumulator="
                "training/Adagrad/dnn/h0/kernel/accumulator",
                "training/dnn/hiddenlayer_0/kernel/Adam=training/dnn/h0/kernel/Adam",
                "training/dnn/hiddenlayer_0/kernel/Adam_1=training/dnn/h0/kernel/Adam_1"});
    const RenameChange* slot = plan.FindChange("training/dnn/hiddenlayer_0/kernel/Adam");
    REQUIRE(slot != nullptr);
    CHECK(slot->is_slot);
    CHECK(slot->follows == "dnn/hiddenlayer_0/kernel");
    CHECK(slot->rule_index == 0);
  }
  SUBCASE("exact-name rule") {
    const RenamePlan plan = Plan(names, {"dnn/hiddenlayer_1/kernel=dnn/h1/w"});
    REQUIRE(plan.ok());
    CHECK(Moves(plan) == Names{"dnn/hiddenlayer_1/kernel=dnn/h1/w",
                               "training/Adagrad/dnn/hiddenlayer_1/kernel/accumulator="
                               "training/Adagrad/dnn/h1/w/accumulator"});
  }
  SUBCASE("dropping a variable drops its slots") {
    RenameMap map;
    REQUIRE(map.AddDrop("dnn/hiddenlayer_1/").ok());
    const RenamePlan plan = PlanRename(names, map, {});
    REQUIRE(plan.ok());
    CHECK(Moves(plan) == Names{"dnn/hiddenlayer_1/kernel=-",
                               "training/Adagrad/dnn/hiddenlayer_1/kernel/accumulator=-"});
  }
  SUBCASE("a rule on the slot itself wins over following") {
    const RenamePlan plan =
        Plan(names, {"dnn/hiddenlayer_1/kernel=dnn/h1/kernel",
                     "training/Adagrad/dnn/hiddenlayer_1/kernel/accumulator=acc"});
    REQUIRE(plan.ok());
    CHECK(plan.NewName("training/Adagrad/dnn/hiddenlayer_1/kernel/accumulator") == "acc");
  }
}

TEST_CASE("slots: pieces of a partitioned variable and their slots follow a rule on it") {
  const Names names = {"emb/part_0", "emb/part_1", "emb/part_0/Adam", "training/emb/part_1/Adam",
                       "emb2/part_0"};
  const RenamePlan plan = Plan(names, {"emb=embedding"});
  REQUIRE(plan.ok());
  CHECK(Moves(plan) == Names{"emb/part_0=embedding/part_0", "emb/part_0/Adam=embedding/part_0/Adam",
                             "emb/part_1=embedding/part_1",
                             "training/emb/part_1/Adam=training/embedding/part_1/Adam"});
}

TEST_CASE("slots: a slot-like entry whose variable is missing is named, never guessed") {
  const RenamePlan plan = Plan({"a/w", "training/Adagrad/a/gone/accumulator"}, {"a/=b/"});
  REQUIRE(plan.ok());
  CHECK(Moves(plan) == Names{"a/w=b/w"});
  CHECK(HasMessage(plan.warnings,
                   "\"training/Adagrad/a/gone/accumulator\" looks like optimizer "
                   "state of \"a/gone\", which is not in the checkpoint"));
}

TEST_CASE("unmatched rules are errors naming the nearest scope") {
  const Names names = {"dnn/hiddenlayer_0/kernel", "dnn/hiddenlayer_0/bias", "global_step"};
  const RenamePlan plan = Plan(names, {"dnn/hidenlayer_0/=dnn/h0/", "global_stp=step"});
  CHECK(!plan.ok());
  CHECK(HasMessage(plan.errors,
                   "--rule #1 (dnn/hidenlayer_0/=dnn/h0/): matched no variable; did you mean "
                   "dnn/hiddenlayer_0/?"));
  CHECK(HasMessage(plan.errors,
                   "--rule #2 (global_stp=step): matched no variable; did you mean "
                   "global_step?"));
  PlanOptions allow;
  allow.allow_unmatched = true;
  const RenamePlan allowed = Plan(names, {"dnn/hidenlayer_0/=dnn/h0/"}, allow);
  CHECK(allowed.ok());
  CHECK(HasMessage(allowed.warnings, "matched no variable"));
}

TEST_CASE("a map with unresolved entries is refused unless unmatched entries are allowed") {
  auto map = RenameMap::ParseJson(
      R"({"rules": [{"scope": "a", "to": "b"}], "unresolved": [{"to": "x", "candidates": []}]})",
      "m.json");
  REQUIRE(map.ok());
  const RenamePlan plan = PlanRename({"a/w"}, *map, {});
  CHECK(!plan.ok());
  CHECK(HasMessage(plan.errors, "m.json: unresolved #1 (for \"x\", 0 candidates): not a rule"));
  PlanOptions allow;
  allow.allow_unmatched = true;
  CHECK(PlanRename({"a/w"}, *map, allow).ok());
}

TEST_CASE("dotted names: scopes split on '.' and match whole segments") {
  PlanOptions dotted;
  dotted.separator = '.';
  const Names names = {"fc1.weight", "fc1.bias", "fc10.weight", "norm1.running_mean"};
  const RenamePlan plan = Plan(names, {"fc1.=dense1."}, dotted);
  REQUIRE(plan.ok());
  CHECK(Moves(plan) == Names{"fc1.bias=dense1.bias", "fc1.weight=dense1.weight"});
  // Written with '/', the scope means the same on dotted names.
  CHECK(Moves(Plan(names, {"fc1/=dense1/"}, dotted)) == Moves(plan));
  // A '.'-written scope on '/'-separated names is refused, not matched on '/'.
  const RenamePlan slash = Plan({"fc1/weight", "fc1./x"}, {"fc1.=dense1."});
  CHECK(HasMessage(slash.errors, "this checkpoint's names are separated by '/'"));
}

TEST_CASE("real t2t checkpoint: every training/<var>/Adam slot moves with its scope") {
  if (!HaveRealData()) return;
  const Checkpoint ckpt = OpenBundle(RealDir() + "/t2t-transformer-2shard-adam/model.ckpt-1");
  const RenamePlan plan = PlanStoreRename(
      ckpt.store, InlineRules({"transformer/body/decoder/=transformer/body/dec/"}), {});
  REQUIRE(plan.ok());
  size_t slots = 0, variables = 0;
  for (const auto& [name, entry] : ckpt.store) {
    const bool variable = name.starts_with("transformer/body/decoder/");
    const bool slot = name.starts_with("training/transformer/body/decoder/");
    if (!variable && !slot) {
      CHECK(plan.FindChange(name) == nullptr);
      continue;
    }
    ++(slot ? slots : variables);
    std::string expected = name;
    expected.replace(expected.find("/decoder/"), 9, "/dec/");
    CHECK(plan.NewName(name) == expected);
  }
  CHECK(variables > 0);
  CHECK(slots == 2 * variables);  // Adam and Adam_1 per variable
}

TEST_CASE("real Estimator checkpoint: Adagrad accumulators move with their layer") {
  if (!HaveRealData()) return;
  const Checkpoint ckpt = OpenBundle(RealDir() + "/tfx-estimator-wide-deep-3ckpts/model.ckpt-1000");
  const RenamePlan plan =
      PlanStoreRename(ckpt.store, InlineRules({"dnn/hiddenlayer_0/=dnn/h0/"}), {});
  REQUIRE(plan.ok());
  CHECK(Moves(plan) == Names{"dnn/hiddenlayer_0/bias=dnn/h0/bias",
                             "dnn/hiddenlayer_0/kernel=dnn/h0/kernel",
                             "training/Adagrad/dnn/hiddenlayer_0/bias/accumulator="
                             "training/Adagrad/dnn/h0/bias/accumulator",
                             "training/Adagrad/dnn/hiddenlayer_0/kernel/accumulator="
                             "training/Adagrad/dnn/h0/kernel/accumulator"});
  // The typo of the issue: an error with the scope that exists.
  const RenamePlan typo =
      PlanStoreRename(ckpt.store, InlineRules({"dnn/hidenlayer_0/=dnn/h0/"}), {});
  CHECK(HasMessage(typo.errors, "did you mean dnn/hiddenlayer_0/?"));
}

TEST_CASE("dotted names: the separator of a dotted format's store follows its names") {
  TensorStore store;
  TensorEntry e;
  e.name = "fc1.weight";
  REQUIRE(store.Add(e).ok());
  CHECK(DottedNamesSeparator(store) == '.');
  e.name = "model_1/layer_a/weights";  // converted from TensorFlow: keeps its slashes
  REQUIRE(store.Add(e).ok());
  CHECK(DottedNamesSeparator(store) == '/');
  CHECK(TensorStore().separator() == '/');
}
