// SPDX-License-Identifier: Apache-2.0
#include "formats/library_versions.h"

// Headers only: libhdf5 and libzip are not linked into the CLI (they live in the HDF5
// support module, loaded when an HDF5 file is opened), so their versions are those of the
// headers rescope was built against.
#include <H5public.h>
#include <snappy-stubs-public.h>
#include <zipconf.h>

namespace rescope {

std::vector<std::pair<std::string, std::string>> FormatLibraryVersions() {
  const std::string hdf5 = std::to_string(H5_VERS_MAJOR) + "." + std::to_string(H5_VERS_MINOR) +
                           "." + std::to_string(H5_VERS_RELEASE);
  const std::string snappy = std::to_string(SNAPPY_MAJOR) + "." + std::to_string(SNAPPY_MINOR) +
                             "." + std::to_string(SNAPPY_PATCHLEVEL);
  return {{"HDF5", hdf5 + " (built against)"},
          {"libzip", std::string(LIBZIP_VERSION) + " (built against)"},
          {"snappy", snappy + " (built against)"}};
}

}  // namespace rescope
