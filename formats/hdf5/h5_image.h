// SPDX-License-Identifier: Apache-2.0
// H5ImageFile: an HDF5 file opened read-only on bytes rescope has already mapped.
//
// Every HDF5 input (a plain .h5 file, or the model.weights.h5 member stored inside a
// .keras zip) is opened through HDF5's "core" (in-memory) driver with a file image whose
// memory callbacks hand HDF5 the mapping itself instead of a copy. So HDF5 parses the
// same bytes rescope serves tensors from, a zip member needs no extraction, and nothing
// is copied: contiguous datasets are then read straight from the mapping at
// image_offset() + H5Dget_offset().
//
// A file whose bytes are not mapped anywhere (the DEFLATE-compressed weights member of a
// .keras archive, inflated on demand by formats/keras_h5/inflating_member.h) is opened
// with OpenSource instead: HDF5 then reads through a ByteSource file driver
// (h5_source_driver.h) and mapping() is null.
//
// Lifetime: the object owns the HDF5 file id and keeps the mapping (or source) alive;
// HDF5 reads it until the file id is closed, which happens in the destructor. Hold it
// through a shared_ptr for as long as any dataset source reads through it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/store/status.h"
#include "formats/hdf5/h5_handle.h"
#include "formats/mapped_file.h"

namespace rescope {

class H5ImageFile {
 public:
  // Opens the HDF5 file made of bytes [offset, offset + size) of `mapping`. `name` is the
  // name used in messages (the file path, or "<zip>:model.weights.h5"). Errors:
  // "<name>: H5Fopen failed: <innermost HDF5 message>" (kCorruption).
  static Result<std::shared_ptr<const H5ImageFile>> Open(std::string name,
                                                         std::shared_ptr<const MappedFile> mapping,
                                                         uint64_t offset, uint64_t size);

  // Opens the HDF5 file made of all of `source`'s bytes, read through the ByteSource file
  // driver; `name` as for Open. image_source() is `source` itself, mapping() is null.
  static Result<std::shared_ptr<const H5ImageFile>> OpenSource(
      std::string name, std::shared_ptr<const ByteSource> source);

  ~H5ImageFile();
  H5ImageFile(const H5ImageFile&) = delete;
  H5ImageFile& operator=(const H5ImageFile&) = delete;

  const std::string& name() const { return name_; }
  hid_t id() const { return file_.get(); }
  // The mapped file the image lies in; null for a file opened with OpenSource.
  const std::shared_ptr<const MappedFile>& mapping() const { return mapping_; }
  // Where the HDF5 image starts in mapping() and how long it is.
  uint64_t image_offset() const { return offset_; }
  uint64_t image_size() const { return size_; }
  // The image's bytes as a ByteSource named name(): offsets are HDF5 file addresses (as
  // H5Dget_offset and h5dump report them). The mapping itself when the image is a whole
  // file under the same name, otherwise a view of the sub-range (or the source given to
  // OpenSource). Does not keep the HDF5 file open, only the mapping.
  const std::shared_ptr<const ByteSource>& image_source() const { return image_source_; }

  // What the file-image callbacks need (public only so the C callbacks can see it).
  struct Image {
    const uint8_t* data = nullptr;
    size_t size = 0;
  };

 private:
  H5ImageFile(std::string name, std::shared_ptr<const MappedFile> mapping, uint64_t offset,
              uint64_t size);
  H5ImageFile(std::string name, std::shared_ptr<const ByteSource> source);

  // Declaration order matters: file_ is closed before image_ and mapping_ go away.
  std::string name_;
  std::shared_ptr<const MappedFile> mapping_;
  uint64_t offset_ = 0;
  uint64_t size_ = 0;
  Image image_;
  std::shared_ptr<const ByteSource> image_source_;
  H5Handle file_;
};

}  // namespace rescope
