// SPDX-License-Identifier: Apache-2.0
// Reading Keras HDF5 checkpoints into a Checkpoint: Keras 2 full-model and weights-only
// .h5 files, Keras 3 .weights.h5 files, .keras archives (zip or, despite the name, HDF5)
// and, as a fallback, any HDF5 file. Layouts: formats/keras_h5/README.md, FORMATS.md §5.
//
// Formats are recognised by magic bytes, never by extension (FORMATS.md §8 item 29).
// Only metadata is read at open; tensor bytes are served on demand, zero copy for
// contiguous datasets (formats/hdf5/h5_source.h).
//
// Checkpoint.format:
//   "keras_h5"           Keras 2 layout (layer_names / weight_names attributes)
//   "keras3_weights_h5"  Keras 3 layout (<path>/vars/<i>)
//   "keras_zip"          .keras zip archive (whatever layout its model.weights.h5 has)
//   "hdf5"               any other HDF5 file
//
// Variable names:
//   Keras 2:  the stored weight name without a trailing ":0" ("dense_1/kernel"), for every
//             weight listed in weight_names of every layer in layer_names and of
//             top_level_model_weights; optimizer weights (full models) are
//             "optimizer_weights/<weight name without :0>".
//   Keras 3:  the dataset path without the leading '/' ("layers/dense_1/vars/0").
//   generic:  every dataset reachable through hard links, by path without the leading '/'.
// Entry notes: ("layer", layer name) where known, ("hdf5_path", absolute dataset path),
// ("role", "optimizer") for optimizer state, ("keras_name", "<layer>/<variable>") for
// Keras 3 variables whose name follows from config.json, and ("hdf5_storage", ...) for
// datasets that are not contiguous and unfiltered.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/store/status.h"
#include "core/store/tensor_store.h"

namespace rescope {

// True if the file is a zip (starts with PK\3\4) whose central directory holds
// model.weights.h5, or is not a zip and has the HDF5 signature at offset 0 or 512·2^n.
// Never fails: unreadable files are simply not recognised.
bool SniffKerasOrHdf5(const std::string& path);

// Opens `path` (.h5, .hdf5, .weights.h5, .keras zip or HDF5, any HDF5 file). Errors name
// the file: kNotFound for a missing file, kCorruption for bytes that are neither HDF5 nor
// zip or contradict the layout ("w.h5: /model_weights/dense: weight "dense/bias:0" has no
// dataset"), kNotSupported for valid files rescope cannot serve (encrypted zip members,
// soft links in weight paths). HDF5 failures carry HDF5's innermost message:
//   "w.h5: H5Fopen failed: truncated file: eof = 1024, sblock->base_addr = 0, ...".
//
// Before reading in-process, the metadata read is run once in a forked child
// (formats/hdf5/h5_probe.h) because libhdf5 can crash or hang on corrupt metadata; such
// files fail with kCorruption: "w.h5: the HDF5 library crashed (signal 11: SIGSEGV) while
// reading this file's metadata; the file is corrupt". Setting the environment variable
// RESCOPE_NO_HDF5_PROBE skips the probe (fuzzers set it so sanitizers see the real crash).
Result<Checkpoint> OpenKerasH5(const std::string& path);

// OpenKerasH5 without the crash probe: what the probe's child runs.
Result<Checkpoint> OpenKerasH5Unprobed(const std::string& path);

// One Keras 2 layer as stored: its name and its weight_names exactly as written (":0"
// kept), in order.
struct KerasH5Layer {
  std::string name;
  std::vector<std::string> weight_names;
};

// One Keras 3 "vars" group: its owner path ("layers/dense", "" for the root model), the
// value of its `name` attribute (Keras ≥ 3.6; "" when absent) and its variables' keys in
// numeric order ("0", "1", ..., "10").
struct Keras3VarsGroup {
  std::string owner_path;
  std::string name_attr;
  std::vector<std::string> keys;
};

// What a Keras HDF5 writer needs to reproduce the file's structure.
class KerasH5State final : public FormatState {
 public:
  std::string layout;                          // "keras_h5", "keras3_weights_h5" or "hdf5"
  bool full_model = false;                     // Keras 2: /model_weights + root attributes
  std::string keras_version;                   // "" when absent
  std::string backend;                         // "" when absent
  std::optional<std::string> model_config;     // raw JSON (Keras 2 full model)
  std::optional<std::string> training_config;  // raw JSON
  std::vector<KerasH5Layer> layers;            // layer_names order
  std::optional<KerasH5Layer> top_level_model_weights;
  bool has_optimizer_weights = false;
  std::vector<std::string> optimizer_weight_names;  // as stored, in order
  std::vector<Keras3VarsGroup> vars_groups;         // Keras 3, in file (walk) order
  // .keras archives only.
  std::vector<std::string> archive_members;
  std::string metadata_json;
  std::string config_json;
};

}  // namespace rescope
