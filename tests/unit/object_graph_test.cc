// SPDX-License-Identifier: Apache-2.0
// Tests of the TF2 object graph: decoding, byte-identical re-encoding, paths and keys
// (FORMATS.md §3), and the rewrite that follows a key rename (§3.4), on real TF files.
#include "formats/tf_bundle/object_graph.h"

#include <doctest/doctest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "formats/mapped_file.h"
#include "formats/proto_wire.h"
#include "formats/tf_bundle/crc32c.h"
#include "formats/tf_bundle/string_tensor.h"

using namespace rescope;
using namespace rescope::tfgraph;

namespace {

constexpr std::string_view kGraphKey = "_CHECKPOINTABLE_OBJECT_GRAPH";

std::string Bytes(std::initializer_list<int> values) {
  std::string out;
  for (int v : values) out.push_back(static_cast<char>(v));
  return out;
}

// Reads the object graph string of a real bundle without an SSTable reader: walks the
// entries of the index's first data block from offset 0 (shared/non-shared/value-length
// varints, key, value) until the header (key "") and the graph key are found. Works for
// the uncompressed indexes used here, where both are among the first entries.
std::optional<std::string> ReadGraphString(const std::string& prefix) {
  auto index = MappedFile::Open(prefix + ".index");
  if (!index.ok()) return std::nullopt;
  const ByteView all = (*index)->All();
  const uint8_t* p = all.begin();
  std::string key;
  uint64_t num_shards = 1;
  while (p < all.end()) {
    uint64_t shared = 0, non_shared = 0, value_size = 0;
    p = DecodeVarint64(p, all.end(), &shared);
    if (p) p = DecodeVarint64(p, all.end(), &non_shared);
    if (p) p = DecodeVarint64(p, all.end(), &value_size);
    if (!p || shared > key.size() ||
        !RangeFits(non_shared, value_size, static_cast<uint64_t>(all.end() - p)))
      break;
    key = key.substr(0, shared) + std::string(reinterpret_cast<const char*>(p), non_shared);
    const ByteView value(p + non_shared, value_size);
    p += non_shared + value_size;
    proto::Reader reader(value, prefix, "entry");
    proto::Field f;
    if (key.empty()) {
      while (reader.Next(f)) {
        if (f.number == 1) num_shards = f.varint;
      }
      continue;
    }
    if (key != kGraphKey) continue;
    uint64_t shard = 0, offset = 0, size = 0;
    uint32_t crc = 0;
    while (reader.Next(f)) {
      if (f.number == 3) shard = f.varint;
      if (f.number == 4) offset = f.varint;
      if (f.number == 5) size = f.varint;
      if (f.number == 6) crc = static_cast<uint32_t>(f.varint);
    }
    char suffix[64];
    std::snprintf(suffix, sizeof(suffix), ".data-%05llu-of-%05llu",
                  static_cast<unsigned long long>(shard),
                  static_cast<unsigned long long>(num_shards));
    auto data = MappedFile::Open(prefix + suffix);
    REQUIRE(data.ok());
    std::vector<uint8_t> scratch;
    auto bytes = (*data)->Read(offset, size, scratch);
    REQUIRE(bytes.ok());
    auto strings = DecodeStringTensor(*bytes, 1, crc32c::Unmask(crc), prefix + suffix);
    REQUIRE(strings.ok());
    return strings->front();
  }
  return std::nullopt;
}

std::string RealPrefix(const char* relative) {
  return std::string(RESCOPE_TESTDATA_DIR) + "/" + relative;
}

// Loads and parses a real graph; nullopt (with a visible message) when the data is absent.
std::optional<std::pair<std::string, ObjectGraph>> LoadReal(const char* relative) {
  const std::string prefix = RealPrefix(relative);
  if (!FileExists(prefix + ".index")) {
    MESSAGE("skipped: " << prefix << ".index not found");
    return std::nullopt;
  }
  auto bytes = ReadGraphString(prefix);
  REQUIRE(bytes.has_value());
  auto graph = ObjectGraph::Parse(ByteView(*bytes), relative);
  REQUIRE_MESSAGE(graph.ok(), graph.status().message());
  return std::make_pair(std::move(*bytes), std::move(*graph));
}

const char* const kLossScale = "keras-tf2_2-lossscale-tf2ckpt-2shard/ckpt";
const char* const kAdamSlots = "tfx-keras-savedmodel-adam-slots/variables";
const char* const kEscapedSlash = "tda-keras-featurecolumns-tf2ckpt-escaped-slash/babyweight";
const char* const kKws = "mlperf-tiny-kws-keras-savedmodel/variables";

// Every checkpoint_key equals the key rebuilt from the BFS first paths.
void CheckKeysDerived(const ObjectGraph& graph) {
  const auto derived = graph.DerivedCheckpointKeys();
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    for (size_t a = 0; a < graph.nodes[i].attributes.size(); ++a) {
      CAPTURE(i);
      REQUIRE(derived[i][a].has_value());
      CHECK(*derived[i][a] == graph.nodes[i].attributes[a].checkpoint_key);
    }
  }
}

