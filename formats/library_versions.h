// Versions of the libraries that read and write formats, for `rescope --version`: a bug
// report should say which HDF5, libzip and snappy produced a result.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace rescope {

// (library, version) pairs; HDF5 and libzip report the version loaded at run time,
// snappy the version of its headers (it has no run-time query).
std::vector<std::pair<std::string, std::string>> FormatLibraryVersions();

}  // namespace rescope
