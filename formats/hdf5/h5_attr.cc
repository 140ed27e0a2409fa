// SPDX-License-Identifier: Apache-2.0
// String attribute decoding for Keras HDF5 files (see h5_attr.h).
#include "formats/hdf5/h5_attr.h"

#include "formats/hdf5/h5_error.h"
#include "formats/hdf5/h5_handle.h"

namespace rescope {
namespace {

constexpr hssize_t kMaxAttrElements = hssize_t{1} << 22;
constexpr uint64_t kMaxFixedAttrBytes = uint64_t{256} << 20;

std::string AttrWhere(const H5AttrContext& where, const std::string& name) {
  return where.object + ": attribute \"" + name + "\"";
}

Status AttrError(const H5AttrContext& where, const std::string& name, const std::string& what) {
  return Status::Corruption(where.file + ": " + AttrWhere(where, name) + ": " + what);
}

std::string StripPadding(const char* data, size_t size, H5T_str_t pad) {
  std::string s(data, size);
  if (pad == H5T_STR_NULLTERM) {
    const size_t nul = s.find('\0');
    if (nul != std::string::npos) s.resize(nul);
  } else {
    const char filler = pad == H5T_STR_SPACEPAD ? ' ' : '\0';
    while (!s.empty() && s.back() == filler) s.pop_back();
  }
  return s;
}

Result<std::vector<std::string>> ReadVariableStrings(hid_t attr, hid_t file_type, hid_t space,
                                                     size_t n, const H5AttrContext& where,
                                                     const std::string& name) {
  H5Handle mem = H5Handle::Type(H5Tcopy(H5T_C_S1));
  if (!mem.valid() || H5Tset_size(mem.get(), H5T_VARIABLE) < 0 ||
      H5Tset_cset(mem.get(), H5Tget_cset(file_type)) < 0) {
    return Hdf5CallFailed(where.file, AttrWhere(where, name), "H5Tset_size");
  }
  std::vector<char*> ptrs(n, nullptr);
  if (H5Aread(attr, mem.get(), ptrs.data()) < 0) {
    return Hdf5CallFailed(where.file, AttrWhere(where, name), "H5Aread");
  }
  std::vector<std::string> out;
  out.reserve(n);
  for (char* p : ptrs) out.emplace_back(p == nullptr ? "" : p);
  (void)H5Dvlen_reclaim(mem.get(), space, H5P_DEFAULT, ptrs.data());
  return out;
}

Result<std::vector<std::string>> ReadFixedStrings(hid_t attr, hid_t file_type, size_t n,
                                                  const H5AttrContext& where,
                                                  const std::string& name) {
  const size_t size = H5Tget_size(file_type);
  if (size == 0 || n > kMaxFixedAttrBytes / size) {
    return AttrError(where, name,
                     "fixed-length string list too large (" + std::to_string(n) + " x " +
                         std::to_string(size) + " bytes)");
  }
  const H5T_str_t pad = H5Tget_strpad(file_type);
  std::vector<char> buf(n * size);
  if (H5Aread(attr, file_type, buf.data()) < 0) {
    return Hdf5CallFailed(where.file, AttrWhere(where, name), "H5Aread");
  }
  std::vector<std::string> out;
  out.reserve(n);
  for (size_t i = 0; i < n; ++i) out.push_back(StripPadding(buf.data() + i * size, size, pad));
  return out;
}

}  // namespace

Result<bool> H5HasAttr(hid_t obj, const std::string& name, const H5AttrContext& where) {
  const htri_t exists = H5Aexists(obj, name.c_str());
  if (exists < 0) return Hdf5CallFailed(where.file, AttrWhere(where, name), "H5Aexists");
  return exists > 0;
}

Result<std::optional<std::vector<std::string>>> ReadStringListAttr(hid_t obj,
                                                                   const std::string& name,
                                                                   const H5AttrContext& where) {
  RESCOPE_ASSIGN_OR_RETURN(const bool exists, H5HasAttr(obj, name, where));
  if (!exists) return std::optional<std::vector<std::string>>();
  H5Handle attr = H5Handle::Attribute(H5Aopen(obj, name.c_str(), H5P_DEFAULT));
  if (!attr.valid()) return Hdf5CallFailed(where.file, AttrWhere(where, name), "H5Aopen");
  H5Handle space = H5Handle::Space(H5Aget_space(attr.get()));
  H5Handle type = H5Handle::Type(H5Aget_type(attr.get()));
  if (!space.valid() || !type.valid()) {
    return Hdf5CallFailed(where.file, AttrWhere(where, name), "H5Aget_space");
  }
  const hssize_t n = H5Sget_simple_extent_npoints(space.get());
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (n < 0 || rank < 0) {
    return Hdf5CallFailed(where.file, AttrWhere(where, name), "H5Sget_simple_extent_npoints");
  }
  // Keras writes an empty list as a float64 attribute of shape (0,): accept any type then.
  if (n == 0) return std::optional<std::vector<std::string>>(std::vector<std::string>());
  if (rank > 1) {
    return AttrError(where, name,
                     "expected a scalar or 1-D list (found rank " + std::to_string(rank) + ")");
  }
  if (n > kMaxAttrElements) {
    return AttrError(where, name, "too many elements (" + std::to_string(n) + ")");
  }
  const H5T_class_t cls = H5Tget_class(type.get());
  if (cls != H5T_STRING) {
    return AttrError(
        where, name,
        "expected strings (found HDF5 type class " + std::to_string(static_cast<int>(cls)) + ")");
  }
  const htri_t variable = H5Tis_variable_str(type.get());
  if (variable < 0) return Hdf5CallFailed(where.file, AttrWhere(where, name), "H5Tis_variable_str");
  auto strings =
      variable > 0 ? ReadVariableStrings(attr.get(), type.get(), space.get(),
                                         static_cast<size_t>(n), where, name)
                   : ReadFixedStrings(attr.get(), type.get(), static_cast<size_t>(n), where, name);
  if (!strings.ok()) return strings.status();
  return std::optional<std::vector<std::string>>(std::move(strings).value());
}

Result<std::optional<std::vector<std::string>>> ReadChunkedStringListAttr(
    hid_t obj, const std::string& name, const H5AttrContext& where) {
  RESCOPE_ASSIGN_OR_RETURN(auto whole, ReadStringListAttr(obj, name, where));
  if (whole.has_value()) return whole;
  std::optional<std::vector<std::string>> joined;
  for (int chunk = 0;; ++chunk) {
    RESCOPE_ASSIGN_OR_RETURN(auto part,
                             ReadStringListAttr(obj, name + std::to_string(chunk), where));
    if (!part.has_value()) break;
    if (!joined.has_value()) joined.emplace();
    joined->insert(joined->end(), part->begin(), part->end());
    if (joined->size() > static_cast<size_t>(kMaxAttrElements)) {
      return AttrError(where, name, "too many elements in chunked attribute");
    }
  }
  return joined;
}

Result<std::optional<std::string>> ReadStringAttr(hid_t obj, const std::string& name,
                                                  const H5AttrContext& where) {
  RESCOPE_ASSIGN_OR_RETURN(auto list, ReadStringListAttr(obj, name, where));
  if (!list.has_value()) return std::optional<std::string>();
  if (list->size() != 1) {
    return AttrError(where, name,
                     "expected one string (found " + std::to_string(list->size()) + ")");
  }
  return std::optional<std::string>(std::move(list->front()));
}

}  // namespace rescope
