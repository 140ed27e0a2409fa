// SPDX-License-Identifier: Apache-2.0
// Raw byte copies of contiguous HDF5 datasets (see h5_raw_copy.h).
#include "formats/hdf5/h5_raw_copy.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/store/byte_source.h"
#include "formats/hdf5/h5_error.h"
#include "formats/hdf5/h5_handle.h"
#include "formats/hdf5/h5_write.h"

namespace rescope {
namespace {

// Types whose stored bytes are the whole value: no heap references to rewrite.
bool IsFixedSizeType(hid_t type) {
  if (H5Tcommitted(type) != 0) return false;  // a named type would have to be copied too
  switch (H5Tget_class(type)) {
    case H5T_INTEGER:
    case H5T_FLOAT:
    case H5T_BITFIELD:
    case H5T_OPAQUE:
    case H5T_ENUM:
      return true;
    case H5T_STRING:
      return H5Tis_variable_str(type) == 0;
    case H5T_COMPOUND:
    case H5T_ARRAY:
      return H5Tdetect_class(type, H5T_VLEN) == 0 && H5Tdetect_class(type, H5T_REFERENCE) == 0 &&
             H5Tdetect_class(type, H5T_STRING) == 0;
    default:
      return false;
  }
}

// The stored extent of `dset` if it qualifies for a raw copy.
std::optional<H5RawRange> SourceRange(hid_t dset, hid_t dcpl, hid_t type, hid_t space) {
  if (H5Pget_layout(dcpl) != H5D_CONTIGUOUS || H5Pget_nfilters(dcpl) != 0 ||
      H5Pget_external_count(dcpl) != 0 || !IsFixedSizeType(type)) {
    return std::nullopt;
  }
  const hssize_t points = H5Sget_simple_extent_npoints(space);
  const size_t element = H5Tget_size(type);
  if (points <= 0 || element == 0 ||
      static_cast<uint64_t>(points) > UINT64_MAX / static_cast<uint64_t>(element)) {
    return std::nullopt;
  }
  const haddr_t offset = H5Dget_offset(dset);
  const uint64_t size = static_cast<uint64_t>(points) * element;
  if (offset == HADDR_UNDEF || H5Dget_storage_size(dset) != size) return std::nullopt;
  return H5RawRange{offset, 0, size};
}

// Copies [src_off, src_off + n) of src_fd to dst_off of dst_fd by pread/pwrite.
Status CopyByReadWrite(int src_fd, uint64_t src_off, int dst_fd, uint64_t dst_off, uint64_t n,
                       const std::string& src_name, const std::string& dst_name) {
  std::vector<uint8_t> buffer(std::min<uint64_t>(n, 1 << 20));
  while (n > 0) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(n, buffer.size()));
    const ssize_t got = ::pread(src_fd, buffer.data(), want, static_cast<off_t>(src_off));
    if (got <= 0) {
      return Status::IOError(src_name + ": @" + Hex(src_off) + ": read failed (" +
                             (got == 0 ? std::string("file ends early") : std::strerror(errno)) +
                             ")");
    }
    for (ssize_t done = 0; done < got;) {
      const ssize_t put = ::pwrite(dst_fd, buffer.data() + done, static_cast<size_t>(got - done),
                                   static_cast<off_t>(dst_off + static_cast<uint64_t>(done)));
      if (put <= 0) {
        return Status::IOError(dst_name + ": @" + Hex(dst_off) + ": write failed (" +
                               std::strerror(errno) + ")");
      }
      done += put;
    }
    src_off += static_cast<uint64_t>(got);
    dst_off += static_cast<uint64_t>(got);
    n -= static_cast<uint64_t>(got);
  }
  return Status::Ok();
}

}  // namespace