// A rename function replacing `from` by `to` wherever it occurs in a key.
auto Replace(std::string from, std::string to) {
  return [from, to](const std::string& key) -> std::optional<std::string> {
    std::string out = key;
    for (size_t at = out.find(from); at != std::string::npos; at = out.find(from, at + to.size())) {
      out.replace(at, from.size(), to);
    }
    return out;
  };
}

// The 118-byte graph of FORMATS.md §3.2 (tensorflow/java sample).
std::string JavaSampleGraph() {
  std::string g = Bytes({0x0a, 0x2d, 0x0a, 0x0c, 0x08, 0x01, 0x12, 0x08}) + "variable" +
                  Bytes({0x0a, 0x0d, 0x08, 0x02, 0x12, 0x09}) + "keras_api" +
                  Bytes({0x0a, 0x0e, 0x08, 0x03, 0x12, 0x0a}) + "signatures" +
                  Bytes({0x0a, 0x41, 0x12, 0x3f, 0x0a, 0x0e}) + "VARIABLE_VALUE" +
                  Bytes({0x12, 0x08}) + "Variable" + Bytes({0x1a, 0x23}) +
                  "variable/.ATTRIBUTES/VARIABLE_VALUE" + Bytes({0x0a, 0x00, 0x0a, 0x00});
  return g;
}

}  // namespace

TEST_CASE("object graph: the FORMATS.md sample decodes and re-encodes") {
  const std::string bytes = JavaSampleGraph();
  REQUIRE(bytes.size() == 118);
  auto graph = ObjectGraph::Parse(ByteView(bytes), "sample");
  REQUIRE(graph.ok());
  REQUIRE(graph->nodes.size() == 4);
  const auto& root = graph->nodes[0];
  REQUIRE(root.children.size() == 3);
  CHECK(root.children[0].node_id == 1);
  CHECK(root.children[0].local_name == "variable");
  CHECK(root.children[2].local_name == "signatures");
  REQUIRE(graph->nodes[1].attributes.size() == 1);
  CHECK(graph->nodes[1].attributes[0].name == "VARIABLE_VALUE");
  CHECK(graph->nodes[1].attributes[0].full_name == "Variable");
  CHECK(graph->nodes[1].attributes[0].checkpoint_key == "variable/.ATTRIBUTES/VARIABLE_VALUE");
  CHECK(graph->Serialize() == bytes);
  CHECK(graph->ObjectPaths() ==
        std::vector<std::optional<std::string>>{"", "variable", "keras_api", "signatures"});
  CHECK(graph->CheckpointKeys() == std::vector<std::string>{"variable/.ATTRIBUTES/VARIABLE_VALUE"});
  CheckKeysDerived(*graph);
  CHECK(!graph->CarriesHasCheckpointValues());
}

