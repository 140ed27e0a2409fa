// SPDX-License-Identifier: Apache-2.0
// The files of a SavedModel directory (GRAPHS.md §1.1): saved_model.pb (or .pbtxt, or the
// chunked .cpb), variables/variables.{index,data-*}, optional assets/, assets.extra/,
// fingerprint.pb and (Keras 2) keras_metadata.pb.
#pragma once

#include <optional>
#include <string>

namespace rescope::tfbundle {

inline constexpr const char* kSavedModelPb = "saved_model.pb";
inline constexpr const char* kSavedModelPbtxt = "saved_model.pbtxt";
inline constexpr const char* kSavedModelCpb = "saved_model.cpb";
inline constexpr const char* kFingerprintPb = "fingerprint.pb";
inline constexpr const char* kKerasMetadataPb = "keras_metadata.pb";
inline constexpr const char* kVariablesDir = "variables";

// The SavedModel directory a bundle prefix belongs to: `<dir>` when the prefix is
// `<dir>/variables/variables` and `<dir>` holds one of the saved_model.* files; else nullopt.
std::optional<std::string> SavedModelDirectoryOf(const std::string& prefix);

}  // namespace rescope::tfbundle
