// SPDX-License-Identifier: Apache-2.0
// Turning one HDF5 dataset into a named TensorStore entry (shared by the Keras 2, Keras 3
// and generic HDF5 layouts of keras_h5_reader).
#pragma once

#include <hdf5.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/store/status.h"
#include "core/store/tensor_store.h"
#include "formats/hdf5/h5_image.h"

namespace rescope {

using EntryNotes = std::vector<std::pair<std::string, std::string>>;

// Opens `relative` below the object `base` (whose absolute path is `base_path`) through
// hard links, describes it (formats/hdf5/h5_source.h) and adds it to `store` as `name`
// with `notes` followed by ("hdf5_path", <absolute path>). `listed_in` says who named the
// dataset, for the error when it is missing or not a dataset:
//   "w.h5: /dense/dense/bias:0: no such dataset (listed in weight_names of /dense)".
// A duplicate name fails with kConflict naming both the name and the path.
Status AddDatasetEntry(const std::shared_ptr<const H5ImageFile>& file, hid_t base,
                       const std::string& base_path, const std::string& relative, std::string name,
                       EntryNotes notes, const std::string& listed_in, TensorStore* store);

// "dense/kernel:0" → "dense/kernel"; other names unchanged.
std::string StripKerasWeightSuffix(const std::string& weight_name);

}  // namespace rescope