TEST_CASE("object graph: unknown and TF >= 2.8 fields survive a round trip") {
  // Node 0: child, registered_saver (4), has_checkpoint_values true (5), unknown field 7
  // (varint) and 9 (fixed32). Node 1: attribute with old optional_restore (4) = true,
  // has_checkpoint_values present-false. Graph-level unknown field 2.
  const std::string child = Bytes({0x0a, 0x05, 0x08, 0x01, 0x12, 0x01, 'a'});
  const std::string saver = Bytes({0x22, 0x05, 0x0a, 0x03, 's', 'v', 'r'});
  const std::string node0 =
      child + saver + Bytes({0x2a, 0x02, 0x08, 0x01, 0x38, 0x07, 0x4d, 1, 2, 3, 4});
  const std::string attr =
      Bytes({0x12, 0x0c, 0x0a, 0x01, 'n', 0x1a, 0x05}) + "a/.AT" + Bytes({0x20, 0x01});
  const std::string node1 = attr + Bytes({0x2a, 0x00});
  const std::string bytes = Bytes({0x0a, static_cast<int>(node0.size())}) + node0 +
                            Bytes({0x0a, static_cast<int>(node1.size())}) + node1 +
                            Bytes({0x12, 0x01, 'x'});
  auto graph = ObjectGraph::Parse(ByteView(bytes), "g");
  REQUIRE(graph.ok());
  CHECK(graph->nodes[0].registered_saver == std::string("\x0a\x03svr"));
  CHECK(graph->nodes[0].has_checkpoint_values == true);
  CHECK(graph->nodes[0].unknown_fields.size() == 2);
  CHECK(graph->nodes[1].has_checkpoint_values == false);
  REQUIRE(graph->nodes[1].attributes.size() == 1);
  CHECK(graph->nodes[1].attributes[0].unknown_fields ==
        UnknownFields{RawField{4, Bytes({0x20, 0x01})}});
  CHECK(graph->unknown_fields == UnknownFields{RawField{2, Bytes({0x12, 0x01, 'x'})}});
  CHECK(graph->Serialize() == bytes);
  CHECK(graph->CarriesHasCheckpointValues());
  CHECK(DescribeGraph(*graph).find("registered saver \"svr\"") != std::string::npos);

  // Changing a known field re-encodes canonically and keeps the unknown ones in place.
  graph->nodes[0].children[0].local_name = "bb";
  const std::string changed = graph->Serialize();
  CHECK(changed.find(Bytes({0x12, 0x02, 'b', 'b', 0x22, 0x05})) != std::string::npos);
  CHECK(changed.size() == bytes.size() + 1);  // lengths grow by one but keep their width
}

TEST_CASE("object graph: escaping of local names") {
  CHECK(EscapeLocalName("a.b/c") == "a..b.Sc");
  CHECK(EscapeLocalName("./") == "...S");
  CHECK(UnescapeLocalName("a..b.Sc") == "a.b/c");
  CHECK(UnescapeLocalNameChecked("...S") == std::optional<std::string>("./"));
  CHECK(UnescapeLocalNameChecked("a.b") == std::nullopt);
  CHECK(UnescapeLocalNameChecked("a.") == std::nullopt);
  CHECK(UnescapeLocalName("a.b") == "a.b");
  CHECK(AttributeKey("model/dense", "VARIABLE_VALUE") == "model/dense/.ATTRIBUTES/VARIABLE_VALUE");
  CHECK(AttributeKey("", "x.y") == "/.ATTRIBUTES/x..y");
  CHECK(AttributeKey("t", ".TENSORS") == "t/.ATTRIBUTES/");
  CHECK(SlotVariableKey("layer_with_weights-0/kernel", "optimizer/base_optimizer", "momentum") ==
        "layer_with_weights-0/kernel/.OPTIMIZER_SLOT/optimizer/base_optimizer/momentum");
}

TEST_CASE("object graph: malformed input is rejected with a located message") {
  SUBCASE("node id out of range") {
    const std::string bytes = Bytes({0x0a, 0x07, 0x0a, 0x05, 0x08, 0x63, 0x12, 0x01, 'x'});
    auto g = ObjectGraph::Parse(ByteView(bytes), "ckpt");
    REQUIRE(!g.ok());
    CHECK(g.status().message() ==
          "ckpt: object graph: node 0 child #0 (\"x\"): node_id 99 is out of range (1 nodes)");
  }
  SUBCASE("truncated nested message") {
    const std::string bytes = Bytes({0x0a, 0x04, 0x0a, 0x05, 0x08, 0x01});
    auto g = ObjectGraph::Parse(ByteView(bytes), "ckpt");
    REQUIRE(!g.ok());
    CHECK(g.status().message() ==
          "ckpt: object graph, node 0 @0x4: field 1: length 5 runs past end (2 bytes left)");
  }
  SUBCASE("wrong wire type") {
    const std::string bytes = Bytes({0x0a, 0x02, 0x08, 0x01});
    auto g = ObjectGraph::Parse(ByteView(bytes), "ckpt");
    REQUIRE(!g.ok());
    CHECK(g.status().message() ==
          "ckpt: object graph, node 0 @0x2: field 1 (message): expected wire type 2, found 0");
  }
  SUBCASE("every prefix of a valid graph fails cleanly or parses") {
    const std::string bytes = JavaSampleGraph();
    for (size_t n = 0; n < bytes.size(); ++n) {
      auto g = ObjectGraph::Parse(ByteView(bytes.substr(0, n)), "ckpt");
      if (g.ok()) CHECK(g->Serialize() == bytes.substr(0, n));
    }
  }
}

