// SPDX-License-Identifier: Apache-2.0
// TensorStore → new HDF5 file (generic or Keras 2 weights layout).
#include "formats/keras_h5/h5_store_writer.h"

#include <hdf5.h>

#include <algorithm>
#include <map>
#include <set>

#include "formats/hdf5/h5_error.h"
#include "formats/hdf5/h5_handle.h"
#include "formats/hdf5/h5_write.h"
#include "formats/tf_bundle/string_tensor.h"

namespace rescope {
namespace {

// Tensors larger than this are written in row blocks so memory stays bounded.
constexpr uint64_t kWriteWindow = 64ull << 20;

H5Handle Float16Type() {
  H5Handle t = H5Handle::Type(H5Tcopy(H5T_IEEE_F32LE));
  (void)H5Tset_fields(t.get(), 15, 10, 5, 0, 10);
  (void)H5Tset_size(t.get(), 2);
  (void)H5Tset_ebias(t.get(), 15);
  return t;
}

H5Handle BoolType() {
  H5Handle t = H5Handle::Type(H5Tenum_create(H5T_NATIVE_INT8));
  const int8_t f = 0, v = 1;
  (void)H5Tenum_insert(t.get(), "FALSE", &f);
  (void)H5Tenum_insert(t.get(), "TRUE", &v);
  return t;
}

H5Handle ComplexType(hid_t part, size_t part_size) {
  H5Handle t = H5Handle::Type(H5Tcreate(H5T_COMPOUND, 2 * part_size));
  (void)H5Tinsert(t.get(), "r", 0, part);
  (void)H5Tinsert(t.get(), "i", part_size, part);
  return t;
}

// The HDF5 type for a numeric dtype, invalid for the rest.
H5Handle NumericType(DType d) {
  auto copy = [](hid_t t) { return H5Handle::Type(H5Tcopy(t)); };
  switch (d) {
    case DType::kFloat16:
      return Float16Type();
    case DType::kFloat32:
      return copy(H5T_IEEE_F32LE);
    case DType::kFloat64:
      return copy(H5T_IEEE_F64LE);
    case DType::kInt8:
      return copy(H5T_STD_I8LE);
    case DType::kInt16:
      return copy(H5T_STD_I16LE);
    case DType::kInt32:
      return copy(H5T_STD_I32LE);
    case DType::kInt64:
      return copy(H5T_STD_I64LE);
    case DType::kUInt8:
      return copy(H5T_STD_U8LE);
    case DType::kUInt16:
      return copy(H5T_STD_U16LE);
    case DType::kUInt32:
      return copy(H5T_STD_U32LE);
    case DType::kUInt64:
      return copy(H5T_STD_U64LE);
    case DType::kBool:
      return BoolType();
    case DType::kComplex64:
      return ComplexType(H5T_IEEE_F32LE, 4);
    case DType::kComplex128:
      return ComplexType(H5T_IEEE_F64LE, 8);
    case DType::kBFloat16: {
      H5Handle t = H5Handle::Type(H5Tcreate(H5T_OPAQUE, 2));
      (void)H5Tset_tag(t.get(), "bfloat16");
      return t;
    }
    default:
      return H5Handle();
  }
}

bool KerasLayoutFits(const TensorStore& store) {
  size_t written = 0;
  for (const auto& [name, e] : store) {
    if (e.is_metadata || e.kind != EntryKind::kTensor) continue;
    const size_t slashes = static_cast<size_t>(std::count(name.begin(), name.end(), '/'));
    if (slashes < 1 || slashes > 2) return false;
    ++written;
  }
  return written > 0;
}

Status CheckPaths(const std::vector<std::string>& paths, const std::string& file) {
  const std::set<std::string> all(paths.begin(), paths.end());
  for (const std::string& p : paths) {
    if (p.find("//") != std::string::npos || p.back() == '/' ||
        p.find("/./") != std::string::npos) {
      return Status::InvalidArgument(file + ": " + p +
                                     ": not a valid HDF5 path (empty or '.' segment)");
    }
    for (size_t at = p.find('/', 1); at != std::string::npos; at = p.find('/', at + 1)) {
      if (all.count(p.substr(0, at))) {
        return Status::InvalidArgument(file + ": " + p.substr(0, at) +
                                       " is a tensor and also a group of " + p +
                                       "; HDF5 cannot store both");
      }
    }
  }
  return Status::Ok();
}

Status WriteStrings(const TensorEntry& e, hid_t dset, const std::string& file,
                    const std::string& path) {
  const auto n = e.NumElements();
  std::vector<uint8_t> scratch;
  auto view = e.data->Read(e.data_offset, e.byte_size, scratch);
  if (!view.ok()) return view.status();
  RESCOPE_ASSIGN_OR_RETURN(std::vector<std::string> strings,
                           DecodeStringTensor(*view, n.value_or(0), std::nullopt, e.Where()));
  std::vector<const char*> ptrs;
  for (const std::string& s : strings) ptrs.push_back(s.c_str());
  H5Handle type = H5Handle::Type(H5Tcopy(H5T_C_S1));
  (void)H5Tset_size(type.get(), H5T_VARIABLE);
  (void)H5Tset_cset(type.get(), H5T_CSET_UTF8);
  if (!ptrs.empty() && H5Dwrite(dset, type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()) < 0) {
    return Hdf5CallFailed(file, path, "H5Dwrite");
  }
  return Status::Ok();
}

// Streams the bytes in blocks of whole rows (the first dimension).
Status WriteNumeric(const TensorEntry& e, hid_t dset, hid_t type, hid_t space,
                    const std::string& file, const std::string& path) {
  if (e.byte_size == 0) return Status::Ok();
  std::vector<uint8_t> scratch;
  if (e.shape.empty() || e.byte_size <= kWriteWindow) {
    auto view = e.data->Read(e.data_offset, e.byte_size, scratch);
    if (!view.ok()) return view.status();
    if (H5Dwrite(dset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, view->data) < 0) {
      return Hdf5CallFailed(file, path, "H5Dwrite");
    }
    return Status::Ok();
  }
  const uint64_t rows = static_cast<uint64_t>(e.shape[0]);
  const uint64_t row_bytes = e.byte_size / rows;
  const uint64_t per_block = std::max<uint64_t>(1, kWriteWindow / std::max<uint64_t>(row_bytes, 1));
  std::vector<hsize_t> dims(e.shape.begin(), e.shape.end());
  for (uint64_t r = 0; r < rows; r += per_block) {
    const uint64_t count = std::min(per_block, rows - r);
    std::vector<hsize_t> start(dims.size(), 0), block = dims;
    start[0] = r;
    block[0] = count;
    H5Handle file_space = H5Handle::Space(H5Scopy(space));
    H5Handle mem_space =
        H5Handle::Space(H5Screate_simple(static_cast<int>(block.size()), block.data(), nullptr));
    (void)H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start.data(), nullptr, block.data(),
                              nullptr);
    auto view = e.data->Read(e.data_offset + r * row_bytes, count * row_bytes, scratch);
    if (!view.ok()) return view.status();
    if (H5Dwrite(dset, type, mem_space.get(), file_space.get(), H5P_DEFAULT, view->data) < 0) {
      return Hdf5CallFailed(file, path, "H5Dwrite");
    }
    e.data->Release(e.data_offset + r * row_bytes, count * row_bytes);
  }
  return Status::Ok();
}

Status WriteTensor(hid_t out, const TensorEntry& e, const std::string& path,
                   const std::string& file) {
  if (!e.data)
    return Status::NotSupported(file + ": " + e.name + ": bytes unavailable: " + e.data_error());
  std::vector<hsize_t> dims(e.shape.begin(), e.shape.end());
  H5Handle space = H5Handle::Space(
      dims.empty() ? H5Screate(H5S_SCALAR)
                   : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr));
  H5Handle type;
  if (e.dtype == DType::kString) {
    type = H5Handle::Type(H5Tcopy(H5T_C_S1));
    (void)H5Tset_size(type.get(), H5T_VARIABLE);
    (void)H5Tset_cset(type.get(), H5T_CSET_UTF8);
  } else {
    type = NumericType(e.dtype);
  }
  H5Handle lcpl = H5Handle::Plist(H5Pcreate(H5P_LINK_CREATE));
  (void)H5Pset_create_intermediate_group(lcpl.get(), 1);
  H5Handle dset = H5Handle::Dataset(
      H5Dcreate2(out, path.c_str(), type.get(), space.get(), lcpl.get(), H5P_DEFAULT, H5P_DEFAULT));
  if (!dset.valid()) return Hdf5CallFailed(file, path, "H5Dcreate2");
  if (e.dtype == DType::kBFloat16) {
    RESCOPE_RETURN_IF_ERROR(
        WriteStringAttr(dset.get(), "dtype", "bfloat16", H5StringStyle{}, file, path));
  }
  if (e.dtype == DType::kString) return WriteStrings(e, dset.get(), file, path);
  return WriteNumeric(e, dset.get(), type.get(), space.get(), file, path);
}

}  // namespace

