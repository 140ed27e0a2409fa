// SPDX-License-Identifier: Apache-2.0
// HDF5 attribute writing and copying for the Keras writer.
#include "formats/hdf5/h5_write.h"

#include <algorithm>
#include <cstring>

#include "formats/hdf5/h5_error.h"
#include "formats/hdf5/h5_handle.h"

namespace rescope {
namespace {

// Keras's HDF5_OBJECT_HEADER_LIMIT.
constexpr size_t kHeaderLimit = 64512;

std::string AttrPath(const std::string& path, const std::string& name) {
  return path + ": attribute \"" + name + "\"";
}

Status DeleteAttrIfPresent(hid_t obj, const std::string& name, const std::string& file,
                           const std::string& path) {
  const htri_t exists = H5Aexists(obj, name.c_str());
  if (exists < 0) return Hdf5CallFailed(file, AttrPath(path, name), "H5Aexists");
  if (exists > 0 && H5Adelete(obj, name.c_str()) < 0) {
    return Hdf5CallFailed(file, AttrPath(path, name), "H5Adelete");
  }
  return Status::Ok();
}

// Removes `name` and its split parts name0, name1, ...
Status DeleteListAttr(hid_t obj, const std::string& name, const std::string& file,
                      const std::string& path) {
  RESCOPE_RETURN_IF_ERROR(DeleteAttrIfPresent(obj, name, file, path));
  for (int i = 0;; ++i) {
    const std::string part = name + std::to_string(i);
    const htri_t exists = H5Aexists(obj, part.c_str());
    if (exists <= 0) break;
    if (H5Adelete(obj, part.c_str()) < 0)
      return Hdf5CallFailed(file, AttrPath(path, part), "H5Adelete");
  }
  return Status::Ok();
}

H5Handle StringType(const H5StringStyle& style, size_t fixed_size) {
  H5Handle type = H5Handle::Type(H5Tcopy(H5T_C_S1));
  if (!type.valid()) return type;
  if (style.variable_length) {
    (void)H5Tset_size(type.get(), H5T_VARIABLE);
    (void)H5Tset_strpad(type.get(), H5T_STR_NULLTERM);
  } else {
    (void)H5Tset_size(type.get(), std::max<size_t>(fixed_size, 1));
    (void)H5Tset_strpad(type.get(), H5T_STR_NULLPAD);
  }
  (void)H5Tset_cset(type.get(), style.cset);
  return type;
}

// Writes `values` (non-empty) as one attribute of shape (n,) or, when `scalar`, shape ().
Status WriteStrings(hid_t obj, const std::string& name, const std::vector<std::string>& values,
                    bool scalar, const H5StringStyle& style, const std::string& file,
                    const std::string& path) {
  size_t longest = 0;
  for (const std::string& v : values) longest = std::max(longest, v.size());
  H5Handle type = StringType(style, longest);
  const hsize_t n = values.size();
  H5Handle space =
      H5Handle::Space(scalar ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &n, nullptr));
  if (!type.valid() || !space.valid())
    return Hdf5CallFailed(file, AttrPath(path, name), "H5Screate");
  H5Handle attr = H5Handle::Attribute(
      H5Acreate2(obj, name.c_str(), type.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT));
  if (!attr.valid()) return Hdf5CallFailed(file, AttrPath(path, name), "H5Acreate2");
  herr_t written;
  if (style.variable_length) {
    std::vector<const char*> ptrs;
    for (const std::string& v : values) ptrs.push_back(v.c_str());
    written = H5Awrite(attr.get(), type.get(), ptrs.data());
  } else {
    const size_t size = std::max<size_t>(longest, 1);
    std::vector<char> buf(values.size() * size, '\0');
    for (size_t i = 0; i < values.size(); ++i) {
      std::memcpy(buf.data() + i * size, values[i].data(), values[i].size());
    }
    written = H5Awrite(attr.get(), type.get(), buf.data());
  }
  if (written < 0) return Hdf5CallFailed(file, AttrPath(path, name), "H5Awrite");
  return Status::Ok();
}

size_t ListBytes(const std::vector<std::string>& values, size_t begin, size_t end, bool fixed) {
  size_t longest = 0, total = 0;
  for (size_t i = begin; i < end; ++i) {
    longest = std::max(longest, values[i].size());
    total += values[i].size();
  }
  return fixed ? longest * (end - begin) : total;
}

}  // namespace

H5StringStyle StringAttrStyle(hid_t obj, const std::string& name) {
  H5StringStyle style;
  std::string probe = name;
  if (H5Aexists(obj, probe.c_str()) <= 0) probe = name + "0";
  if (H5Aexists(obj, probe.c_str()) <= 0) return style;
  H5Handle attr = H5Handle::Attribute(H5Aopen(obj, probe.c_str(), H5P_DEFAULT));
  H5Handle type = H5Handle::Type(attr.valid() ? H5Aget_type(attr.get()) : -1);
  if (!type.valid() || H5Tget_class(type.get()) != H5T_STRING) return style;
  style.variable_length = H5Tis_variable_str(type.get()) > 0;
  style.cset = H5Tget_cset(type.get());
  return style;
}

