// SPDX-License-Identifier: Apache-2.0
// Reading the string attributes Keras and h5py write (names lists, versions, JSON configs).
//
// h5py stores strings in several ways depending on its version and on what the caller
// passed (FORMATS.md §5): variable- or fixed-length, ASCII or UTF-8, scalar or 1-D, and
// an empty Python list as a float64 attribute of shape (0,). These helpers accept all of
// them and return the raw bytes of each string (no transcoding). Fixed-length strings lose
// their padding: trailing NULs (NULLPAD, as numpy does), everything from the first NUL
// (NULLTERM) or trailing spaces (SPACEPAD).
//
// Errors name the file, the object and the attribute:
//   "w.h5: /model_weights: attribute "layer_names": expected strings (found HDF5 type class 1)"
#pragma once

#include <hdf5.h>

#include <optional>
#include <string>
#include <vector>

#include "core/store/status.h"

namespace rescope {

// Where an attribute lives, for messages: the file name and the object's path.
struct H5AttrContext {
  const std::string& file;
  const std::string& object;
};

// True if `obj` has an attribute `name`; errors only when HDF5 cannot tell.
Result<bool> H5HasAttr(hid_t obj, const std::string& name, const H5AttrContext& where);

// The attribute as a list of strings; nullopt if it does not exist. Any attribute with
// zero elements is an empty list, whatever its type. More than 2^22 elements is refused.
Result<std::optional<std::vector<std::string>>> ReadStringListAttr(hid_t obj,
                                                                   const std::string& name,
                                                                   const H5AttrContext& where);

// Keras's large-attribute convention: `name` if present, else the concatenation of
// `name0`, `name1`, ... up to the first missing one; nullopt if none exists.
Result<std::optional<std::vector<std::string>>> ReadChunkedStringListAttr(
    hid_t obj, const std::string& name, const H5AttrContext& where);

// A single string: a scalar string attribute or a 1-D one with exactly one element;
// nullopt if the attribute does not exist.
Result<std::optional<std::string>> ReadStringAttr(hid_t obj, const std::string& name,
                                                  const H5AttrContext& where);

}  // namespace rescope
