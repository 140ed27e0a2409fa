// SPDX-License-Identifier: Apache-2.0
// Writing Keras HDF5 files and .keras archives: `rename` output for Keras inputs and the
// HDF5 target of `convert` for any other input.
//
// For a Keras/HDF5 source (Checkpoint.format keras_h5, keras3_weights_h5, keras_zip, hdf5)
// the file is rebuilt, never edited: every group is re-created with its attributes and
// every kept dataset is copied to its new path: contiguous unfiltered ones (all that h5py
// writes by default) by creating the dataset with the same type, shape, properties and
// attributes and copying its stored bytes with copy_file_range (formats/hdf5/
// h5_raw_copy.h; only the allocation time becomes "early" and the fill time "never"),
// the rest with H5Ocopy, which keeps type, attributes, chunking and filters byte for byte.
// Dropped datasets are not copied (so their bytes do not linger as dead space). Then:
//   Keras 2  weight_names of every changed layer are rewritten (same string type as the
//            source: fixed or variable length, ":0" suffixes kept); a layer all of whose
//            weights "L/..." became "M/..." (L its group name) is renamed: group moved to
//            M, layer_names rewritten, and in a full model the layer renamed in
//            model_config when that is unambiguous (otherwise a note says what was left);
//   Keras 3  a dataset's path is its new name ("layers/fc/vars/0"); a group all of whose
//            datasets move by the same prefix is moved whole (keeping its attributes,
//            e.g. the vars group's `name`); config.json is never changed (Keras 3 finds
//            weights by object path, not by layer name), and a note says so;
//   .keras   the archive is rewritten: model.weights.h5 STORED, every other member copied
//            unchanged (compressed bytes and dates as they were); a `path` ending in .h5
//            or .hdf5 (out.h5, out.weights.h5) gets the archive's weights file alone, as
//            HDF5.
// Groups emptied by moves are removed; groups empty in the source are kept. Soft and
// external links are not copied (a note counts them).
//
// For any other source the tensors are written as a new HDF5 file
// (formats/keras_h5/h5_store_writer.h: Keras 2 weights layout when names look like
// "layer/weight", else generic), and `notes` says which.
//
// Output is written to a temporary file next to `path` and renamed into place only when
// complete; on error nothing is left behind. The input is only ever opened read-only.
#pragma once

#include <string>
#include <vector>

#include "core/store/status.h"
#include "core/store/tensor_store.h"

namespace rescope {

// Writes `store` (the source's entries, possibly renamed or dropped; entries carry their
// original names in source_name) to `path`. Returns the files written (just `path`) and
// appends to `notes` what the user should know (layout chosen, things left unchanged).
// Errors: kInvalidArgument for results a Keras file cannot hold (two tensors on one path,
// an optimizer weight renamed out of optimizer_weights/); kNotSupported for a store with
// tensors that are not in a Keras source or whose bytes were changed; kIOError /
// kCorruption from the file system, HDF5 or libzip, naming the file.
// What WriteKerasH5 would refuse about `store` (MatchStore, the layer and optimizer-weight
// rules, two tensors on one path), checked without writing: `rename --dry-run` runs it.
Status CheckKerasH5Write(const Checkpoint& source, const TensorStore& store);

Result<std::vector<std::string>> WriteKerasH5(const Checkpoint& source, const TensorStore& store,
                                              const std::string& path,
                                              std::vector<std::string>* notes);

}  // namespace rescope
