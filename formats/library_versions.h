// SPDX-License-Identifier: Apache-2.0
// Versions of the libraries that read and write formats, for `rescope --version`: a bug
// report should say which HDF5, libzip and snappy produced a result.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace rescope {

// (library, version) pairs: the versions of the headers rescope was built against.
// Asking libhdf5 or libzip at run time would load them, which `--version` must not do
// (formats/hdf5_module/hdf5_module.h); snappy has no run-time query.
std::vector<std::pair<std::string, std::string>> FormatLibraryVersions();

}  // namespace rescope