Status WriteStringListAttr(hid_t obj, const std::string& name,
                           const std::vector<std::string>& values, H5StringStyle style,
                           const std::string& file, const std::string& path) {
  RESCOPE_RETURN_IF_ERROR(DeleteListAttr(obj, name, file, path));
  if (values.empty()) {
    const hsize_t zero = 0;
    H5Handle space = H5Handle::Space(H5Screate_simple(1, &zero, nullptr));
    H5Handle attr = H5Handle::Attribute(
        H5Acreate2(obj, name.c_str(), H5T_IEEE_F64LE, space.get(), H5P_DEFAULT, H5P_DEFAULT));
    if (!attr.valid()) return Hdf5CallFailed(file, AttrPath(path, name), "H5Acreate2");
    return Status::Ok();
  }
  // Keras: grow the number of (equal-count) chunks until every chunk fits the header.
  size_t chunks = 1;
  for (;; ++chunks) {
    bool fits = true;
    for (size_t c = 0; c < chunks && fits; ++c) {
      const size_t b = values.size() * c / chunks, e = values.size() * (c + 1) / chunks;
      fits = ListBytes(values, b, e, !style.variable_length) < kHeaderLimit;
    }
    if (fits || chunks >= values.size()) break;
  }
  if (chunks == 1) return WriteStrings(obj, name, values, false, style, file, path);
  for (size_t c = 0; c < chunks; ++c) {
    const size_t b = values.size() * c / chunks, e = values.size() * (c + 1) / chunks;
    const std::vector<std::string> part(values.begin() + static_cast<std::ptrdiff_t>(b),
                                        values.begin() + static_cast<std::ptrdiff_t>(e));
    RESCOPE_RETURN_IF_ERROR(
        WriteStrings(obj, name + std::to_string(c), part, false, style, file, path));
  }
  return Status::Ok();
}

Status WriteStringAttr(hid_t obj, const std::string& name, const std::string& value,
                       H5StringStyle style, const std::string& file, const std::string& path) {
  RESCOPE_RETURN_IF_ERROR(DeleteAttrIfPresent(obj, name, file, path));
  return WriteStrings(obj, name, {value}, true, style, file, path);
}

namespace {

struct CopyContext {
  hid_t dst;
  const std::string* file;
  const std::string* path;
  Status status;
};

herr_t CopyOneAttr(hid_t src, const char* name, const H5A_info_t*, void* data) {
  auto* ctx = static_cast<CopyContext*>(data);
  const std::string where = AttrPath(*ctx->path, name);
  H5Handle attr = H5Handle::Attribute(H5Aopen(src, name, H5P_DEFAULT));
  H5Handle ftype = H5Handle::Type(attr.valid() ? H5Aget_type(attr.get()) : -1);
  H5Handle space = H5Handle::Space(attr.valid() ? H5Aget_space(attr.get()) : -1);
  H5Handle mtype =
      H5Handle::Type(ftype.valid() ? H5Tget_native_type(ftype.get(), H5T_DIR_DEFAULT) : -1);
  if (!mtype.valid() || !space.valid()) {
    ctx->status = Hdf5CallFailed(*ctx->file, where, "H5Aopen");
    return -1;
  }
  const hssize_t n = H5Sget_simple_extent_npoints(space.get());
  const size_t size = H5Tget_size(mtype.get());
  std::vector<unsigned char> buf(static_cast<size_t>(std::max<hssize_t>(n, 0)) * size + 1);
  if (H5Aread(attr.get(), mtype.get(), buf.data()) < 0) {
    ctx->status = Hdf5CallFailed(*ctx->file, where, "H5Aread");
    return -1;
  }
  H5Handle out = H5Handle::Attribute(
      H5Acreate2(ctx->dst, name, ftype.get(), space.get(), H5P_DEFAULT, H5P_DEFAULT));
  const bool ok = out.valid() && H5Awrite(out.get(), mtype.get(), buf.data()) >= 0;
  if (!ok) ctx->status = Hdf5CallFailed(*ctx->file, where, "H5Awrite");
  (void)H5Dvlen_reclaim(mtype.get(), space.get(), H5P_DEFAULT, buf.data());
  return ok ? 0 : -1;
}

}  // namespace

Status CopyAttributes(hid_t src, hid_t dst, const std::string& file, const std::string& path) {
  CopyContext ctx{dst, &file, &path, Status::Ok()};
  hsize_t idx = 0;
  if (H5Aiterate2(src, H5_INDEX_NAME, H5_ITER_NATIVE, &idx, CopyOneAttr, &ctx) < 0) {
    if (!ctx.status.ok()) return ctx.status;
    return Hdf5CallFailed(file, path, "H5Aiterate2");
  }
  return Status::Ok();
}

}  // namespace rescope
