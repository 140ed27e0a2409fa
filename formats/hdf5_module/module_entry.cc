// SPDX-License-Identifier: Apache-2.0
// The entry points of librescope_hdf5.so, looked up by module_loader.cc with dlsym.
#include "formats/hdf5_module/hdf5_module.h"
#include "formats/hdf5_module/module_stamp.h"

// The build this module belongs to; the loader refuses a module from another build, whose
// structures (Checkpoint, TensorStore) may be laid out differently.
extern "C" __attribute__((visibility("default"))) const char* rescope_hdf5_module_stamp() {
  return RESCOPE_HDF5_MODULE_STAMP;
}

extern "C" __attribute__((visibility("default"))) const rescope::Hdf5ModuleApi*
rescope_hdf5_module_api() {
  return &rescope::LinkedHdf5ModuleApi();
}