TEST_CASE("object graph: real graphs re-encode byte for byte and rebuild every key") {
  for (const char* relative : {kLossScale, kAdamSlots, kEscapedSlash, kKws}) {
    const std::string name = relative;
    CAPTURE(name);
    auto real = LoadReal(relative);
    if (!real) continue;
    CHECK(real->second.Serialize() == real->first);
    CheckKeysDerived(real->second);
    // Every non-slot node is reachable; exactly the slot nodes are not.
    const auto paths = real->second.ObjectPaths();
    const auto owners = real->second.SlotOwners();
    for (size_t i = 0; i < paths.size(); ++i) CHECK(paths[i].has_value() != owners[i].has_value());
    CHECK(!DescribeGraph(real->second).empty());
  }
}

TEST_CASE("object graph: keras-tf2_2 lossscale facts (FORMATS.md §3.3)") {
  auto real = LoadReal(kLossScale);
  if (!real) return;
  const ObjectGraph& g = real->second;
  REQUIRE(g.nodes.size() == 15);
  const auto& root = g.nodes[0].children;
  REQUIRE(root.size() == 3);
  CHECK(root[0].local_name == "layer_with_weights-0");
  CHECK(root[0].node_id == 1);
  CHECK(root[1].local_name == "layer-0");
  CHECK(root[1].node_id == 1);
  CHECK(root[2].local_name == "optimizer");
  CHECK(root[2].node_id == 2);
  const auto& slots = g.nodes[5].slot_variables;
  REQUIRE(slots.size() == 2);
  CHECK(slots[0].original_variable_node_id == 3);
  CHECK(slots[0].slot_name == "momentum");
  CHECK(slots[0].slot_variable_node_id == 13);
  CHECK(slots[1].original_variable_node_id == 4);
  CHECK(slots[1].slot_name == "momentum");
  CHECK(slots[1].slot_variable_node_id == 14);
  // PROVENANCE.md: 11 entries, one of them the graph.
  CHECK(g.CheckpointKeys().size() == 10);
  REQUIRE(g.nodes[13].attributes.size() == 1);
  CHECK(g.nodes[13].attributes[0].checkpoint_key ==
        "layer_with_weights-0/kernel/.OPTIMIZER_SLOT/optimizer/base_optimizer/momentum/"
        ".ATTRIBUTES/VARIABLE_VALUE");
  REQUIRE(g.nodes[3].attributes.size() == 1);
  CHECK(g.nodes[3].attributes[0].full_name == "sequential/dense/kernel");
  CHECK(g.ObjectPaths()[6] == std::optional<std::string>("optimizer/loss_scale"));
  CHECK(!g.CarriesHasCheckpointValues());
}

TEST_CASE("object graph: tfx adam-slots facts (FORMATS.md §3.3 steps 3 and 7)") {
  auto real = LoadReal(kAdamSlots);
  if (!real) return;
  const ObjectGraph& g = real->second;
  REQUIRE(g.nodes.size() == 108);
  const std::vector<std::tuple<int, std::string, int>> expected = {
      {20, "m", 96},  {21, "m", 97},  {26, "m", 98},  {27, "m", 99},
      {32, "m", 100}, {33, "m", 101}, {20, "v", 102}, {21, "v", 103},
      {26, "v", 104}, {27, "v", 105}, {32, "v", 106}, {33, "v", 107}};
  const auto& slots = g.nodes[10].slot_variables;
  REQUIRE(slots.size() == expected.size());
  for (size_t i = 0; i < slots.size(); ++i) {
    CHECK(slots[i].original_variable_node_id == std::get<0>(expected[i]));
    CHECK(slots[i].slot_name == std::get<1>(expected[i]));
    CHECK(slots[i].slot_variable_node_id == std::get<2>(expected[i]));
  }
  const auto owners = g.SlotOwners();
  for (size_t i = 96; i < 108; ++i) {
    REQUIRE(owners[i].has_value());
    CHECK(owners[i]->optimizer_node == 10);
    CHECK(g.nodes[i].attributes.size() == 1);
    CHECK(g.nodes[i].children.empty());
  }
  const auto keys = g.CheckpointKeys();
  CHECK(keys.size() == 27);
  for (const auto& node : g.nodes) {
    for (const auto& a : node.attributes) CHECK(a.full_name.empty());
  }
}

