// SPDX-License-Identifier: Apache-2.0
// Keras 2 HDF5 optimizer weights name the variable they belong to inside their own name:
// `optimizer_weights/training/Adam/dense_1/kernel/m` (TF 2.0-2.10 tf.keras),
// `optimizer_weights/Adam/dense_1/kernel/m` (legacy optimizers), and
// `optimizer_weights/Adam/m/dense_1/kernel` (the TF 2.11+ optimizer), for the weight
// `dense_1/kernel`. When a layer is renamed, those names follow.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rescope {

// Whether `name` is an optimizer-weight name (`optimizer_weights/...`), the only kind
// FollowRenamedVariable can move.
bool IsOptimizerWeightName(std::string_view name);

// For an optimizer-weight name (`optimizer_weights/...`): the name with the longest
// renamed variable path found in it as a whole-segment run (after `optimizer_weights/`)
// replaced by that variable's new path, and the index into `renamed` of that variable.
// nullopt for other names, or when no renamed variable appears in it.
// `renamed`: (old name, new name) of every renamed variable.
std::optional<std::pair<std::string, size_t>> FollowRenamedVariable(
    std::string_view name, const std::vector<std::pair<std::string, std::string>>& renamed);

}  // namespace rescope
