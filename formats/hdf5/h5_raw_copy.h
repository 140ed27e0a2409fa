// SPDX-License-Identifier: Apache-2.0
// Copying the bytes of contiguous, unfiltered HDF5 datasets between files with
// copy_file_range instead of through HDF5 (used by the Keras HDF5 writer).
//
// H5Ocopy moves every byte through HDF5's buffers, and on a source opened on a mapped
// image it faults the whole input into resident memory. For the common case (h5py writes
// every dataset contiguous and unfiltered) the writer instead creates the destination
// dataset with its storage allocated but unwritten, and copies the stored bytes file to
// file after HDF5 has closed the output: no user-space copy, resident memory independent
// of the file size. Everything else (chunked, filtered, compact, external, variable-
// length or committed types, unallocated storage) is left to H5Ocopy.
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/store/status.h"
#include "formats/hdf5/h5_image.h"

namespace rescope {

// One dataset's stored bytes to copy: [src_offset, src_offset + size) of the source
// mapping's file to [dst_offset, ...) of the output file.
struct H5RawRange {
  uint64_t src_offset = 0;
  uint64_t dst_offset = 0;
  uint64_t size = 0;
};

// If dataset `src_path` of `src` qualifies (contiguous, no filters, no external storage,
// allocated, a fixed-size type without variable-length or reference parts, not a
// committed type), creates `dst_path` in `dst` (through `lcpl`) with the same datatype,
// dataspace, creation properties and attributes, storage allocated early and never
// filled, and returns the range to copy once `dst` is closed. Returns nullopt, creating
// nothing, when the dataset does not qualify. Errors (kIOError / kCorruption) name `out`
// and the dataset; a stored extent outside the source image is kCorruption.
Result<std::optional<H5RawRange>> CreateForRawCopy(const H5ImageFile& src,
                                                   const std::string& src_path, hid_t dst,
                                                   const std::string& dst_path, hid_t lcpl,
                                                   const std::string& out);

// Copies every range from src's mapped file into the closed HDF5 file at `dst_file`
// (with copy_file_range, falling back to pread/pwrite where the kernel cannot). Does not
// fsync. Errors: kIOError naming `dst_file` (or the source when it ends early).
Status CopyRawRanges(const H5ImageFile& src, const std::string& dst_file,
                     const std::vector<H5RawRange>& ranges);

}  // namespace rescope
