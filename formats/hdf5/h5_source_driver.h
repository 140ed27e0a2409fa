// SPDX-License-Identifier: Apache-2.0
// An HDF5 virtual file driver (VFD) that reads a file's bytes from a ByteSource.
//
// HDF5 normally reads through a file descriptor (sec2) or a memory image (core). A zip
// member compressed with DEFLATE is neither: its bytes exist only once inflated. This
// read-only driver answers every HDF5 read with ByteSource::Read, so HDF5 can open such a
// member through formats/keras_h5/inflating_member.h without the member ever being
// written out or held whole in memory. Reads past the end of the source are refused by
// HDF5 itself (end-of-address checks) or, past the end of file, read as zeros like the
// core driver does; a failing ByteSource read fails the HDF5 call with the source's
// message on HDF5's error stack (so Hdf5CallFailed reports it).
//
// The driver class layout differs between libhdf5 1.10/1.12 (H5FDpublic.h) and 1.14
// (H5FDdevelop.h adds `version` and `value` and more callbacks); the class is filled by
// member name on a zeroed struct so the same code builds against both.
#pragma once

#include <hdf5.h>

#include "core/store/byte_source.h"
#include "core/store/status.h"

namespace rescope {

// Sets `fapl` to read through `source`, which must outlive every file opened with it.
// Errors: kIOError when the driver cannot be registered or set.
Status SetByteSourceDriver(hid_t fapl, const ByteSource* source);

}  // namespace rescope