TEST_CASE("object graph: escaped slash edge (FORMATS.md §3.3 step 4)") {
  auto real = LoadReal(kEscapedSlash);
  if (!real) return;
  const ObjectGraph& g = real->second;
  const std::string edge =
      "gestation_weeks_bucketized_X_mother_age_bucketized_embedding/embedding_weights";
  const std::string segment =
      "gestation_weeks_bucketized_X_mother_age_bucketized_embedding.Sembedding_weights";
  const auto paths = g.ObjectPaths();
  int found = -1;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    for (const auto& c : g.nodes[i].children) {
      if (c.local_name == edge) found = c.node_id;
    }
  }
  REQUIRE(found >= 0);
  CHECK(paths[static_cast<size_t>(found)] == "layer_with_weights-0/" + segment);
  const auto keys = g.CheckpointKeys();
  CHECK(std::count(keys.begin(), keys.end(),
                   "layer_with_weights-0/" + segment + "/.ATTRIBUTES/VARIABLE_VALUE") == 1);
  CHECK(keys.size() == 38);
}

TEST_CASE("object graph: mlperf kws graph size") {
  auto real = LoadReal(kKws);
  if (!real) return;
  // PROVENANCE.md: 142 entries, one of them the graph.
  CHECK(real->second.CheckpointKeys().size() == 141);
}

namespace {

ObjectReference Edge(int32_t id, std::string name) {
  return ObjectReference{id, std::move(name), {}};
}
SerializedTensor Value(std::string key, std::string full_name = "") {
  return SerializedTensor{"VARIABLE_VALUE", std::move(full_name), std::move(key), {}};
}

// root -a-> 1 (value), root -b-> 2 -c-> 3 (value), root -opt-> 4 (slot "m" of 1 at node 5).
ObjectGraph SmallGraph() {
  ObjectGraph g;
  g.nodes.resize(6);
  g.nodes[0].children = {Edge(1, "a"), Edge(2, "b"), Edge(4, "opt")};
  g.nodes[1].attributes = {Value("a/.ATTRIBUTES/VARIABLE_VALUE", "a/.ATTRIBUTES/VARIABLE_VALUE")};
  g.nodes[2].children = {Edge(3, "c")};
  g.nodes[3].attributes = {Value("b/c/.ATTRIBUTES/VARIABLE_VALUE", "b_c")};
  g.nodes[4].slot_variables = {SlotVariableReference{1, "m", 5, {}}};
  g.nodes[5].attributes = {Value("a/.OPTIMIZER_SLOT/opt/m/.ATTRIBUTES/VARIABLE_VALUE")};
  return g;
}

Result<ObjectGraph> Rewrite(const ObjectGraph& g,
                            std::function<std::optional<std::string>(const std::string&)> f) {
  return RewriteForRename(g, f);
}

}  // namespace

