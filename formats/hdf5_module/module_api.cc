// SPDX-License-Identifier: Apache-2.0
// The HDF5 support's function table, built from the code it is linked with.
#include "formats/hdf5_module/hdf5_module.h"
#include "formats/keras_h5/keras_h5_reader.h"
#include "formats/keras_h5/keras_h5_writer.h"

namespace rescope {

const Hdf5ModuleApi& LinkedHdf5ModuleApi() {
  static const Hdf5ModuleApi api{&SniffKerasOrHdf5, &OpenKerasH5, &CheckKerasH5Write,
                                 &WriteKerasH5};
  return api;
}

}  // namespace rescope
