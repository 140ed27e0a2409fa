// SPDX-License-Identifier: Apache-2.0
// Hash manifests: per-tensor SHA-256 of a checkpoint's tensor bytes plus the SHA-256 of each
// of its files, written by `rescope hash` and checked by `verify --manifest`. They give
// formats that store no checksum (safetensors, plain HDF5) what they lack.
//
// JSON layout (schema_version 1):
//   {"schema_version": 1, "algorithm": "sha256", "tensor_bytes": "<what was hashed>",
//    "checkpoint": "...", "format": "...",
//    "files":   {"<path relative to the checkpoint's directory>": {"sha256", "size"}},
//    "tensors": {"<name>": {"sha256", "dtype", "shape"}}}
// core/ only renders, parses and compares manifests; formats/tensor_hash computes them.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/store/status.h"

namespace rescope {

inline constexpr int kManifestSchemaVersion = 1;

// What a tensor digest covers, stated in every manifest so that a reader can recompute it.
inline constexpr const char* kManifestTensorBytes =
    "each tensor's logical bytes as rescope presents them: elements row-major, "
    "little-endian, densely packed (strings in the TF tensor-bundle layout); a stored "
    "slice of a partitioned variable is hashed as its own entry";

struct FileDigest {
  std::string sha256;  // 64 lowercase hex digits
  uint64_t size = 0;
};

struct TensorDigest {
  std::string sha256;
  std::string dtype;  // rescope's dtype name, e.g. "float32"
  std::vector<int64_t> shape;
};

struct Manifest {
  std::string checkpoint;  // informational: the path that was hashed
  std::string format;      // informational: the reader's format name
  std::map<std::string, FileDigest> files;
  std::map<std::string, TensorDigest> tensors;
};

// Pretty-printed JSON with a trailing newline.
std::string ManifestToJson(const Manifest& manifest);

// Parses and validates manifest text; `source` names it in errors ("M.json: tensors.\"w\":
// sha256 must be 64 hex digits"). Unknown schema versions and algorithms are refused.
Result<Manifest> ParseManifest(std::string_view text, const std::string& source);

struct ManifestDifference {
  std::string name;
  std::string problem;
};

// `actual` checked against `expected`. Files are compared only under the same relative
// path (a converted or renamed checkpoint has other files); tensors always.
struct ManifestComparison {
  uint64_t tensors_matched = 0;
  uint64_t files_matched = 0;
  std::vector<ManifestDifference> mismatched;  // tensors: digest, dtype or shape differs
  std::vector<std::string> missing;            // tensors in `expected` only
  std::vector<std::string> extra;              // tensors in `actual` only
  std::vector<ManifestDifference> files_mismatched;
  std::vector<std::string> files_not_compared;  // expected files absent under that path
  bool ok() const {
    return mismatched.empty() && missing.empty() && extra.empty() && files_mismatched.empty();
  }
};

ManifestComparison CompareManifests(const Manifest& expected, const Manifest& actual);

}  // namespace rescope
