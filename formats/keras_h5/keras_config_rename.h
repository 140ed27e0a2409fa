// SPDX-License-Identifier: Apache-2.0
// Renaming one layer inside a Keras model config (the model_config attribute of a Keras 2
// full-model file, or a .keras archive's config.json).
#pragma once

#include <string>

namespace rescope {

// Renames layer `from` to `to` in `config_json` (Sequential/Functional configs, nested
// models included): the layer's config "name" (and its top-level "name" in Functional
// configs) and every reference to it in "inbound_nodes", "input_layers", "output_layers"
// and "keras_history" ([name, node, tensor] lists). Done only when it is unambiguous:
// exactly one layer is named `from` and none is named `to`. Returns the new JSON text,
// or "" with `*why_not` set ("no layer named \"dense\" in model_config", "a layer named
// \"fc\" already exists", "not valid JSON").
std::string RenameLayerInConfig(const std::string& config_json, const std::string& from,
                                const std::string& to, std::string* why_not);

}  // namespace rescope
