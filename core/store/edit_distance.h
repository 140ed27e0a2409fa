// SPDX-License-Identifier: Apache-2.0
// Levenshtein distance, used for "did you mean" suggestions and name similarity.
#pragma once

#include <cstddef>
#include <string_view>

namespace rescope {

// Edit distance between a and b; stops early and returns `max_distance` once the
// distance is known to be at least that (0 = no limit).
size_t EditDistance(std::string_view a, std::string_view b, size_t max_distance = 0);

}  // namespace rescope
