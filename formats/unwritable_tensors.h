// SPDX-License-Identifier: Apache-2.0
// The one shape of "these tensors cannot be written" messages, shared by every writer and
// by convert: one line per tensor, the first few listed and the rest counted, so a model
// with thousands of unwritable tensors gives a readable error and every caller cuts the
// list the same way.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/store/status.h"

namespace rescope {

// How many problem lines an error lists before "... and N more".
inline constexpr size_t kMaxListedProblems = 20;

// The indented list "\n  <line>" of the first `limit` lines, then "\n  ... and N more"
// when there are more.
std::string ListedProblems(const std::vector<std::string>& lines,
                           size_t limit = kMaxListedProblems);

// kNotSupported "<path>: N tensor(s) cannot be written as <format_display_name>:" followed
// by ListedProblems(lines, limit). `lines` must not be empty.
Status UnwritableTensorsError(const std::string& path, std::string_view format_display_name,
                              const std::vector<std::string>& lines,
                              size_t limit = kMaxListedProblems);

// A problem line naming one tensor: "\"<name>\": <why>".
std::string TensorProblem(std::string_view name, std::string_view why);

}  // namespace rescope