Status WriteStoreAsHdf5(const TensorStore& store, const std::string& path,
                        std::vector<std::string>* notes) {
  SilenceHdf5Errors();
  const bool keras = KerasLayoutFits(store);
  std::vector<const TensorEntry*> entries;
  std::vector<std::string> paths;
  std::vector<std::string> layer_order;
  std::map<std::string, std::vector<std::string>> layer_weights;
  size_t skipped = 0;
  for (const auto& [name, e] : store) {
    const bool numeric_ok = e.dtype == DType::kString || NumericType(e.dtype).valid();
    if (e.is_metadata || e.kind != EntryKind::kTensor || !numeric_ok) {
      ++skipped;
      notes->push_back("not written to HDF5: " + name + " (" +
                       (e.is_metadata                  ? "metadata"
                        : e.kind != EntryKind::kTensor ? "partitioned variable"
                                                       : DTypeName(e.dtype)) +
                       ")");
      continue;
    }
    entries.push_back(&e);
    if (keras) {
      const std::string layer = name.substr(0, name.find('/'));
      if (!layer_weights.count(layer)) layer_order.push_back(layer);
      layer_weights[layer].push_back(name + ":0");
      paths.push_back("/" + layer + "/" + name + ":0");
    } else {
      paths.push_back("/" + name);
    }
  }
  RESCOPE_RETURN_IF_ERROR(CheckPaths(paths, path));
  H5Handle out = H5Handle::File(H5Fcreate(path.c_str(), H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT));
  if (!out.valid()) return Hdf5CallFailed(path, "", "H5Fcreate", StatusCode::kIOError);
  for (size_t i = 0; i < entries.size(); ++i) {
    RESCOPE_RETURN_IF_ERROR(WriteTensor(out.get(), *entries[i], paths[i], path));
  }
  if (keras) {
    const H5StringStyle fixed{false, H5T_CSET_ASCII};
    H5Handle root = H5Handle::Group(H5Gopen2(out.get(), "/", H5P_DEFAULT));
    RESCOPE_RETURN_IF_ERROR(
        WriteStringAttr(root.get(), "backend", "tensorflow", H5StringStyle{}, path, "/"));
    RESCOPE_RETURN_IF_ERROR(
        WriteStringAttr(root.get(), "keras_version", "2.13.1", H5StringStyle{}, path, "/"));
    RESCOPE_RETURN_IF_ERROR(
        WriteStringListAttr(root.get(), "layer_names", layer_order, fixed, path, "/"));
    for (const std::string& layer : layer_order) {
      H5Handle g = H5Handle::Group(H5Gopen2(out.get(), ("/" + layer).c_str(), H5P_DEFAULT));
      if (!g.valid()) return Hdf5CallFailed(path, "/" + layer, "H5Gopen2");
      RESCOPE_RETURN_IF_ERROR(WriteStringListAttr(g.get(), "weight_names", layer_weights[layer],
                                                  fixed, path, "/" + layer));
    }
    notes->push_back(
        "HDF5 layout: Keras 2 weights (" + std::to_string(layer_order.size()) +
        " layers, keras_version 2.13.1 recorded so Keras does not treat it as Keras 1)");
  } else {
    notes->push_back(
        "HDF5 layout: generic (one dataset per tensor at its name path; names are not all "
        "<layer>/<weight>, so no Keras layer_names/weight_names)");
  }
  if (H5Fflush(out.get(), H5F_SCOPE_GLOBAL) < 0)
    return Hdf5CallFailed(path, "", "H5Fflush", StatusCode::kIOError);
  (void)skipped;
  return Status::Ok();
}

}  // namespace rescope
