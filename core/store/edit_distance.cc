// SPDX-License-Identifier: Apache-2.0
// Two-row dynamic-programming edit distance with an early cut-off.
#include "core/store/edit_distance.h"

#include <algorithm>
#include <vector>

namespace rescope {

size_t EditDistance(std::string_view a, std::string_view b, size_t max_distance) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    size_t row_min = cur[0];
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t subst = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, subst});
      row_min = std::min(row_min, cur[j]);
    }
    if (max_distance != 0 && row_min >= max_distance) return max_distance;
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace rescope
