// SPDX-License-Identifier: Apache-2.0
// TrackableObjectGraph decoding, canonical re-encoding, object paths and derived keys.
#include "formats/tf_bundle/object_graph.h"

#include <algorithm>
#include <deque>

#include "formats/proto_wire.h"
#include "formats/tf_bundle/slice_key.h"

namespace rescope::tfgraph {
namespace {

constexpr std::string_view kAttributesSegment = ".ATTRIBUTES";
constexpr std::string_view kSlotSegment = ".OPTIMIZER_SLOT";
constexpr std::string_view kSerializeToTensorsName = ".TENSORS";

// --- Decoding ---

RawField KeepRaw(ByteView message, const proto::Field& field) {
  return RawField{field.number,
                  std::string(message.Sub(field.start, field.end - field.start).AsStringView())};
}

std::string ReadString(const proto::Reader& reader, const proto::Field& field,
                       std::string_view name) {
  reader.Expect(field, proto::kLengthDelimited, name);
  return std::string(field.bytes.AsStringView());
}

// proto3 int32: a varint holding the value sign-extended to 64 bits; like protobuf,
// keep the low 32 bits.
int32_t ReadInt32(const proto::Reader& reader, const proto::Field& field, std::string_view name) {
  reader.Expect(field, proto::kVarint, name);
  return static_cast<int32_t>(static_cast<uint32_t>(field.varint));
}

ObjectReference DecodeReference(proto::Reader reader, ByteView bytes) {
  ObjectReference ref;
  proto::Field f;
  while (reader.Next(f)) {
    if (f.number == 1) {
      ref.node_id = ReadInt32(reader, f, "node_id");
    } else if (f.number == 2) {
      ref.local_name = ReadString(reader, f, "local_name");
    } else {
      ref.unknown_fields.push_back(KeepRaw(bytes, f));
    }
  }
  return ref;
}

SerializedTensor DecodeTensor(proto::Reader reader, ByteView bytes) {
  SerializedTensor t;
  proto::Field f;
  while (reader.Next(f)) {
    if (f.number == 1) {
      t.name = ReadString(reader, f, "name");
    } else if (f.number == 2) {
      t.full_name = ReadString(reader, f, "full_name");
    } else if (f.number == 3) {
      t.checkpoint_key = ReadString(reader, f, "checkpoint_key");
    } else {
      t.unknown_fields.push_back(KeepRaw(bytes, f));
    }
  }
  return t;
}

SlotVariableReference DecodeSlot(proto::Reader reader, ByteView bytes) {
  SlotVariableReference s;
  proto::Field f;
  while (reader.Next(f)) {
    if (f.number == 1) {
      s.original_variable_node_id = ReadInt32(reader, f, "original_variable_node_id");
    } else if (f.number == 2) {
      s.slot_name = ReadString(reader, f, "slot_name");
    } else if (f.number == 3) {
      s.slot_variable_node_id = ReadInt32(reader, f, "slot_variable_node_id");
    } else {
      s.unknown_fields.push_back(KeepRaw(bytes, f));
    }
  }
  return s;
}

void DecodeBoolValue(proto::Reader reader, ByteView bytes, TrackableObject& node) {
  node.has_checkpoint_values = false;
  node.has_checkpoint_values_unknown_fields.clear();
  proto::Field f;
  while (reader.Next(f)) {
    if (f.number == 1) {
      reader.Expect(f, proto::kVarint, "value");
      node.has_checkpoint_values = f.varint != 0;
    } else {
      node.has_checkpoint_values_unknown_fields.push_back(KeepRaw(bytes, f));
    }
  }
}

TrackableObject DecodeNode(proto::Reader reader, ByteView bytes) {
  TrackableObject node;
  proto::Field f;
  while (reader.Next(f)) {
    const std::string index = [&] {
      switch (f.number) {
        case 1:
          return "child #" + std::to_string(node.children.size());
        case 2:
          return "attribute #" + std::to_string(node.attributes.size());
        case 3:
          return "slot variable #" + std::to_string(node.slot_variables.size());
        default:
          return std::string();
      }
    }();
    if (f.number >= 1 && f.number <= 5) reader.Expect(f, proto::kLengthDelimited, "message");
    switch (f.number) {
      case 1:
        node.children.push_back(DecodeReference(reader.Nested(f, index), f.bytes));
        break;
      case 2:
        node.attributes.push_back(DecodeTensor(reader.Nested(f, index), f.bytes));
        break;
      case 3:
        node.slot_variables.push_back(DecodeSlot(reader.Nested(f, index), f.bytes));
        break;
      case 4:
        node.registered_saver = std::string(f.bytes.AsStringView());
        break;
      case 5:
        DecodeBoolValue(reader.Nested(f, "has_checkpoint_values"), f.bytes, node);
        break;
      default:
        node.unknown_fields.push_back(KeepRaw(bytes, f));
        break;
    }
  }
  return node;
}

// Node ids index `nodes` everywhere else; reject a graph where one does not.
void CheckNodeIds(const ObjectGraph& graph, std::string_view file) {
  const size_t n = graph.nodes.size();
  auto check = [&](size_t node, const std::string& what, int32_t id) {
    if (id < 0 || static_cast<size_t>(id) >= n) {
      ThrowCorruption(std::string(file) + ": object graph: node " + std::to_string(node) + " " +
                      what + ": node_id " + std::to_string(id) + " is out of range (" +
                      std::to_string(n) + " nodes)");
    }
  };
  for (size_t i = 0; i < n; ++i) {
    const TrackableObject& node = graph.nodes[i];
    for (size_t c = 0; c < node.children.size(); ++c) {
      check(i, "child #" + std::to_string(c) + " (\"" + node.children[c].local_name + "\")",
            node.children[c].node_id);
    }
    for (size_t s = 0; s < node.slot_variables.size(); ++s) {
      const SlotVariableReference& slot = node.slot_variables[s];
      const std::string what = "slot variable #" + std::to_string(s);
      check(i, what + " original variable", slot.original_variable_node_id);
      check(i, what + " slot variable", slot.slot_variable_node_id);
    }
  }
}

// --- Encoding ---

// Writes one message: known fields are added in increasing field number; kept unknown
// fields are slotted in front of the first known field with a larger number.
class MessageWriter {
 public:
  MessageWriter(std::string& out, const UnknownFields& unknown) : out_(out) {
    for (const RawField& f : unknown) unknown_.push_back(&f);
    std::stable_sort(unknown_.begin(), unknown_.end(),
                     [](const RawField* a, const RawField* b) { return a->number < b->number; });
  }
  ~MessageWriter() { FlushBelow(UINT32_MAX); }
  MessageWriter(const MessageWriter&) = delete;
  MessageWriter& operator=(const MessageWriter&) = delete;

