// SPDX-License-Identifier: Apache-2.0
// Serving the bytes of one HDF5 dataset as a TensorEntry's data.
//
// DescribeDataset maps a dataset's HDF5 type and dataspace onto rescope's model and picks
// how its bytes are served:
//   * contiguous, unfiltered, stored exactly as rescope lays it out (little-endian IEEE
//     float, little-endian integer, h5py's int8 bool enum, 2-byte opaque bfloat16): the
//     entry's data is the file image itself (H5ImageFile::image_source(), a view of the
//     mapping) at data_offset = H5Dget_offset (zero copy);
//   * anything else numeric (chunked, compressed, big-endian, not yet allocated): an
//     H5DatasetSource that answers each Read with one H5Dread of just the requested
//     elements (a hyperslab union covering that flat range), converting to little-endian
//     into the caller's scratch buffer; memory follows the window asked for, never the
//     dataset size;
//   * strings (fixed or variable length): converted once, at open, into the TF tensor
//     bundle string layout of core/store/tensor_store.h (varint64 lengths, masked CRC32C of the
//     lengths, the bytes), held in memory; string datasets larger than the input can
//     justify are refused through data_error.
//
// Type mapping: IEEE f16/f32/f64 → float16/32/64; 1/2/4/8-byte integers → (u)int8..64; a
// 2-member enum {0, 1} over a 1-byte integer (h5py's bool) → bool; other enums → their
// base integer type; 2-byte opaque with a dataset attribute dtype="bfloat16" (Keras 3
// writes bfloat16 so, FORMATS.md §5.3) or an opaque tag mentioning bfloat16, and a 2-byte
// float with an 8-bit exponent and 7-bit mantissa → bfloat16; a compound {r, i} of two
// equal IEEE floats (h5py's complex) → complex64/128; strings → string. Others (references,
// arrays, variable-length sequences, other opaque or compound types) get dtype invalid and
// a data_error naming the type.
#pragma once

#include <hdf5.h>

#include <memory>
#include <string>

#include "core/store/status.h"
#include "core/store/tensor_store.h"
#include "formats/hdf5/h5_image.h"

namespace rescope {

// Part of an entry's "hdf5_storage" note when the dataset has the Fletcher-32 filter, whose
// checksum HDF5 verifies on every read (verify counts such entries as checksummed).
inline constexpr const char* kHdf5Fletcher32Note = "fletcher32";

// Fills entry->dtype, shape, byte_size, data/data_offset (or data_error) for the open
// dataset `dset` found at `path` (absolute, for messages) in `file`. Name and notes are
// left to the caller. Returns an error (kCorruption, message "<file>: <path>: ...") only
// when the dataset's description contradicts itself or the file: shape overflow, byte size
// overflow, contiguous data outside the image, failing HDF5 metadata calls. Problems that
// only stop the bytes from being read (an unsupported type, external or virtual storage,
// an oversized string dataset or chunk) leave entry->data null and explain in data_error.
Status DescribeDataset(const std::shared_ptr<const H5ImageFile>& file, hid_t dset,
                       const std::string& path, TensorEntry* entry);

}  // namespace rescope
