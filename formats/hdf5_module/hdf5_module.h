// SPDX-License-Identifier: Apache-2.0
// The seam between rescope and its HDF5 support (Keras .h5/.weights.h5, .keras archives,
// any HDF5 file): formats/hdf5 and formats/keras_h5, which need libhdf5 and libzip.
//
// Those two libraries and what they pull in (curl, ssh, OpenSSL, Kerberos, ...) cost the
// CLI most of its start-up when linked, although most runs never open an HDF5 file. So
// the CLI builds that code into a separate module, librescope_hdf5.so, and loads it the
// first time a file needs it (module_loader.cc). Tests, fuzzers and tools link the same
// code directly (module_linked.cc). Callers do not see the difference: they call the
// functions below, which ask LoadHdf5Module() for the implementation.
//
// The module resolves everything it uses from rescope's own code (Status, MappedFile,
// TensorStore, ...) against the executable that loads it, so there is one copy of that
// code and its state in the process; it must come from the same build as the executable
// (kHdf5ModuleBuildStamp, checked at load).
#pragma once

#include <string>
#include <vector>

#include "core/store/status.h"
#include "core/store/tensor_store.h"

namespace rescope {

// What the HDF5 support provides: formats/keras_h5/keras_h5_reader.h and
// keras_h5_writer.h, behind function pointers. Every pointer is set.
struct Hdf5ModuleApi {
  bool (*sniff_keras_or_hdf5)(const std::string& path);
  Result<Checkpoint> (*open_keras_h5)(const std::string& path);
  Status (*check_keras_h5_write)(const Checkpoint& source, const TensorStore& store);
  Result<std::vector<std::string>> (*write_keras_h5)(const Checkpoint& source,
                                                     const TensorStore& store,
                                                     const std::string& path,
                                                     std::vector<std::string>* notes);
};

// The HDF5 support, loaded on the first call when it is a module. Errors (kNotSupported)
// name the module path(s) tried and what failed: "HDF5 support module
// /usr/lib/rescope/librescope_hdf5.so not found; ...". Defined by module_loader.cc or
// module_linked.cc, whichever the executable links.
Result<const Hdf5ModuleApi*> LoadHdf5Module();

// The table of the code linked into this binary (formats/hdf5_module/module_api.cc).
const Hdf5ModuleApi& LinkedHdf5ModuleApi();

// True if `path` is a file the HDF5 support opens (SniffKerasOrHdf5: HDF5 signature, or a
// zip holding model.weights.h5). Loads the support only for files that start like a zip
// or carry the HDF5 signature, and not for torch.save zips (a .keras archive holds no
// data.pkl). If the support cannot be loaded, every such candidate counts, so that opening
// it reports why.
bool SniffKerasOrHdf5File(const std::string& path);

// OpenKerasH5, CheckKerasH5Write and WriteKerasH5 through the loaded support.
Result<Checkpoint> OpenKerasH5File(const std::string& path);
Status CheckKerasH5Output(const Checkpoint& source, const TensorStore& store);
Result<std::vector<std::string>> WriteKerasH5Output(const Checkpoint& source,
                                                    const TensorStore& store,
                                                    const std::string& path,
                                                    std::vector<std::string>* notes);

}  // namespace rescope
