// SPDX-License-Identifier: Apache-2.0
// Writing any TensorStore as a new HDF5 file in h5py's conventions (the `convert` path of
// the Keras writer, for sources that are not HDF5 files themselves).
#pragma once

#include <string>
#include <vector>

#include "core/store/status.h"
#include "core/store/tensor_store.h"

namespace rescope {

// Creates `path` (must not exist; the caller renames it into place) holding every tensor
// of `store`. Layout:
//   * Keras 2 weights, when every name has one or two '/' (e.g. "dense/kernel"): layer
//     group = first segment, in order of first appearance; dataset
//     /<layer>/<name>:0; root attributes layer_names, backend "tensorflow",
//     keras_version "2.13.1" (Keras treats a file without keras_version as Keras 1),
//     per-layer weight_names (fixed-length, as Keras 2 writes them);
//   * otherwise generic: each tensor a dataset at "/<name>".
// Types as h5py stores them: IEEE float16/32/64, little-endian (u)int8..64, bool as the
// int8 enum {FALSE, TRUE}, complex as compound {r, i}, bfloat16 as a 2-byte opaque type
// tagged "bfloat16" with a dataset attribute dtype = "bfloat16" (Keras 3), strings as
// variable-length UTF-8. Metadata entries, partitioned variables and their slices, and
// other dtypes are skipped with a note. `notes` receives the layout written and what was
// skipped. Errors: kInvalidArgument for names HDF5 cannot hold ("a" and "a/b" both
// tensors, empty path segments), kIOError / kCorruption from HDF5 or the tensor sources.
Status WriteStoreAsHdf5(const TensorStore& store, const std::string& path,
                        std::vector<std::string>* notes);

}  // namespace rescope
