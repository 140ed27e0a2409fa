#include "formats/library_versions.h"

#include <hdf5.h>
#include <snappy-stubs-public.h>
#include <zip.h>

namespace rescope {

std::vector<std::pair<std::string, std::string>> FormatLibraryVersions() {
  unsigned major = 0, minor = 0, release = 0;
  std::string hdf5 = "unknown";
  if (H5get_libversion(&major, &minor, &release) >= 0) {
    hdf5 = std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(release);
  }
  const std::string snappy = std::to_string(SNAPPY_MAJOR) + "." + std::to_string(SNAPPY_MINOR) +
                             "." + std::to_string(SNAPPY_PATCHLEVEL);
  return {{"HDF5", hdf5}, {"libzip", zip_libzip_version()}, {"snappy", snappy}};
}

}  // namespace rescope