TEST_CASE("rewrite: a small graph, edge rename, full_name and has_checkpoint_values") {
  ObjectGraph g = SmallGraph();
  CheckKeysDerived(g);
  g.RecomputeHasCheckpointValues();
  for (const auto& n : g.nodes) CHECK(n.has_checkpoint_values == true);

  SUBCASE("rename an object in place: b -> enc") {
    auto out = Rewrite(g, Replace("b/", "enc/"));
    REQUIRE_MESSAGE(out.ok(), out.status().message());
    CHECK(out->nodes[0].children[1].local_name == "enc");
    CHECK(out->nodes[3].attributes[0].checkpoint_key == "enc/c/.ATTRIBUTES/VARIABLE_VALUE");
    CHECK(out->nodes[3].attributes[0].full_name == "b_c");
    CheckKeysDerived(*out);
  }
  SUBCASE("a full_name equal to the old key follows it; slot keys rename the variable") {
    auto out = Rewrite(g, Replace("a/", "x/"));
    REQUIRE_MESSAGE(out.ok(), out.status().message());
    CHECK(out->nodes[0].children[0].local_name == "x");
    CHECK(out->nodes[1].attributes[0].full_name == "x/.ATTRIBUTES/VARIABLE_VALUE");
    CHECK(out->nodes[5].attributes[0].checkpoint_key ==
          "x/.OPTIMIZER_SLOT/opt/m/.ATTRIBUTES/VARIABLE_VALUE");
    CheckKeysDerived(*out);
  }
  SUBCASE("escaped names: a new segment with .S becomes an edge with a slash") {
    auto out = Rewrite(g, Replace("b/c/", "b/c.Sd..e/"));
    REQUIRE_MESSAGE(out.ok(), out.status().message());
    CHECK(out->nodes[2].children[0].local_name == "c/d.e");
    CheckKeysDerived(*out);
  }
  SUBCASE("dropping values recomputes has_checkpoint_values and drops the slot reference") {
    auto out = Rewrite(g, [](const std::string& k) -> std::optional<std::string> {
      if (k.rfind("b/", 0) == 0 || k.find(".OPTIMIZER_SLOT") != std::string::npos)
        return std::nullopt;
      return k;
    });
    REQUIRE_MESSAGE(out.ok(), out.status().message());
    CHECK(out->nodes[3].attributes.empty());
    CHECK(out->nodes[4].slot_variables.empty());
    CHECK(out->nodes[5].attributes.empty());
    std::vector<bool> values;
    for (const auto& n : out->nodes) values.push_back(n.has_checkpoint_values.value());
    CHECK(values == std::vector<bool>{true, true, false, false, false, false});
    // Present-false is an empty BoolValue: node 2 is `0a 05 0a 03 08 03 'c'` then `2a 00`.
    const std::string bytes = out->Serialize();
    CHECK(bytes.find(Bytes({0x0a, 0x09, 0x0a, 0x05, 0x08, 0x03, 0x12, 0x01, 'c', 0x2a, 0x00})) !=
          std::string::npos);
    auto back = ObjectGraph::Parse(ByteView(bytes), "g");
    REQUIRE(back.ok());
    CHECK(*back == *out);
  }
  SUBCASE("a graph without has_checkpoint_values does not gain it") {
    ObjectGraph plain = SmallGraph();
    auto out = Rewrite(plain, [](const std::string&) { return std::nullopt; });
    REQUIRE(out.ok());
    CHECK(!out->CarriesHasCheckpointValues());
  }
  SUBCASE("a key no edge derives is renamed as text only") {
    ObjectGraph odd = SmallGraph();
    odd.nodes[1].attributes[0].checkpoint_key = "legacy/.ATTRIBUTES/VARIABLE_VALUE";
    auto out = Rewrite(odd, Replace("legacy/", "other/"));
    REQUIRE_MESSAGE(out.ok(), out.status().message());
    CHECK(out->nodes[1].attributes[0].checkpoint_key == "other/.ATTRIBUTES/VARIABLE_VALUE");
    CHECK(out->nodes[0].children[0].local_name == "a");
  }
  SUBCASE("attributes of one object must keep one prefix") {
    ObjectGraph two = SmallGraph();
    two.nodes[1].attributes = {Value("p/.ATTRIBUTES/X"), Value("p/.ATTRIBUTES/Y")};
    auto out = Rewrite(two, [](const std::string& k) -> std::optional<std::string> {
      return k == "p/.ATTRIBUTES/Y" ? "q/.ATTRIBUTES/Y" : k;
    });
    REQUIRE(!out.ok());
    CHECK(out.status().message() ==
          "object graph: cannot rename \"p/.ATTRIBUTES/Y\" to \"q/.ATTRIBUTES/Y\": the other "
          "attribute \"p/.ATTRIBUTES/X\" of node 1 gets the prefix \"p/.ATTRIBUTES/\" (TF "
          "restores all attributes of an object from one prefix)");
  }
}

