// SPDX-License-Identifier: Apache-2.0
// Tests of RewriteSavedModel (formats/tf_bundle/saved_model_rewrite.h) on SavedModels built
// here field by field from the .proto field numbers (GRAPHS.md §1.2-§1.9): the expected
// output is built the same way with the new names, so a byte comparison checks both what
// changed and that everything else stayed.
#include "formats/tf_bundle/saved_model_rewrite.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "formats/proto_wire.h"

using namespace rescope;
using namespace rescope::tfgraph;

namespace {

constexpr const char* kKernelKey = "encoder/dense/kernel/.ATTRIBUTES/VARIABLE_VALUE";
constexpr const char* kNewKernelKey = "enc/dense/kernel/.ATTRIBUTES/VARIABLE_VALUE";

std::string Message(std::initializer_list<std::pair<uint32_t, std::string>> fields) {
  std::string out;
  for (const auto& [number, payload] : fields) proto::PutBytesField(out, number, payload);
  return out;
}

std::string Reference(int32_t node, const std::string& name) {
  std::string out;
  proto::PutVarintField(out, 1, static_cast<uint64_t>(node));
  proto::PutBytesField(out, 2, name);
  return out;
}

// A Const node whose `value` attr is a DT_STRING tensor holding `strings`.
std::string StringConst(const std::string& name, const std::vector<std::string>& strings) {
  std::string tensor;
  proto::PutVarintField(tensor, 1, 7);                           // DT_STRING
  proto::PutBytesField(tensor, 2, Message({{2, Message({})}}));  // shape [n], dim size unset
  for (const std::string& s : strings) proto::PutBytesField(tensor, 8, s);
  const std::string attr_value = Message({{8, tensor}});
  return Message({{1, name}, {2, "Const"}, {5, Message({{1, "value"}, {2, attr_value}})}});
}

struct Spec {
  std::string child_name = "encoder";  // root -> node 1
  std::string call_name = "__call__";  // root -> node 2 (a function)
  std::string key = kKernelKey;        // in the saver constants
  bool dependency = false;             // node 1 also lists `dense` as a dependency
  bool object_graph = true;
};

// root(0) -{child_name}-> 1 -dense-> 3 -kernel-> 4 (variable); root -{call_name}-> 2.
std::string BuildSavedModel(const Spec& s) {
  std::string root = Message({{1, Reference(1, s.child_name)}, {1, Reference(2, s.call_name)}});
  root += Message({{4, Message({{1, "_generic_user_object"}})}});
  std::string encoder = Message({{1, Reference(3, "dense")}});
  if (s.dependency) encoder += Message({{15, Reference(3, "dense")}});
  const std::string function = Message({{6, Message({{1, "__inference_call_1"}})}});
  const std::string dense = Message({{1, Reference(4, "kernel")}});
  std::string variable_fields;
  proto::PutVarintField(variable_fields, 1, 1);  // DT_FLOAT
  const std::string variable = Message({{7, variable_fields}});
  const std::string objects = Message({{1, root},
                                       {1, encoder},
                                       {1, function},
                                       {1, dense},
                                       {1, variable},
                                       {2, Message({{1, "f"}, {2, "x"}})}});
  const std::string restore = StringConst("RestoreV2/tensor_names", {s.key, "other"});
  const std::string library =
      Message({{1, Message({{1, Message({{1, "__inference__traced_restore_9"}})}, {3, restore}})}});
  const std::string graph =
      Message({{1, StringConst("Const", {"_temp/part", s.key})}, {2, library}});
  std::string meta = Message({{1, Message({{4, "serve"}})}, {2, graph}});
  if (s.object_graph) meta += Message({{7, objects}});
  std::string saved_model;
  proto::PutVarintField(saved_model, 1, 1);
  proto::PutBytesField(saved_model, 2, meta);
  return saved_model;
}

SavedModelRename EncoderToEnc() {
  SavedModelRename r;
  r.edges.push_back({0, 0, 1, "encoder", "enc"});
  r.keys[kKernelKey] = kNewKernelKey;
  return r;
}

Result<SavedModelRewrite> Rewrite(const std::string& bytes, const SavedModelRename& r) {
  return RewriteSavedModel(ByteView(bytes), "sm/saved_model.pb", r);
}

}  // namespace

