// SPDX-License-Identifier: Apache-2.0
// Opening HDF5 file images in place (see h5_image.h).
#include "formats/hdf5/h5_image.h"

#include <atomic>

#include "formats/hdf5/h5_error.h"
#include "formats/hdf5/h5_source_driver.h"

namespace rescope {
namespace {

// The core driver normally copies a file image twice (into the property list, then into
// the driver). These callbacks make every "allocation" return the mapped image and every
// "copy" a no-op, the way HDF5's own H5LTopen_file_image does with DONT_COPY, but without
// needing the high-level library. The image is read-only: realloc (only used when HDF5
// wants to grow a writable image) is refused, and a real copy (dest != src) too.
using Image = H5ImageFile::Image;

void* ImageMalloc(size_t size, H5FD_file_image_op_t, void* udata) {
  auto* image = static_cast<Image*>(udata);
  if (size != image->size) return nullptr;
  return const_cast<uint8_t*>(image->data);
}

void* ImageMemcpy(void* dest, const void* src, size_t, H5FD_file_image_op_t, void*) {
  return dest == src ? dest : nullptr;
}

void* ImageRealloc(void*, size_t, H5FD_file_image_op_t, void*) { return nullptr; }
herr_t ImageFree(void*, H5FD_file_image_op_t, void*) { return 0; }
void* UdataCopy(void* udata) { return udata; }
herr_t UdataFree(void*) { return 0; }

// The core driver refuses to open an image under the name of a file that exists on disk
// (and two open images with the same name would be merged into one shared file), so each
// image gets a name that cannot exist: /dev/null is not a directory.
std::string UniqueImageName() {
  static std::atomic<uint64_t> counter{0};
  return "/dev/null/rescope-h5-image-" + std::to_string(++counter);
}

// A window [offset, offset + size) of a mapping, under its own name.
class SubrangeSource final : public ByteSource {
 public:
  SubrangeSource(std::string name, std::shared_ptr<const MappedFile> mapping, uint64_t offset,
                 uint64_t size)
      : name_(std::move(name)), mapping_(std::move(mapping)), offset_(offset), size_(size) {}

  const std::string& name() const override { return name_; }
  uint64_t size() const override { return size_; }
  Result<ByteView> Read(uint64_t offset, uint64_t n, std::vector<uint8_t>& scratch) const override {
    if (!RangeFits(offset, n, size_)) {
      return Status::Corruption(name_ + ": bytes [" + Hex(offset) + ", " + Hex(offset + n) +
                                ") run past end of file (" + Hex(size_) + ")");
    }
    return mapping_->Read(offset_ + offset, n, scratch);
  }
  void Release(uint64_t offset, uint64_t n) const override {
    if (RangeFits(offset, n, size_)) mapping_->Release(offset_ + offset, n);
  }

 private:
  std::string name_;
  std::shared_ptr<const MappedFile> mapping_;
  uint64_t offset_;
  uint64_t size_;
};

}  // namespace

H5ImageFile::H5ImageFile(std::string name, std::shared_ptr<const MappedFile> mapping,
                         uint64_t offset, uint64_t size)
    : name_(std::move(name)), mapping_(std::move(mapping)), offset_(offset), size_(size) {
  image_.data = mapping_->All().data + offset_;
  image_.size = static_cast<size_t>(size_);
  if (offset_ == 0 && size_ == mapping_->size() && name_ == mapping_->name()) {
    image_source_ = mapping_;
  } else {
    image_source_ = std::make_shared<SubrangeSource>(name_, mapping_, offset_, size_);
  }
}

H5ImageFile::H5ImageFile(std::string name, std::shared_ptr<const ByteSource> source)
    : name_(std::move(name)), size_(source->size()), image_source_(std::move(source)) {}

H5ImageFile::~H5ImageFile() { file_.Reset(); }

Result<std::shared_ptr<const H5ImageFile>> H5ImageFile::OpenSource(
    std::string name, std::shared_ptr<const ByteSource> source) {
  SilenceHdf5Errors();
  if (source->size() == 0) return Status::Corruption(name + ": empty file, not HDF5");
  std::shared_ptr<H5ImageFile> file(new H5ImageFile(std::move(name), std::move(source)));
  H5Handle fapl = H5Handle::Plist(H5Pcreate(H5P_FILE_ACCESS));
  if (!fapl.valid()) return Hdf5CallFailed(file->name_, "", "H5Pcreate", StatusCode::kIOError);
  RESCOPE_RETURN_IF_ERROR(SetByteSourceDriver(fapl.get(), file->image_source_.get()));
  file->file_ = H5Handle::File(H5Fopen(UniqueImageName().c_str(), H5F_ACC_RDONLY, fapl.get()));
  if (!file->file_.valid()) return Hdf5CallFailed(file->name_, "", "H5Fopen");
  return std::shared_ptr<const H5ImageFile>(std::move(file));
}

Result<std::shared_ptr<const H5ImageFile>> H5ImageFile::Open(
    std::string name, std::shared_ptr<const MappedFile> mapping, uint64_t offset, uint64_t size) {
  SilenceHdf5Errors();
  if (!RangeFits(offset, size, mapping->size())) {
    return Status::Corruption(name + ": HDF5 image [" + Hex(offset) + ", " + Hex(offset + size) +
                              ") runs past end of " + mapping->name() + " (" +
                              Hex(mapping->size()) + ")");
  }
  if (size == 0) return Status::Corruption(name + ": empty file, not HDF5");
  std::shared_ptr<H5ImageFile> file(
      new H5ImageFile(std::move(name), std::move(mapping), offset, size));
  H5Handle fapl = H5Handle::Plist(H5Pcreate(H5P_FILE_ACCESS));
  if (!fapl.valid()) return Hdf5CallFailed(file->name_, "", "H5Pcreate", StatusCode::kIOError);
  H5FD_file_image_callbacks_t callbacks{ImageMalloc, ImageMemcpy, ImageRealloc, ImageFree,
                                        UdataCopy,   UdataFree,   &file->image_};
  if (H5Pset_fapl_core(fapl.get(), 1 << 16, /*backing_store=*/0) < 0 ||
      H5Pset_file_image_callbacks(fapl.get(), &callbacks) < 0 ||
      H5Pset_file_image(fapl.get(), const_cast<uint8_t*>(file->image_.data), file->image_.size) <
          0) {
    return Hdf5CallFailed(file->name_, "", "setting up the HDF5 file image", StatusCode::kIOError);
  }
  file->file_ = H5Handle::File(H5Fopen(UniqueImageName().c_str(), H5F_ACC_RDONLY, fapl.get()));
  if (!file->file_.valid()) return Hdf5CallFailed(file->name_, "", "H5Fopen");
  return std::shared_ptr<const H5ImageFile>(std::move(file));
}

}  // namespace rescope
