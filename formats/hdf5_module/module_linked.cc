// SPDX-License-Identifier: Apache-2.0
// HDF5 support linked into the binary (tests, fuzzers, tools): nothing to load.
#include "formats/hdf5_module/hdf5_module.h"

namespace rescope {

Result<const Hdf5ModuleApi*> LoadHdf5Module() { return &LinkedHdf5ModuleApi(); }

}  // namespace rescope