TEST_CASE("saved model rewrite: edge and saver keys renamed, everything else kept") {
  const auto out = Rewrite(BuildSavedModel({}), EncoderToEnc());
  REQUIRE(out.ok());
  Spec expected;
  expected.child_name = "enc";
  expected.key = kNewKernelKey;
  CHECK(out->bytes == BuildSavedModel(expected));
  CHECK(out->renamed_edges == 1);
  CHECK(out->renamed_constants == 2);
  CHECK(out->rewritten_graphs == 0);
}

TEST_CASE("saved model rewrite: an empty rename returns the input") {
  const std::string in = BuildSavedModel({});
  const auto out = Rewrite(in, {});
  REQUIRE(out.ok());
  CHECK(out->bytes == in);
}

TEST_CASE("saved model rewrite: refusals") {
  SUBCASE("the edge is not in saved_model.pb") {
    Spec s;
    s.child_name = "something_else";
    const auto out = Rewrite(BuildSavedModel(s), EncoderToEnc());
    REQUIRE(!out.ok());
    CHECK(out.status().code() == StatusCode::kInvalidArgument);
    CHECK(out.status().message().find("no child \"encoder\" -> node 1") != std::string::npos);
    CHECK(out.status().message().find("sm/saved_model.pb") != std::string::npos);
  }
  SUBCASE("the new name is taken by a function child") {
    SavedModelRename r = EncoderToEnc();
    r.edges[0].new_name = "__call__";
    const auto out = Rewrite(BuildSavedModel({}), r);
    REQUIRE(!out.ok());
    CHECK(out.status().code() == StatusCode::kConflict);
    CHECK(out.status().message().find("already has a child named \"__call__\"") !=
          std::string::npos);
  }
  SUBCASE("the edge is also a dependency") {
    Spec s;
    s.dependency = true;
    SavedModelRename r;
    r.edges.push_back({1, 0, 3, "dense", "linear"});
    const auto out = Rewrite(BuildSavedModel(s), r);
    REQUIRE(!out.ok());
    CHECK(out.status().code() == StatusCode::kNotSupported);
    CHECK(out.status().message().find("dependency") != std::string::npos);
  }
  SUBCASE("a node id beyond the object graph") {
    SavedModelRename r;
    r.edges.push_back({3, 0, 9, "kernel", "w"});
    const auto out = Rewrite(BuildSavedModel({}), r);
    REQUIRE(!out.ok());
    CHECK(out.status().message().find("do not belong together") != std::string::npos);
  }
  SUBCASE("a TF1 SavedModel (no object graph)") {
    Spec s;
    s.object_graph = false;
    const auto out = Rewrite(BuildSavedModel(s), EncoderToEnc());
    REQUIRE(!out.ok());
    CHECK(out.status().code() == StatusCode::kNotSupported);
    CHECK(out.status().message().find("TF1 SavedModel") != std::string::npos);
  }
  SUBCASE("truncated input") {
    const std::string in = BuildSavedModel({});
    const auto out = Rewrite(in.substr(0, in.size() - 3), EncoderToEnc());
    CHECK(!out.ok());
  }
}

TEST_CASE("saved model rewrite: the object graph a saver function captures follows the rename") {
  // The checkpoint's own graph: root -encoder-> 1 -kernel-> 2 (with the key).
  ObjectGraph graph;
  graph.nodes.resize(3);
  graph.nodes[0].children.push_back({1, "encoder", {}});
  graph.nodes[1].children.push_back({2, "kernel", {}});
  graph.nodes[2].attributes.push_back(
      {"VARIABLE_VALUE", "kernel_1", "encoder/kernel/.ATTRIBUTES/VARIABLE_VALUE", {}});
  ObjectGraph renamed = graph;
  renamed.nodes[0].children[0].local_name = "enc";
  renamed.nodes[2].attributes[0].checkpoint_key = "enc/kernel/.ATTRIBUTES/VARIABLE_VALUE";

  auto build = [](const std::string& graph_bytes) {
    const std::string graph_def = Message({{1, StringConst("Const", {graph_bytes})}});
    const std::string objects = Message({{1, Message({{1, Reference(1, "x")}})}, {1, ""}});
    std::string saved_model;
    proto::PutBytesField(saved_model, 2, Message({{2, graph_def}, {7, objects}}));
    return saved_model;
  };
  SavedModelRename r;
  r.keys["encoder/kernel/.ATTRIBUTES/VARIABLE_VALUE"] = "enc/kernel/.ATTRIBUTES/VARIABLE_VALUE";
  const auto out = Rewrite(build(graph.Serialize()), r);
  REQUIRE(out.ok());
  CHECK(out->rewritten_graphs == 1);
  CHECK(out->bytes == build(renamed.Serialize()));
}
