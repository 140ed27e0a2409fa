// SPDX-License-Identifier: Apache-2.0
// Keras 3 .weights.h5 layout (see keras3_weights.h).
#include "formats/keras_h5/keras3_weights.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <set>

#include "formats/hdf5/h5_attr.h"
#include "formats/hdf5/h5_error.h"
#include "formats/keras_h5/keras_h5_entries.h"

namespace rescope {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kVarsSuffix = "/vars";
constexpr int kMaxModelNesting = 32;

bool IsDecimal(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "/vars" → "", "/layers/dense/vars" → "layers/dense"; false for other groups.
bool VarsGroupOwner(const std::string& group_path, std::string* owner) {
  if (group_path == "/vars") {
    owner->clear();
    return true;
  }
  if (group_path.size() <= kVarsSuffix.size() + 1 ||
      group_path.compare(group_path.size() - kVarsSuffix.size(), kVarsSuffix.size(), kVarsSuffix) !=
          0) {
    return false;
  }
  *owner = group_path.substr(1, group_path.size() - 1 - kVarsSuffix.size());
  return true;
}

// "/layers/dense/vars/0" → owner "layers/dense", key "0"; false if not a variable.
bool SplitVariablePath(const std::string& path, std::string* owner, std::string* key) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0) return false;
  *key = path.substr(slash + 1);
  return IsDecimal(*key) && VarsGroupOwner(path.substr(0, slash), owner);
}

// Numeric order of decimal keys without overflow: fewer significant digits first.
bool NumericLess(const std::string& a, const std::string& b) {
  const size_t za = std::min(a.find_first_not_of('0'), a.size());
  const size_t zb = std::min(b.find_first_not_of('0'), b.size());
  const size_t la = a.size() - za;
  const size_t lb = b.size() - zb;
  if (la != lb) return la < lb;
  const int cmp = a.compare(za, la, b, zb, lb);
  return cmp != 0 ? cmp < 0 : a < b;
}