Result<std::optional<H5RawRange>> CreateForRawCopy(const H5ImageFile& src,
                                                   const std::string& src_path, hid_t dst,
                                                   const std::string& dst_path, hid_t lcpl,
                                                   const std::string& out) {
  // A source read through a ByteSource (a deflated .keras member) has no file to copy
  // from: H5Ocopy reads it through HDF5 instead.
  if (src.mapping() == nullptr) return std::optional<H5RawRange>();
  H5Handle dset = H5Handle::Dataset(H5Dopen2(src.id(), src_path.c_str(), H5P_DEFAULT));
  if (!dset.valid()) return Hdf5CallFailed(src.name(), src_path, "H5Dopen2");
  H5Handle dcpl = H5Handle::Plist(H5Dget_create_plist(dset.get()));
  H5Handle type = H5Handle::Type(H5Dget_type(dset.get()));
  H5Handle space = H5Handle::Space(H5Dget_space(dset.get()));
  if (!dcpl.valid() || !type.valid() || !space.valid()) {
    return Hdf5CallFailed(src.name(), src_path, "H5Dget_create_plist");
  }
  std::optional<H5RawRange> range = SourceRange(dset.get(), dcpl.get(), type.get(), space.get());
  (void)TakeHdf5ErrorMessage();  // H5Dget_offset reports "not allocated" as an error
  if (!range) return range;
  if (!RangeFits(range->src_offset, range->size, src.image_size())) {
    return Status::Corruption(src.name() + ": " + src_path + ": data @" + Hex(range->src_offset) +
                              " (" + Hex(range->size) + " bytes) runs past end of file (" +
                              Hex(src.image_size()) + ")");
  }
  range->src_offset += src.image_offset();
  // Early allocation gives the storage its address now; never filling it means HDF5
  // writes none of those bytes, so CopyRawRanges is their only writer.
  H5Handle create = H5Handle::Plist(H5Pcopy(dcpl.get()));
  if (!create.valid() || H5Pset_alloc_time(create.get(), H5D_ALLOC_TIME_EARLY) < 0 ||
      H5Pset_fill_time(create.get(), H5D_FILL_TIME_NEVER) < 0) {
    return Hdf5CallFailed(out, dst_path, "H5Pset_alloc_time", StatusCode::kIOError);
  }
  H5Handle made = H5Handle::Dataset(
      H5Dcreate2(dst, dst_path.c_str(), type.get(), space.get(), lcpl, create.get(), H5P_DEFAULT));
  if (!made.valid()) return Hdf5CallFailed(out, dst_path, "H5Dcreate2", StatusCode::kIOError);
  RESCOPE_RETURN_IF_ERROR(CopyAttributes(dset.get(), made.get(), out, dst_path));
  const haddr_t at = H5Dget_offset(made.get());
  if (at == HADDR_UNDEF || H5Dget_storage_size(made.get()) != range->size) {
    return Hdf5CallFailed(out, dst_path, "H5Dget_offset", StatusCode::kIOError);
  }
  range->dst_offset = at;
  return range;
}

Status CopyRawRanges(const H5ImageFile& src, const std::string& dst_file,
                     const std::vector<H5RawRange>& ranges) {
  if (ranges.empty()) return Status::Ok();
  if (src.mapping() == nullptr) {
    return Status::InvalidArgument(src.name() + ": no mapped file to copy dataset bytes from");
  }
  const int src_fd = src.mapping()->fd();
  const std::string& src_name = src.mapping()->name();
  const int dst_fd = ::open(dst_file.c_str(), O_WRONLY | O_CLOEXEC);
  if (dst_fd < 0) {
    return Status::IOError(dst_file + ": cannot reopen to copy data (" + std::strerror(errno) +
                           ")");
  }
  bool kernel_copy = true;
  Status status = Status::Ok();
  for (const H5RawRange& r : ranges) {
    uint64_t done = 0;
    while (kernel_copy && done < r.size) {
      loff_t in = static_cast<loff_t>(r.src_offset + done);
      loff_t to = static_cast<loff_t>(r.dst_offset + done);
      const ssize_t n =
          ::copy_file_range(src_fd, &in, dst_fd, &to, static_cast<size_t>(r.size - done), 0);
      if (n > 0) {
        done += static_cast<uint64_t>(n);
      } else if (n == 0) {
        status = Status::IOError(src_name + ": @" + Hex(r.src_offset + done) +
                                 ": file ends early while copying");
        break;
      } else if (errno != EINTR) {
        kernel_copy = false;  // EXDEV, ENOSYS, EINVAL...: the file systems cannot; copy by hand
      }
    }
    if (!status.ok()) break;
    if (done < r.size) {
      status = CopyByReadWrite(src_fd, r.src_offset + done, dst_fd, r.dst_offset + done,
                               r.size - done, src_name, dst_file);
      if (!status.ok()) break;
    }
  }
  if (::close(dst_fd) != 0 && status.ok()) {
    status =
        Status::IOError(dst_file + ": close failed (" + std::string(std::strerror(errno)) + ")");
  }
  return status;
}

}  // namespace rescope
