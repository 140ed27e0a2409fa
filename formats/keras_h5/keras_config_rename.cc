// SPDX-License-Identifier: Apache-2.0
// Layer renames inside Keras model configs.
#include "formats/keras_h5/keras_config_rename.h"

#include <nlohmann/json.hpp>
#include <vector>

namespace rescope {
namespace {

using Json = nlohmann::json;

// Layer objects: {"class_name": ..., "config": {"name": ...}}.
void FindLayers(Json& j, const std::string& name, std::vector<Json*>* out) {
  if (j.is_object()) {
    const auto cls = j.find("class_name");
    const auto cfg = j.find("config");
    if (cls != j.end() && cls->is_string() && cfg != j.end() && cfg->is_object()) {
      const auto n = cfg->find("name");
      if (n != cfg->end() && n->is_string() && n->get<std::string>() == name) out->push_back(&j);
    }
    for (auto& [key, value] : j.items()) FindLayers(value, name, out);
  } else if (j.is_array()) {
    for (Json& v : j) FindLayers(v, name, out);
  }
}

bool IsReferenceKey(const std::string& key) {
  return key == "inbound_nodes" || key == "input_layers" || key == "output_layers" ||
         key == "keras_history";
}

// Inside reference lists, [from, <number>, ...] becomes [to, <number>, ...].
void RenameReferences(Json& j, bool in_refs, const std::string& from, const std::string& to) {
  if (j.is_object()) {
    for (auto& [key, value] : j.items())
      RenameReferences(value, in_refs || IsReferenceKey(key), from, to);
  } else if (j.is_array()) {
    if (in_refs && j.size() >= 2 && j[0].is_string() && j[0].get<std::string>() == from &&
        j[1].is_number()) {
      j[0] = to;
    }
    for (Json& v : j) RenameReferences(v, in_refs, from, to);
  }
}

}  // namespace

std::string RenameLayerInConfig(const std::string& config_json, const std::string& from,
                                const std::string& to, std::string* why_not) {
  Json j = Json::parse(config_json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    *why_not = "not valid JSON";
    return "";
  }
  std::vector<Json*> matches, clashes;
  FindLayers(j, from, &matches);
  FindLayers(j, to, &clashes);
  if (matches.size() != 1) {
    *why_not = matches.empty() ? "no layer named \"" + from + "\""
                               : std::to_string(matches.size()) + " layers named \"" + from + "\"";
    return "";
  }
  if (!clashes.empty()) {
    *why_not = "a layer named \"" + to + "\" already exists";
    return "";
  }
  Json& layer = *matches[0];
  layer["config"]["name"] = to;
  const auto top = layer.find("name");
  if (top != layer.end() && top->is_string() && top->get<std::string>() == from) *top = to;
  RenameReferences(j, false, from, to);
  return j.dump();
}

}  // namespace rescope
