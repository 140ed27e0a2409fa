// SPDX-License-Identifier: Apache-2.0
// Writing HDF5 attributes the way h5py and Keras do, and copying attributes verbatim.
//
// Used by the Keras HDF5 writer on files it creates; every function takes an open object
// id and returns a Status naming `file` and the object path, built from HDF5's innermost
// message ("out.h5: /dense: attribute "weight_names": H5Awrite failed: ...").
#pragma once

#include <hdf5.h>

#include <string>
#include <vector>

#include "core/store/status.h"

namespace rescope {

// How a list of strings is stored: numpy's fixed-length bytes ("S<n>", NUL-padded, size =
// longest string, at least 1) or h5py's variable-length strings; cset ASCII or UTF-8.
struct H5StringStyle {
  bool variable_length = true;
  H5T_cset_t cset = H5T_CSET_UTF8;
};

// The style of the existing string attribute `name` of `obj` (default style when it is
// absent, not a string, or an empty list stored as float64).
H5StringStyle StringAttrStyle(hid_t obj, const std::string& name);

// Replaces attribute `name` (and Keras's split parts name0, name1, ...) with a 1-D list.
// An empty list is written as Keras/h5py does: float64 of shape (0,). A list whose bytes
// exceed HDF5's 64 KiB object-header budget is split like Keras's
// save_attributes_to_hdf5_group into name0, name1, ... of roughly equal counts.
Status WriteStringListAttr(hid_t obj, const std::string& name,
                           const std::vector<std::string>& values, H5StringStyle style,
                           const std::string& file, const std::string& path);

// Replaces attribute `name` with a scalar string.
Status WriteStringAttr(hid_t obj, const std::string& name, const std::string& value,
                       H5StringStyle style, const std::string& file, const std::string& path);

// Copies every attribute of `src` onto `dst` with its exact type and shape (variable-
// length data included).
Status CopyAttributes(hid_t src, hid_t dst, const std::string& file, const std::string& path);

}  // namespace rescope