bool StartsWith(const std::string& s, std::string_view prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

bool IsLayerOwner(const std::string& owner) {
  // Keras 2.13-2.15 .keras files say _layer_checkpoint_dependencies where Keras 3 says layers.
  return StartsWith(owner, "layers/") || StartsWith(owner, "_layer_checkpoint_dependencies/");
}

bool IsOptimizerOwner(const std::string& owner) {
  return owner == "optimizer" || StartsWith(owner, "optimizer/");
}

std::string StringField(const Json& object, const char* key) {
  if (!object.is_object()) return "";
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

bool BoolField(const Json& object, const char* key, bool fallback) {
  if (!object.is_object()) return fallback;
  const auto it = object.find(key);
  return it != object.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

const Json* LayersList(const Json& model) {
  if (!model.is_object()) return nullptr;
  const auto config = model.find("config");
  if (config == model.end() || !config->is_object()) return nullptr;
  const auto layers = config->find("layers");
  return layers != config->end() && layers->is_array() ? &*layers : nullptr;
}

// Variable names in vars order for the built-in layers whose order is fixed by their
// build(): trainable variables in creation order, then non-trainable ones.
std::vector<std::string> LayerVariableNames(const std::string& cls, const Json& config) {
  static const std::set<std::string> kKernelBias = {
      "Dense",           "Conv1D",          "Conv2D",          "Conv3D",         "Conv1DTranspose",
      "Conv2DTranspose", "Conv3DTranspose", "DepthwiseConv1D", "DepthwiseConv2D"};
  const bool bias = BoolField(config, "use_bias", true);
  const bool scale = BoolField(config, "scale", true);
  const bool center = BoolField(config, "center", true);
  std::vector<std::string> names;
  if (kKernelBias.count(cls)) {
    names = {"kernel"};
    if (bias) names.push_back("bias");
  } else if (cls == "EinsumDense") {
    names = {"kernel"};
    if (!StringField(config, "bias_axes").empty()) names.push_back("bias");
  } else if (cls == "SeparableConv1D" || cls == "SeparableConv2D") {
    names = {"depthwise_kernel", "pointwise_kernel"};
    if (bias) names.push_back("bias");
  } else if (cls == "BatchNormalization" || cls == "LayerNormalization" ||
             cls == "GroupNormalization") {
    if (scale) names.push_back("gamma");
    if (center) names.push_back("beta");
    if (cls == "BatchNormalization") {
      names.push_back("moving_mean");
      names.push_back("moving_variance");
    }
  } else if (cls == "Embedding") {
    names = {"embeddings"};
  } else if (cls == "PReLU") {
    names = {"alpha"};
  }
  return names;
}

void VisitModel(const Json& model, const std::string& prefix, int depth,
                std::map<std::string, Keras3Owner>* out) {
  const Json* layers = LayersList(model);
  if (layers == nullptr || depth > kMaxModelNesting) return;
  std::map<std::string, int> used;  // Keras's per-container counter of snake names
  for (const Json& layer : *layers) {
    const std::string cls = StringField(layer, "class_name");
    if (cls.empty()) continue;
    std::string name = KerasSnakeCase(cls);
    const auto [it, first] = used.try_emplace(name, 0);
    if (!first) name += "_" + std::to_string(++it->second);
    const std::string owner = prefix + "layers/" + name;
    const Json empty;
    const auto config_it = layer.find("config");
    const Json& config = config_it != layer.end() ? *config_it : empty;
    Keras3Owner info;
    info.layer_name = StringField(config, "name");
    if (info.layer_name.empty()) info.layer_name = StringField(layer, "name");
    if (!info.layer_name.empty()) {
      for (const std::string& var : LayerVariableNames(cls, config)) {
        info.variable_names.push_back(info.layer_name + "/" + var);
      }
    }
    (*out)[owner] = std::move(info);
    VisitModel(layer, owner + "/", depth + 1, out);
  }
}

std::string VarsGroupName(hid_t group, const std::string& file, const std::string& path) {
  auto name = ReadStringAttr(group, "name", H5AttrContext{file, path});
  if (!name.ok()) {
    (void)TakeHdf5ErrorMessage();
    return "";  // an odd `name` attribute does not make the weights unreadable
  }
  return name->value_or("");
}

EntryNotes VariableNotes(const std::string& owner, const std::string& group_name,
                         const Keras3Owner* derived, size_t index, size_t count) {
  EntryNotes notes;
  std::string layer = group_name;
  if (layer.empty() && derived != nullptr) layer = derived->layer_name;
  if (IsLayerOwner(owner) && !layer.empty()) notes.emplace_back("layer", layer);
  if (IsOptimizerOwner(owner)) notes.emplace_back("role", "optimizer");
  // Only trust derived names when the stored count matches what the config predicts.
  if (derived != nullptr && derived->variable_names.size() == count) {
    notes.emplace_back("keras_name", derived->variable_names[index]);
  }
  return notes;
}

}  // namespace

std::string KerasSnakeCase(const std::string& class_name) {
  static const std::regex kNonWord(R"(\W+)");
  static const std::regex kWordStart("(.)([A-Z][a-z]+)");
  static const std::regex kLowerUpper("([a-z])([A-Z])");
  std::string s = std::regex_replace(class_name, kNonWord, "");
  s = std::regex_replace(s, kWordStart, "$1_$2");
  s = std::regex_replace(s, kLowerUpper, "$1_$2");
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::map<std::string, Keras3Owner> DeriveKeras3Names(const std::string& config_json) {
  std::map<std::string, Keras3Owner> out;
  if (config_json.empty()) return out;
  const Json root = Json::parse(config_json, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return out;
  VisitModel(root, "", 0, &out);
  return out;
}

bool LooksLikeKeras3Layout(const H5Tree& tree) {
  std::string owner, key;
  for (const std::string& path : tree.datasets) {
    if (!SplitVariablePath(path, &owner, &key)) return false;
  }
  if (!tree.datasets.empty()) return true;
  return std::any_of(tree.groups.begin(), tree.groups.end(),
                     [](const std::string& g) { return g == "/vars" || g == "/layers"; });
}

Status ReadKeras3Weights(const std::shared_ptr<const H5ImageFile>& file, const H5Tree& tree,
                         const std::string& config_json, KerasH5State* state, TensorStore* store) {
  const std::map<std::string, Keras3Owner> derived = DeriveKeras3Names(config_json);
  std::map<std::string, std::vector<std::string>> keys_by_owner;
  std::string owner, key;
  for (const std::string& path : tree.datasets) {
    if (SplitVariablePath(path, &owner, &key)) keys_by_owner[owner].push_back(key);
  }
  for (const std::string& group_path : tree.groups) {
    if (!VarsGroupOwner(group_path, &owner)) continue;
    RESCOPE_ASSIGN_OR_RETURN(std::optional<H5Handle> group,
                             OpenByHardLinks(file->id(), "/", group_path, file->name()));
    if (!group.has_value()) continue;  // cannot happen for a walked group
    Keras3VarsGroup vars{owner, VarsGroupName(group->get(), file->name(), group_path), {}};
    vars.keys = keys_by_owner[owner];
    std::sort(vars.keys.begin(), vars.keys.end(), NumericLess);
    const auto found = derived.find(owner);
    const Keras3Owner* info = found != derived.end() ? &found->second : nullptr;
    for (size_t i = 0; i < vars.keys.size(); ++i) {
      const std::string name = (owner.empty() ? "" : owner + "/") + "vars/" + vars.keys[i];
      RESCOPE_RETURN_IF_ERROR(AddDatasetEntry(
          file, group->get(), group_path, vars.keys[i], name,
          VariableNotes(owner, vars.name_attr, info, i, vars.keys.size()), "", store));
    }
    state->vars_groups.push_back(std::move(vars));
  }
  return Status::Ok();
}

}  // namespace rescope