TEST_CASE("rewrite: real lossscale graph") {
  auto real = LoadReal(kLossScale);
  if (!real) return;
  const ObjectGraph& g = real->second;
  const std::string kernel = "layer_with_weights-0/kernel/.ATTRIBUTES/VARIABLE_VALUE";
  const std::string kernel_slot =
      "layer_with_weights-0/kernel/.OPTIMIZER_SLOT/optimizer/base_optimizer/momentum/"
      ".ATTRIBUTES/VARIABLE_VALUE";

  SUBCASE("same-depth edge rename renames the edge and every key under it") {
    auto out = Rewrite(g, Replace("layer_with_weights-0/", "layer_with_weights-9/"));
    REQUIRE_MESSAGE(out.ok(), out.status().message());
    CHECK(out->nodes[0].children[0].local_name == "layer_with_weights-9");
    CHECK(out->nodes[0].children[1].local_name == "layer-0");
    const auto before = g.CheckpointKeys();
    const auto after = out->CheckpointKeys();
    REQUIRE(after.size() == before.size());
    int renamed = 0;
    for (size_t i = 0; i < before.size(); ++i) {
      if (before[i].rfind("layer_with_weights-0/", 0) == 0) {
        CHECK(after[i] == "layer_with_weights-9/" + before[i].substr(21));
        ++renamed;
      } else {
        CHECK(after[i] == before[i]);
      }
    }
    CHECK(renamed == 4);  // kernel, bias and their two momentum slots
    CHECK(out->nodes[13].attributes[0].checkpoint_key ==
          "layer_with_weights-9/kernel/.OPTIMIZER_SLOT/optimizer/base_optimizer/momentum/"
          ".ATTRIBUTES/VARIABLE_VALUE");
    CHECK(out->nodes[3].attributes[0].full_name == "sequential/dense/kernel");
    CheckKeysDerived(*out);
    auto back = ObjectGraph::Parse(ByteView(out->Serialize()), "out");
    REQUIRE(back.ok());
    CHECK(*back == *out);
    CHECK(g.Serialize() == real->first);  // the input is untouched
  }
  SUBCASE("renaming two edges, inside slot keys too") {
    auto out = Rewrite(g, Replace("optimizer/", "opt/"));
    REQUIRE_MESSAGE(out.ok(), out.status().message());
    CHECK(out->nodes[0].children[2].local_name == "opt");
    CHECK(out->nodes[2].children[0].local_name == "base_opt");
    CHECK(out->nodes[14].attributes[0].checkpoint_key ==
          "layer_with_weights-0/bias/.OPTIMIZER_SLOT/opt/base_opt/momentum/.ATTRIBUTES/"
          "VARIABLE_VALUE");
    CheckKeysDerived(*out);
  }
  SUBCASE("dropped slot variable") {
    auto out = Rewrite(g, [&](const std::string& k) -> std::optional<std::string> {
      if (k == kernel_slot) return std::nullopt;
      return k;
    });
    REQUIRE_MESSAGE(out.ok(), out.status().message());
    CHECK(out->nodes[13].attributes.empty());
    REQUIRE(out->nodes[5].slot_variables.size() == 1);
    CHECK(out->nodes[5].slot_variables[0].original_variable_node_id == 4);
    CHECK(out->nodes[5].slot_variables[0].slot_variable_node_id == 14);
    CHECK(out->CheckpointKeys().size() == 9);
    CHECK(!out->CarriesHasCheckpointValues());
  }
  SUBCASE("refused: depth change") {
    auto out =
        Rewrite(g, Replace("layer_with_weights-0/kernel/", "layer_with_weights-0/extra/kernel/"));
    REQUIRE(!out.ok());
    CHECK(out.status().code() == StatusCode::kInvalidArgument);
    CHECK(out.status().message() ==
          "object graph: cannot rename \"" + kernel +
              "\" to \"layer_with_weights-0/extra/kernel/.ATTRIBUTES/VARIABLE_VALUE\": object "
              "path \"layer_with_weights-0/kernel\" (2 segments) would become "
              "\"layer_with_weights-0/extra/kernel\" (3 segments); objects can only be renamed "
              "in place, not moved to another depth");
  }
  SUBCASE("refused: a variable renamed without its slot") {
    auto out = Rewrite(g, [&](const std::string& k) -> std::optional<std::string> {
      return k == kernel ? "layer_with_weights-0/weights/.ATTRIBUTES/VARIABLE_VALUE" : k;
    });
    REQUIRE(!out.ok());
    CHECK(out.status().message() ==
          "object graph: conflicting renames for object \"layer_with_weights-0/kernel\" (node "
          "3): \"" +
              kernel +
              "\" -> \"layer_with_weights-0/weights/.ATTRIBUTES/VARIABLE_VALUE\" "
              "puts it at \"layer_with_weights-0/weights\", \"" +
              kernel_slot +
              "\" (kept) at \"layer_with_weights-0/kernel\"; rename every key under an object "
              "the same way");
  }
  SUBCASE("refused: the attribute tail changes") {
    auto out = Rewrite(g, [&](const std::string& k) -> std::optional<std::string> {
      return k == kernel ? "layer_with_weights-0/kernel/.ATTRIBUTES/VALUE" : k;
    });
    REQUIRE(!out.ok());
    CHECK(out.status().message() ==
          "object graph: cannot rename \"" + kernel +
              "\" to \"layer_with_weights-0/kernel/.ATTRIBUTES/VALUE\": the key must keep its "
              "tail \"/.ATTRIBUTES/VARIABLE_VALUE\" (TF rebuilds it from the attribute name)");
  }
  SUBCASE("refused: moving a subtree onto an existing sibling") {
    auto out = Rewrite(g, Replace("optimizer/loss_scale/", "optimizer/base_optimizer/"));
    REQUIRE(!out.ok());
    CHECK(out.status().code() == StatusCode::kConflict);
    CHECK(out.status().message() ==
          "object graph: cannot rename "
          "\"optimizer/loss_scale/current_loss_scale/.ATTRIBUTES/VARIABLE_VALUE\" to "
          "\"optimizer/base_optimizer/current_loss_scale/.ATTRIBUTES/VARIABLE_VALUE\": object "
          "\"optimizer\" (node 2) already has a child named \"base_optimizer\" (node 5); moving "
          "or merging objects is not supported");
  }
  SUBCASE("refused: two keys renamed to one") {
    auto out = Rewrite(g, Replace("good_steps", "current_loss_scale"));
    REQUIRE(!out.ok());
    CHECK(out.status().code() == StatusCode::kConflict);
    CHECK(out.status().message() ==
          "object graph: cannot rename "
          "\"optimizer/loss_scale/good_steps/.ATTRIBUTES/VARIABLE_VALUE\" to "
          "\"optimizer/loss_scale/current_loss_scale/.ATTRIBUTES/VARIABLE_VALUE\": "
          "\"optimizer/loss_scale/current_loss_scale/.ATTRIBUTES/VARIABLE_VALUE\" already maps "
          "to that key");
  }
}

