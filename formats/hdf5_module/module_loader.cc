// SPDX-License-Identifier: Apache-2.0
// HDF5 support loaded from librescope_hdf5.so on first use (the CLI): a run that opens no
// HDF5 file never maps libhdf5, libzip or what they depend on.
//
// Where the module is looked for, in order:
//   $RESCOPE_HDF5_MODULE        when set, this file and nothing else;
//   <executable's directory>/librescope_hdf5.so
//                               the build tree, where CMake puts both side by side;
//   <executable's directory>/RESCOPE_HDF5_MODULE_RELDIR/librescope_hdf5.so
//                               an install (bin/rescope, lib/rescope/librescope_hdf5.so),
//                               relative so that an installed tree can be moved.
// The module is never unloaded: tensors keep pointers to its code (ByteSources, states).
#include <dlfcn.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

#include "formats/hdf5_module/hdf5_module.h"
#include "formats/hdf5_module/module_stamp.h"

namespace rescope {
namespace {

constexpr const char* kModuleName = "librescope_hdf5.so";

std::string ExecutableDirectory() {
  char buf[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  if (n <= 0) return "";
  std::string exe(buf, static_cast<size_t>(n));
  const size_t slash = exe.rfind('/');
  return slash == std::string::npos ? "" : exe.substr(0, slash);
}

std::vector<std::string> CandidatePaths() {
  if (const char* env = std::getenv("RESCOPE_HDF5_MODULE"); env != nullptr && *env != '\0') {
    return {env};
  }
  const std::string dir = ExecutableDirectory();
  if (dir.empty()) return {};
  return {dir + "/" + kModuleName, dir + "/" RESCOPE_HDF5_MODULE_RELDIR "/" + kModuleName};
}

std::string Joined(const std::vector<std::string>& paths) {
  std::string out;
  for (const std::string& p : paths) out += (out.empty() ? "" : ", ") + p;
  return out;
}

// Opens and checks the module at `path`; a path that does not exist is kNotFound, so the
// caller tries the next one.
Result<const Hdf5ModuleApi*> LoadFrom(const std::string& path) {
  if (::access(path.c_str(), F_OK) != 0) return Status::NotFound(path);
  // RTLD_NOW: a missing library or symbol fails here, with dlerror's message, rather than
  // in the middle of reading a file.
  void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = ::dlerror();
    return Status::NotSupported("HDF5 support module " + path + " cannot be loaded: " +
                                (why != nullptr ? why : "unknown dlopen error") +
                                "; HDF5 and .keras files need it (reinstall rescope, or "
                                "install libhdf5 and libzip)");
  }
  using StampFn = const char* (*)();
  using ApiFn = const Hdf5ModuleApi* (*)();
  auto stamp = reinterpret_cast<StampFn>(::dlsym(handle, "rescope_hdf5_module_stamp"));
  auto api = reinterpret_cast<ApiFn>(::dlsym(handle, "rescope_hdf5_module_api"));
  if (stamp == nullptr || api == nullptr) {
    return Status::NotSupported("HDF5 support module " + path +
                                " is not a rescope HDF5 module (no entry points)");
  }
  if (std::strcmp(stamp(), RESCOPE_HDF5_MODULE_STAMP) != 0) {
    return Status::NotSupported("HDF5 support module " + path + " belongs to another build (" +
                                stamp() +
                                ", this binary is " RESCOPE_HDF5_MODULE_STAMP
                                "); reinstall rescope so that both come from one build");
  }
  return api();
}

Result<const Hdf5ModuleApi*> FindAndLoad() {
  const std::vector<std::string> paths = CandidatePaths();
  for (const std::string& path : paths) {
    Result<const Hdf5ModuleApi*> api = LoadFrom(path);
    if (api.ok() || api.status().code() != StatusCode::kNotFound) return api;
  }
  return Status::NotSupported(
      "HDF5 support module " + std::string(kModuleName) + " not found (looked for " +
      (paths.empty() ? std::string("it beside the executable, whose path is unknown")
                     : Joined(paths)) +
      "); HDF5 and .keras files need it: reinstall rescope, or set RESCOPE_HDF5_MODULE to "
      "its path");
}

}  // namespace

Result<const Hdf5ModuleApi*> LoadHdf5Module() {
  // Loaded once; a failure is remembered too, so every file reports the same reason.
  static const Result<const Hdf5ModuleApi*> loaded = FindAndLoad();
  return loaded;
}

}  // namespace rescope