  void Varint(uint32_t number, uint64_t value) {
    FlushBelow(number);
    if (value != 0) proto::PutVarintField(out_, number, value);
  }
  void Int32(uint32_t number, int32_t value) {
    Varint(number, static_cast<uint64_t>(static_cast<int64_t>(value)));
  }
  void String(uint32_t number, std::string_view value) {
    FlushBelow(number);
    if (!value.empty()) proto::PutBytesField(out_, number, value);
  }
  void Message(uint32_t number, std::string_view payload) {
    FlushBelow(number);
    proto::PutBytesField(out_, number, payload);
  }

 private:
  void FlushBelow(uint32_t number) {
    while (next_ < unknown_.size() && unknown_[next_]->number < number) {
      out_ += unknown_[next_++]->bytes;
    }
  }

  std::string& out_;
  std::vector<const RawField*> unknown_;
  size_t next_ = 0;
};

std::string Encoded(const std::function<void(std::string&)>& fill) {
  std::string out;
  fill(out);
  return out;
}

std::string EncodeNode(const TrackableObject& node) {
  return Encoded([&](std::string& out) {
    MessageWriter w(out, node.unknown_fields);
    for (const ObjectReference& c : node.children) {
      w.Message(1, Encoded([&](std::string& o) {
                  MessageWriter m(o, c.unknown_fields);
                  m.Int32(1, c.node_id);
                  m.String(2, c.local_name);
                }));
    }
    for (const SerializedTensor& a : node.attributes) {
      w.Message(2, Encoded([&](std::string& o) {
                  MessageWriter m(o, a.unknown_fields);
                  m.String(1, a.name);
                  m.String(2, a.full_name);
                  m.String(3, a.checkpoint_key);
                }));
    }
    for (const SlotVariableReference& s : node.slot_variables) {
      w.Message(3, Encoded([&](std::string& o) {
                  MessageWriter m(o, s.unknown_fields);
                  m.Int32(1, s.original_variable_node_id);
                  m.String(2, s.slot_name);
                  m.Int32(3, s.slot_variable_node_id);
                }));
    }
    if (node.registered_saver) w.Message(4, *node.registered_saver);
    if (node.has_checkpoint_values) {
      w.Message(5, Encoded([&](std::string& o) {
                  MessageWriter m(o, node.has_checkpoint_values_unknown_fields);
                  m.Varint(1, *node.has_checkpoint_values ? 1 : 0);
                }));
    }
  });
}

// RegisteredSaver.name (field 1), for display; empty when absent or unreadable.
std::string RegisteredSaverName(std::string_view payload) {
  try {
    proto::Reader reader(ByteView(payload), "", "");
    proto::Field f;
    while (reader.Next(f)) {
      if (f.number == 1 && f.wire_type == proto::kLengthDelimited) {
        return std::string(f.bytes.AsStringView());
      }
    }
  } catch (const FormatError&) {
  }
  return "";
}

}  // namespace

Result<ObjectGraph> ObjectGraph::Parse(ByteView bytes, std::string_view file) {
  try {
    ObjectGraph graph;
    proto::Reader reader(bytes, file, "object graph");
    proto::Field f;
    while (reader.Next(f)) {
      if (f.number != 1) {
        graph.unknown_fields.push_back(KeepRaw(bytes, f));
        continue;
      }
      reader.Expect(f, proto::kLengthDelimited, "nodes");
      const std::string context = "node " + std::to_string(graph.nodes.size());
      graph.nodes.push_back(DecodeNode(reader.Nested(f, context), f.bytes));
    }
    CheckNodeIds(graph, file);
    return graph;
  } catch (const FormatError& e) {
    return e.status();
  }
}

std::string ObjectGraph::Serialize() const {
  return Encoded([&](std::string& out) {
    MessageWriter w(out, unknown_fields);
    for (const TrackableObject& node : nodes) w.Message(1, EncodeNode(node));
  });
}

std::vector<std::optional<std::string>> ObjectGraph::ObjectPaths() const {
  std::vector<std::optional<std::string>> paths(nodes.size());
  if (nodes.empty()) return paths;
  paths[0] = "";
  std::deque<size_t> queue = {0};
  while (!queue.empty()) {
    const size_t parent = queue.front();
    queue.pop_front();
    for (const ObjectReference& child : nodes[parent].children) {
      const auto id = static_cast<size_t>(child.node_id);
      if (child.node_id < 0 || id >= nodes.size() || paths[id]) continue;
      const std::string& base = *paths[parent];
      paths[id] = (parent == 0 ? "" : base + "/") + EscapeLocalName(child.local_name);
      queue.push_back(id);
    }
  }
  return paths;
}

std::vector<std::optional<SlotOwner>> ObjectGraph::SlotOwners() const {
  std::vector<std::optional<SlotOwner>> owners(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    const auto& slots = nodes[i].slot_variables;
    for (size_t s = 0; s < slots.size(); ++s) {
      const auto id = static_cast<size_t>(slots[s].slot_variable_node_id);
      if (slots[s].slot_variable_node_id < 0 || id >= nodes.size() || owners[id]) continue;
      owners[id] = SlotOwner{static_cast<int32_t>(i), s};
    }
  }
  return owners;
}

std::vector<std::string> ObjectGraph::CheckpointKeys() const {
  std::vector<std::string> keys;
  for (const TrackableObject& node : nodes) {
    for (const SerializedTensor& a : node.attributes) keys.push_back(a.checkpoint_key);
  }
  return keys;
}

std::vector<std::vector<std::optional<std::string>>> ObjectGraph::DerivedCheckpointKeys() const {
  const auto paths = ObjectPaths();
  const auto owners = SlotOwners();
  std::vector<std::vector<std::optional<std::string>>> keys(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    std::optional<std::string> object_key = paths[i];
    if (owners[i]) {
      const SlotVariableReference& ref = nodes[static_cast<size_t>(owners[i]->optimizer_node)]
                                             .slot_variables[owners[i]->slot_index];
      const auto variable_id = static_cast<size_t>(ref.original_variable_node_id);
      const auto& optimizer = paths[static_cast<size_t>(owners[i]->optimizer_node)];
      object_key = std::nullopt;
      // Parse() checks ids; a graph built in code might not have.
      if (ref.original_variable_node_id >= 0 && variable_id < nodes.size() && paths[variable_id] &&
          optimizer) {
        object_key = SlotVariableKey(*paths[variable_id], *optimizer, ref.slot_name);
      }
    }
    for (const SerializedTensor& a : nodes[i].attributes) {
      keys[i].push_back(object_key ? std::optional(AttributeKey(*object_key, a.name))
                                   : std::nullopt);
    }
  }
  return keys;
}

bool ObjectGraph::CarriesHasCheckpointValues() const {
  return std::any_of(nodes.begin(), nodes.end(),
                     [](const TrackableObject& n) { return n.has_checkpoint_values.has_value(); });
}

void ObjectGraph::RecomputeHasCheckpointValues() {
  // Mark nodes holding values, then everything that reaches them through any edge.
  std::vector<std::vector<size_t>> parents(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    for (const ObjectReference& c : nodes[i].children) {
      if (c.node_id >= 0 && static_cast<size_t>(c.node_id) < nodes.size()) {
        parents[static_cast<size_t>(c.node_id)].push_back(i);
      }
    }
  }
  std::vector<bool> marked(nodes.size(), false);
  std::deque<size_t> queue;
  for (size_t i = 0; i < nodes.size(); ++i) {
    const TrackableObject& n = nodes[i];
    if (!n.attributes.empty() || !n.slot_variables.empty() || n.registered_saver) {
      marked[i] = true;
      queue.push_back(i);
    }
  }
  while (!queue.empty()) {
    const size_t i = queue.front();
    queue.pop_front();
    for (const size_t p : parents[i]) {
      if (!marked[p]) {
        marked[p] = true;
        queue.push_back(p);
      }
    }
  }
  for (size_t i = 0; i < nodes.size(); ++i) nodes[i].has_checkpoint_values = marked[i];
}

std::string EscapeLocalName(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (const char c : name) {
    if (c == '.') {
      out += "..";
    } else if (c == '/') {
      out += ".S";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::optional<std::string> UnescapeLocalNameChecked(std::string_view escaped) {
  std::string out;
  out.reserve(escaped.size());
  for (size_t i = 0; i < escaped.size(); ++i) {
    if (escaped[i] != '.') {
      out.push_back(escaped[i]);
      continue;
    }
    if (i + 1 >= escaped.size()) return std::nullopt;
    const char next = escaped[++i];
    if (next == '.') {
      out.push_back('.');
    } else if (next == 'S') {
      out.push_back('/');
    } else {
      return std::nullopt;
    }
  }
  return out;
}

std::string UnescapeLocalName(std::string_view escaped) {
  std::string out;
  out.reserve(escaped.size());
  for (size_t i = 0; i < escaped.size(); ++i) {
    const bool pair = escaped[i] == '.' && i + 1 < escaped.size();
    if (pair && escaped[i + 1] == '.') {
      out.push_back('.');
      ++i;
    } else if (pair && escaped[i + 1] == 'S') {
      out.push_back('/');
      ++i;
    } else {
      out.push_back(escaped[i]);
    }
  }
  return out;
}

std::string AttributeKey(std::string_view object_path, std::string_view attribute_name) {
  std::string key(object_path);
  key += '/';
  key += kAttributesSegment;
  key += '/';
  if (attribute_name != kSerializeToTensorsName) key += EscapeLocalName(attribute_name);
  return key;
}

std::string SlotVariableKey(std::string_view variable_path, std::string_view optimizer_path,
                            std::string_view slot_name) {
  std::string key(variable_path);
  key += '/';
  key += kSlotSegment;
  key += '/';
  key += optimizer_path;
  key += '/';
  key += EscapeLocalName(slot_name);
  return key;
}

std::string DescribeGraph(const ObjectGraph& graph) {
  const auto paths = graph.ObjectPaths();
  const auto owners = graph.SlotOwners();
  std::string out = "object graph: " + std::to_string(graph.nodes.size()) + " nodes\n";
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const TrackableObject& node = graph.nodes[i];
    out += "node " + std::to_string(i);
    if (i == 0) {
      out += " (root)";
    } else if (paths[i]) {
      out += " \"" + *paths[i] + "\"";
    } else if (owners[i]) {
      out += " (slot variable of node " + std::to_string(owners[i]->optimizer_node) + ")";
    } else {
      out += " (unreachable)";
    }
    if (node.has_checkpoint_values) {
      out += *node.has_checkpoint_values ? " [has values]" : " [no values]";
    }
    out += "\n";
    for (const ObjectReference& c : node.children) {
      out += "  child \"" + tfslice::EscapeKeyForDisplay(c.local_name) + "\" -> " +
             std::to_string(c.node_id) + "\n";
    }
    for (const SerializedTensor& a : node.attributes) {
      out += "  attribute \"" + tfslice::EscapeKeyForDisplay(a.name) + "\" key \"" +
             tfslice::EscapeKeyForDisplay(a.checkpoint_key) + "\"";
      if (!a.full_name.empty()) {
        out += " full_name \"" + tfslice::EscapeKeyForDisplay(a.full_name) + "\"";
      }
      out += "\n";
    }
    for (const SlotVariableReference& s : node.slot_variables) {
      out += "  slot \"" + tfslice::EscapeKeyForDisplay(s.slot_name) + "\" of node " +
             std::to_string(s.original_variable_node_id) + " -> " +
             std::to_string(s.slot_variable_node_id) + "\n";
    }
    if (node.registered_saver) {
      out += "  registered saver \"" +
             tfslice::EscapeKeyForDisplay(RegisteredSaverName(*node.registered_saver)) + "\"\n";
    }
    const size_t unknown = node.unknown_fields.size();
    if (unknown != 0) out += "  " + std::to_string(unknown) + " unknown field(s) kept\n";
  }
  return out;
}

}  // namespace rescope::tfgraph
