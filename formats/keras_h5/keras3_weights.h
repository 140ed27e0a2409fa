// SPDX-License-Identifier: Apache-2.0
// The Keras 3 .weights.h5 layout (FORMATS.md §5.3): detection, entries, and variable
// names recovered from a .keras archive's config.json.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/store/status.h"
#include "core/store/tensor_store.h"
#include "formats/hdf5/h5_image.h"
#include "formats/hdf5/h5_walk.h"
#include "formats/keras_h5/keras_h5_reader.h"

namespace rescope {

// True when every dataset sits at "[<owner>/]vars/<decimal>" and there is at least one,
// or, for a file without datasets, when a root "vars" or "layers" group exists.
bool LooksLikeKeras3Layout(const H5Tree& tree);

// Adds one entry per dataset, named by its path without the leading '/'
// ("layers/dense_1/vars/0"), and records each vars group (variables in numeric order, so
// "10" after "9") in state->vars_groups. `config_json` may be empty; when it describes the
// layers, entries get a ("keras_name", "<layer>/<variable>") note (see DeriveKeras3Names).
Status ReadKeras3Weights(const std::shared_ptr<const H5ImageFile>& file, const H5Tree& tree,
                         const std::string& config_json, KerasH5State* state, TensorStore* store);

// What config.json says about the owner of one vars group.
struct Keras3Owner {
  std::string layer_name;                   // config "name" of the layer
  std::vector<std::string> variable_names;  // "<layer>/<variable>", in vars order; may be empty
};

// Maps vars-group owner paths ("layers/dense_1") to layer names and variable names, by
// replaying Keras's container naming (snake_case class name, "_1", "_2" for repeats) over
// the "layers" lists of Sequential/Functional configs (nested models recursively).
// Variable names are known for Dense, EinsumDense, Conv*/Conv*Transpose/DepthwiseConv*,
// SeparableConv*, BatchNormalization, LayerNormalization, GroupNormalization, Embedding
// and PReLU, honouring use_bias/center/scale; other classes get no variable names.
// Unparsable JSON or configs without a layers list give an empty map.
std::map<std::string, Keras3Owner> DeriveKeras3Names(const std::string& config_json);

// Keras's naming.to_snake_case: "BatchNormalization" → "batch_normalization",
// "PReLU" → "p_re_lu", "Conv2D" → "conv2d".
std::string KerasSnakeCase(const std::string& class_name);

}  // namespace rescope