TEST_CASE("rewrite: real escaped-slash graph") {
  auto real = LoadReal(kEscapedSlash);
  if (!real) return;
  const std::string segment =
      "gestation_weeks_bucketized_X_mother_age_bucketized_embedding.Sembedding_weights";
  SUBCASE("renaming the escaped segment renames the edge, unescaped") {
    auto out = Rewrite(real->second, Replace(segment, "cross.Semb"));
    REQUIRE_MESSAGE(out.ok(), out.status().message());
    bool found = false;
    for (const auto& n : out->nodes) {
      for (const auto& c : n.children) found = found || c.local_name == "cross/emb";
    }
    CHECK(found);
    CheckKeysDerived(*out);
    const auto keys = out->CheckpointKeys();
    CHECK(std::count(keys.begin(), keys.end(),
                     "layer_with_weights-0/cross.Semb/.ATTRIBUTES/VARIABLE_VALUE") == 1);
  }
  SUBCASE("refused: a segment that is not a valid escape") {
    auto out = Rewrite(real->second, Replace(segment, "cross.Xemb"));
    REQUIRE(!out.ok());
    CHECK(out.status().message().find(": \"cross.Xemb\" is not a valid escaped object name (a "
                                      "'.' must be followed by '.' or 'S')") != std::string::npos);
  }
}

TEST_CASE("object graph: DescribeGraph") {
  ObjectGraph g = SmallGraph();
  g.nodes[0].has_checkpoint_values = true;
  g.nodes[2].has_checkpoint_values = false;
  CHECK(DescribeGraph(g) ==
        "object graph: 6 nodes\n"
        "node 0 (root) [has values]\n"
        "  child \"a\" -> 1\n"
        "  child \"b\" -> 2\n"
        "  child \"opt\" -> 4\n"
        "node 1 \"a\"\n"
        "  attribute \"VARIABLE_VALUE\" key \"a/.ATTRIBUTES/VARIABLE_VALUE\" full_name "
        "\"a/.ATTRIBUTES/VARIABLE_VALUE\"\n"
        "node 2 \"b\" [no values]\n"
        "  child \"c\" -> 3\n"
        "node 3 \"b/c\"\n"
        "  attribute \"VARIABLE_VALUE\" key \"b/c/.ATTRIBUTES/VARIABLE_VALUE\" full_name \"b_c\"\n"
        "node 4 \"opt\"\n"
        "  slot \"m\" of node 1 -> 5\n"
        "node 5 (slot variable of node 4)\n"
        "  attribute \"VARIABLE_VALUE\" key "
        "\"a/.OPTIMIZER_SLOT/opt/m/.ATTRIBUTES/VARIABLE_VALUE\"\n");
}

TEST_CASE("object graph: a TF 2.12 graph carrying has_checkpoint_values") {
  // FORMATS.md §3.3 step 10: 30 nodes, the field on every node, none true.
  auto real = LoadReal("tfserving-tf-text-keras-savedmodel-graph-only/variables");
  if (!real) return;
  ObjectGraph g = real->second;
  CHECK(g.Serialize() == real->first);
  REQUIRE(g.nodes.size() == 30);
  for (const auto& n : g.nodes) CHECK(n.has_checkpoint_values == false);
  const ObjectGraph before = g;
  g.RecomputeHasCheckpointValues();
  CHECK(g == before);
  CHECK(g.Serialize() == real->first);
}
