// SPDX-License-Identifier: Apache-2.0
// Dataset type mapping and byte sources for HDF5 datasets (see h5_source.h).
#include "formats/hdf5/h5_source.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <new>
#include <vector>

#include "formats/byte_cursor.h"
#include "formats/hdf5/h5_attr.h"
#include "formats/hdf5/h5_error.h"
#include "formats/hdf5/h5_handle.h"
#include "formats/tf_bundle/crc32c.h"

namespace rescope {
namespace {

// Largest chunk HDF5 would have to hold in memory to serve one read; h5py's automatic
// chunks are at most 1 MiB, so anything near this bound is either deliberate or hostile.
constexpr uint64_t kMaxChunkBytes = uint64_t{512} << 20;
// Bytes a dataset may serve from its fill value rather than from storage (an unallocated
// contiguous dataset, or the chunks of a chunked one that were never written). An 8 KB
// file can declare a [2^40] dataset with nothing allocated; reading it would take hours
// and converting it would write terabytes, so such datasets are refused before any work.
// 256 MiB of fill is read in well under a second; real checkpoints store their weights.
constexpr uint64_t kMaxUnstoredBytes = uint64_t{256} << 20;
// Strings are decoded this many elements at a time.
constexpr uint64_t kStringWindow = 4096;

struct ElementType {
  DType dtype = DType::kInvalid;
  H5Handle mem_type;  // the type H5Dread converts to: rescope's layout
  uint32_t size = 0;  // bytes per element in rescope's layout
  bool is_string = false;
  bool zero_copy = false;   // file bytes are already rescope's layout
  std::string unsupported;  // non-empty: why the bytes cannot be served
};

std::string ClassName(H5T_class_t cls) {
  switch (cls) {
    case H5T_INTEGER:
      return "integer";
    case H5T_FLOAT:
      return "float";
    case H5T_TIME:
      return "time";
    case H5T_STRING:
      return "string";
    case H5T_BITFIELD:
      return "bitfield";
    case H5T_OPAQUE:
      return "opaque";
    case H5T_COMPOUND:
      return "compound";
    case H5T_REFERENCE:
      return "reference";
    case H5T_ENUM:
      return "enum";
    case H5T_VLEN:
      return "variable-length sequence";
    case H5T_ARRAY:
      return "array";
    default:
      return "class " + std::to_string(static_cast<int>(cls));
  }
}

// A 2-byte little-endian float with the given exponent/mantissa split (h5py builds its
// float16 type the same way from a copy of the 32-bit IEEE type).
H5Handle MakeSmallFloat(size_t epos, size_t esize, size_t msize, size_t ebias) {
  H5Handle t = H5Handle::Type(H5Tcopy(H5T_IEEE_F32LE));
  if (!t.valid() || H5Tset_fields(t.get(), 15, epos, esize, 0, msize) < 0 ||
      H5Tset_size(t.get(), 2) < 0 || H5Tset_ebias(t.get(), ebias) < 0) {
    return H5Handle();
  }
  return t;
}

H5Handle CanonicalFloat(DType dtype) {
  switch (dtype) {
    case DType::kFloat16:
      return MakeSmallFloat(10, 5, 10, 15);
    case DType::kBFloat16:
      return MakeSmallFloat(7, 8, 7, 127);
    case DType::kFloat32:
      return H5Handle::Type(H5Tcopy(H5T_IEEE_F32LE));
    case DType::kFloat64:
      return H5Handle::Type(H5Tcopy(H5T_IEEE_F64LE));
    default:
      return H5Handle();
  }
}

H5Handle CanonicalInteger(size_t size, bool is_signed) {
  switch (size) {
    case 1:
      return H5Handle::Type(H5Tcopy(is_signed ? H5T_STD_I8LE : H5T_STD_U8LE));
    case 2:
      return H5Handle::Type(H5Tcopy(is_signed ? H5T_STD_I16LE : H5T_STD_U16LE));
    case 4:
      return H5Handle::Type(H5Tcopy(is_signed ? H5T_STD_I32LE : H5T_STD_U32LE));
    case 8:
      return H5Handle::Type(H5Tcopy(is_signed ? H5T_STD_I64LE : H5T_STD_U64LE));
    default:
      return H5Handle();
  }
}

DType IntegerDType(size_t size, bool is_signed) {
  switch (size) {
    case 1:
      return is_signed ? DType::kInt8 : DType::kUInt8;
    case 2:
      return is_signed ? DType::kInt16 : DType::kUInt16;
    case 4:
      return is_signed ? DType::kInt32 : DType::kUInt32;
    case 8:
      return is_signed ? DType::kInt64 : DType::kUInt64;
    default:
      return DType::kInvalid;
  }
}

// Sets dtype/mem_type/zero_copy from a canonical type; zero copy when the file type is it.
void UseCanonical(hid_t file_type, DType dtype, H5Handle canonical, ElementType* out) {
  if (!canonical.valid()) {
    out->unsupported = "cannot build the HDF5 memory type for " + DTypeName(dtype);
    return;
  }
  out->dtype = dtype;
  out->size = static_cast<uint32_t>(H5Tget_size(canonical.get()));
  out->zero_copy = H5Tequal(file_type, canonical.get()) > 0;
  out->mem_type = std::move(canonical);
}

void MapFloat(hid_t file_type, ElementType* out) {
  const size_t size = H5Tget_size(file_type);
  size_t spos = 0, epos = 0, esize = 0, mpos = 0, msize = 0;
  (void)H5Tget_fields(file_type, &spos, &epos, &esize, &mpos, &msize);
  DType dtype = DType::kInvalid;
  if (size == 2) dtype = (esize == 8 && msize == 7) ? DType::kBFloat16 : DType::kFloat16;
  if (size == 4) dtype = DType::kFloat32;
  if (size == 8) dtype = DType::kFloat64;
  if (dtype == DType::kInvalid) {
    out->unsupported = "HDF5 float type of " + std::to_string(size) + " bytes";
    return;
  }
  UseCanonical(file_type, dtype, CanonicalFloat(dtype), out);
}

void MapInteger(hid_t file_type, ElementType* out) {
  const size_t size = H5Tget_size(file_type);
  const bool is_signed = H5Tget_sign(file_type) != H5T_SGN_NONE;
  const DType dtype = IntegerDType(size, is_signed);
  if (dtype == DType::kInvalid) {
    out->unsupported = "HDF5 integer type of " + std::to_string(size) + " bytes";
    return;
  }
  UseCanonical(file_type, dtype, CanonicalInteger(size, is_signed), out);
}

// h5py stores numpy bool as an enum over int8 with FALSE=0 and TRUE=1.
bool IsBoolEnum(hid_t file_type) {
  if (H5Tget_size(file_type) != 1 || H5Tget_nmembers(file_type) != 2) return false;
  int8_t values[2] = {-1, -1};
  for (unsigned i = 0; i < 2; ++i) {
    if (H5Tget_member_value(file_type, i, &values[i]) < 0) return false;
  }
  return std::min(values[0], values[1]) == 0 && std::max(values[0], values[1]) == 1;
}

void MapEnum(hid_t file_type, ElementType* out) {
  // Enum-to-enum conversion only needs matching member names, so a copy of the file type
  // in little-endian order is the memory type (identical for 1-byte enums).
  H5Handle mem = H5Handle::Type(H5Tcopy(file_type));
  if (!mem.valid() || (H5Tget_size(file_type) > 1 && H5Tset_order(mem.get(), H5T_ORDER_LE) < 0)) {
    out->unsupported = "HDF5 enum type that cannot be converted to little-endian";
    return;
  }
  H5Handle base = H5Handle::Type(H5Tget_super(file_type));
  const size_t size = H5Tget_size(file_type);
  const bool is_signed = base.valid() && H5Tget_sign(base.get()) != H5T_SGN_NONE;
  out->dtype = IsBoolEnum(file_type) ? DType::kBool : IntegerDType(size, is_signed);
  if (out->dtype == DType::kInvalid) {
    out->unsupported = "HDF5 enum type of " + std::to_string(size) + " bytes";
    return;
  }
  out->size = static_cast<uint32_t>(size);
  out->zero_copy = H5Tequal(file_type, mem.get()) > 0;
  out->mem_type = std::move(mem);
}

bool MentionsBFloat16(const std::string& s) { return s.find("bfloat16") != std::string::npos; }

void MapOpaque(hid_t file_type, hid_t dset, const std::string& file, const std::string& path,
               ElementType* out) {
  const size_t size = H5Tget_size(file_type);
  std::string tag;
  if (char* t = H5Tget_tag(file_type)) {
    tag = t;
    H5free_memory(t);
  }
  // Keras 3 marks bfloat16 datasets with a "dtype" attribute; a broken attribute only
  // means the marker is absent.
  auto attr = ReadStringAttr(dset, "dtype", H5AttrContext{file, path});
  const bool marked = attr.ok() && attr->has_value() && **attr == "bfloat16";
  if (!attr.ok()) (void)TakeHdf5ErrorMessage();
  if (size == 2 && (marked || MentionsBFloat16(tag))) {
    out->dtype = DType::kBFloat16;
    out->size = 2;
    out->zero_copy = true;
    out->mem_type = H5Handle::Type(H5Tcopy(file_type));
    return;
  }
  out->unsupported = "HDF5 opaque type of " + std::to_string(size) + " bytes" +
                     (tag.empty() ? std::string() : " (tag \"" + tag + "\")");
}

// h5py stores complex numbers as a compound {r, i} of two equal floats.
void MapCompound(hid_t file_type, ElementType* out) {
  const size_t size = H5Tget_size(file_type);
  const std::string not_complex = "HDF5 compound type of " + std::to_string(size) + " bytes";
  if (H5Tget_nmembers(file_type) != 2 || (size != 8 && size != 16)) {
    out->unsupported = not_complex;
    return;
  }
  const size_t half = size / 2;
  const DType part = half == 4 ? DType::kFloat32 : DType::kFloat64;
  H5Handle mem = H5Handle::Type(H5Tcreate(H5T_COMPOUND, size));
  H5Handle re = CanonicalFloat(part);
  H5Handle im = CanonicalFloat(part);
  if (!mem.valid() || H5Tinsert(mem.get(), "r", 0, re.get()) < 0 ||
      H5Tinsert(mem.get(), "i", half, im.get()) < 0) {
    out->unsupported = not_complex;
    return;
  }
  for (unsigned i = 0; i < 2; ++i) {
    H5T_class_t cls = H5Tget_member_class(file_type, i);
    char* name = H5Tget_member_name(file_type, i);
    const std::string member = name != nullptr ? name : "";
    if (name != nullptr) H5free_memory(name);
    if (cls != H5T_FLOAT || (member != "r" && member != "i")) {
      out->unsupported = not_complex;
      return;
    }
  }
  out->dtype = half == 4 ? DType::kComplex64 : DType::kComplex128;
  out->size = static_cast<uint32_t>(size);
  out->zero_copy = H5Tequal(file_type, mem.get()) > 0;
  out->mem_type = std::move(mem);
}

ElementType MapElementType(hid_t file_type, hid_t dset, const std::string& file,
                           const std::string& path) {
  ElementType out;
  const H5T_class_t cls = H5Tget_class(file_type);
  switch (cls) {
    case H5T_FLOAT:
      MapFloat(file_type, &out);
      break;
    case H5T_INTEGER:
      MapInteger(file_type, &out);
      break;
    case H5T_ENUM:
      MapEnum(file_type, &out);
      break;
    case H5T_OPAQUE:
      MapOpaque(file_type, dset, file, path, &out);
      break;
    case H5T_COMPOUND:
      MapCompound(file_type, &out);
      break;
    case H5T_STRING:
      out.dtype = DType::kString;
      out.is_string = true;
      break;
    default:
      out.unsupported = "HDF5 " + ClassName(cls) + " type has no rescope dtype";
  }
  return out;
}

Status DatasetError(const std::string& file, const std::string& path, const std::string& what) {
  return Status::Corruption(file + ": " + path + ": " + what);
}

// Dataspace → shape. A scalar is []; a null dataspace (no elements at all) is [0].
Status ReadShape(hid_t dset, const std::string& file, const std::string& path,
                 std::vector<hsize_t>* dims, std::vector<int64_t>* shape) {
  H5Handle space = H5Handle::Space(H5Dget_space(dset));
  if (!space.valid()) return Hdf5CallFailed(file, path, "H5Dget_space");
  const H5S_class_t cls = H5Sget_simple_extent_type(space.get());
  if (cls == H5S_NULL) {
    shape->assign(1, 0);
    return Status::Ok();
  }
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0) return Hdf5CallFailed(file, path, "H5Sget_simple_extent_ndims");
  dims->assign(static_cast<size_t>(rank), 0);
  if (rank > 0 && H5Sget_simple_extent_dims(space.get(), dims->data(), nullptr) < 0) {
    return Hdf5CallFailed(file, path, "H5Sget_simple_extent_dims");
  }
  for (hsize_t d : *dims) {
    if (d > static_cast<hsize_t>(std::numeric_limits<int64_t>::max())) {
      return DatasetError(file, path, "dimension " + std::to_string(d) + " too large");
    }
    shape->push_back(static_cast<int64_t>(d));
  }
  return Status::Ok();
}

// Selects the elements [first, first + count) of the row-major flattening of `dims` as a
// union of at most 2·rank boxes: leading partial rows, whole blocks, trailing partial rows.
herr_t SelectFlatRange(hid_t space, const std::vector<hsize_t>& dims, uint64_t first,
                       uint64_t count) {
  const size_t rank = dims.size();
  if (rank == 0) return H5Sselect_all(space);
  std::vector<uint64_t> stride(rank, 1);
  for (size_t i = rank - 1; i > 0; --i) stride[i - 1] = stride[i] * dims[i];
  if (H5Sselect_none(space) < 0) return -1;
  std::vector<hsize_t> start(rank), block(rank);
  uint64_t pos = first;
  const uint64_t end = first + count;
  while (pos < end) {
    size_t level = 0;  // coarsest dimension whose whole steps fit at pos
    while (level + 1 < rank && (pos % stride[level] != 0 || stride[level] > end - pos)) ++level;
    uint64_t rest = pos;
    for (size_t d = 0; d < rank; ++d) {
      start[d] = rest / stride[d];
      rest %= stride[d];
      block[d] = d < level ? 1 : dims[d];
    }
    block[level] = std::min<uint64_t>((end - pos) / stride[level], dims[level] - start[level]);
    if (H5Sselect_hyperslab(space, H5S_SELECT_OR, start.data(), nullptr, block.data(), nullptr) <
        0) {
      return -1;
    }
    pos += block[level] * stride[level];
  }
  return 0;
}

// Reads `count` elements starting at flat index `first` into `out`, converted to `mem_type`.
Status ReadFlatRange(hid_t dset, hid_t mem_type, const std::vector<hsize_t>& dims, uint64_t first,
                     uint64_t count, void* out, const std::string& file, const std::string& path) {
  H5Handle file_space = H5Handle::Space(H5Dget_space(dset));
  if (!file_space.valid()) return Hdf5CallFailed(file, path, "H5Dget_space");
  if (SelectFlatRange(file_space.get(), dims, first, count) < 0) {
    return Hdf5CallFailed(file, path, "H5Sselect_hyperslab");
  }
  const hsize_t n = count;
  H5Handle mem_space = H5Handle::Space(H5Screate_simple(1, &n, nullptr));
  if (!mem_space.valid()) return Hdf5CallFailed(file, path, "H5Screate_simple");
  if (H5Dread(dset, mem_type, mem_space.get(), file_space.get(), H5P_DEFAULT, out) < 0) {
    return Hdf5CallFailed(file, path, "H5Dread");
  }
  return Status::Ok();
}

// Numeric bytes through H5Dread, one requested window at a time.
class H5DatasetSource final : public ByteSource {
 public:
  H5DatasetSource(std::shared_ptr<const H5ImageFile> file, H5Handle dset, H5Handle mem_type,
                  std::vector<hsize_t> dims, uint32_t element_size, std::string path, uint64_t size)
      : file_(std::move(file)),
        dset_(std::move(dset)),
        mem_type_(std::move(mem_type)),
        dims_(std::move(dims)),
        element_size_(element_size),
        path_(std::move(path)),
        name_(file_->name() + ":" + path_),
        size_(size) {}

  const std::string& name() const override { return name_; }
  uint64_t size() const override { return size_; }

  Result<ByteView> Read(uint64_t offset, uint64_t n, std::vector<uint8_t>& scratch) const override {
    if (!RangeFits(offset, n, size_)) {
      return Status::Corruption(name_ + ": bytes [" + Hex(offset) + ", " + Hex(offset + n) +
                                ") run past end of dataset (" + Hex(size_) + ")");
    }
    if (n == 0) return ByteView();
    SilenceHdf5Errors();
    const uint64_t first = offset / element_size_;
    const uint64_t end = (offset + n + element_size_ - 1) / element_size_;
    try {
      scratch.resize(static_cast<size_t>((end - first) * element_size_));
    } catch (const std::bad_alloc&) {
      return Status::IOError(name_ + ": cannot allocate " + std::to_string(n) + " bytes to read [" +
                             Hex(offset) + ", " + Hex(offset + n) + ")");
    }
    RESCOPE_RETURN_IF_ERROR(ReadFlatRange(dset_.get(), mem_type_.get(), dims_, first, end - first,
                                          scratch.data(), file_->name(), path_));
    return ByteView(scratch.data() + (offset - first * element_size_), static_cast<size_t>(n));
  }

 private:
  std::shared_ptr<const H5ImageFile> file_;  // keeps the HDF5 file (and mapping) open
  H5Handle dset_;
  H5Handle mem_type_;
  std::vector<hsize_t> dims_;
  uint32_t element_size_;
  std::string path_;
  std::string name_;
  uint64_t size_;
};

// Reads every string of the dataset (fixed or variable length) as raw bytes.
Status ReadAllStrings(hid_t dset, hid_t file_type, const std::vector<hsize_t>& dims, uint64_t count,
                      uint64_t byte_budget, const std::string& file, const std::string& path,
                      std::vector<std::string>* out, std::string* too_large) {
  const bool variable = H5Tis_variable_str(file_type) > 0;
  const size_t fixed_size = variable ? sizeof(char*) : H5Tget_size(file_type);
  H5Handle mem = H5Handle::Type(H5Tcopy(variable ? H5T_C_S1 : file_type));
  if (!mem.valid() || (variable && (H5Tset_size(mem.get(), H5T_VARIABLE) < 0 ||
                                    H5Tset_cset(mem.get(), H5Tget_cset(file_type)) < 0))) {
    return Hdf5CallFailed(file, path, "H5Tcopy");
  }
  const H5T_str_t pad = H5Tget_strpad(file_type);
  uint64_t total = 0;
  std::vector<char> buf;
  for (uint64_t first = 0; first < count; first += kStringWindow) {
    const uint64_t n = std::min(kStringWindow, count - first);
    buf.assign(static_cast<size_t>(n * fixed_size), 0);
    RESCOPE_RETURN_IF_ERROR(ReadFlatRange(dset, mem.get(), dims, first, n, buf.data(), file, path));
    for (uint64_t i = 0; i < n; ++i) {
      const char* p = buf.data() + i * fixed_size;
      std::string s;
      if (variable) {
        const char* str = nullptr;
        std::memcpy(&str, p, sizeof(str));
        if (str != nullptr) s = str;
      } else {
        s.assign(p, fixed_size);
        if (pad == H5T_STR_NULLTERM) s.resize(std::min(s.find('\0'), s.size()));
        const char filler = pad == H5T_STR_SPACEPAD ? ' ' : '\0';
        if (pad != H5T_STR_NULLTERM) {
          while (!s.empty() && s.back() == filler) s.pop_back();
        }
      }
      total += s.size();
      out->push_back(std::move(s));
    }
    if (variable) {
      const hsize_t window = n;
      H5Handle space = H5Handle::Space(H5Screate_simple(1, &window, nullptr));
      (void)H5Dvlen_reclaim(mem.get(), space.get(), H5P_DEFAULT, buf.data());
    }
    if (total > byte_budget) {
      *too_large = "string dataset holds more bytes than the file can justify (over " +
                   std::to_string(byte_budget) + ")";
      return Status::Ok();
    }
  }
  return Status::Ok();
}

// TF tensor-bundle string layout (FORMATS.md §1.9.2): varint64 lengths, the masked
// CRC32C of the lengths (as 4- or 8-byte little-endian integers), then the bytes.
std::vector<uint8_t> EncodeBundleStrings(const std::vector<std::string>& strings) {
  std::string out;
  uint32_t crc = 0;
  for (const std::string& s : strings) {
    AppendVarint64(out, s.size());
    uint8_t len[8];
    StoreLE64(len, s.size());
    crc = crc32c::Extend(crc, len, s.size() <= 0xFFFFFFFFu ? 4 : 8);
  }
  AppendFixed32(out, crc32c::Mask(crc));
  for (const std::string& s : strings) out += s;
  return std::vector<uint8_t>(out.begin(), out.end());
}

Status DescribeStrings(const std::shared_ptr<const H5ImageFile>& file, hid_t dset, hid_t file_type,
                       const std::vector<hsize_t>& dims, uint64_t count, const std::string& path,
                       TensorEntry* entry) {
  // Each stored string costs at least one byte of the file unless compression or shared
  // heap objects are abused; refuse to materialise more than a few times the input.
  const uint64_t budget = 4 * file->image_size() + (uint64_t{1} << 20);
  if (count > budget) {
    entry->set_data_error(file->name() + ": " + path + ": string dataset has " +
                          std::to_string(count) + " elements, more than the file can justify");
    return Status::Ok();
  }
  std::vector<std::string> strings;
  std::string too_large;
  RESCOPE_RETURN_IF_ERROR(ReadAllStrings(dset, file_type, dims, count, budget, file->name(), path,
                                         &strings, &too_large));
  if (!too_large.empty()) {
    entry->set_data_error(file->name() + ": " + path + ": " + too_large);
    return Status::Ok();
  }
  std::vector<uint8_t> bytes = EncodeBundleStrings(strings);
  entry->byte_size = bytes.size();
  entry->data = std::make_shared<MemoryByteSource>(file->name() + ":" + path, std::move(bytes));
  entry->data_offset = 0;
  return Status::Ok();
}

// Storage facts from the creation property list.
struct Storage {
  H5D_layout_t layout = H5D_LAYOUT_ERROR;
  int filters = 0;
  int external_files = 0;
  uint64_t chunk_elements = 0;
  // HDF5 checks a Fletcher-32 filter's checksum on every read (error detection is on by
  // default), so such a dataset's bytes are proven when rescope reads them.
  bool fletcher32 = false;
};

Status ReadStorage(hid_t dset, const std::string& file, const std::string& path, Storage* out) {
  H5Handle dcpl = H5Handle::Plist(H5Dget_create_plist(dset));
  if (!dcpl.valid()) return Hdf5CallFailed(file, path, "H5Dget_create_plist");
  out->layout = H5Pget_layout(dcpl.get());
  out->filters = H5Pget_nfilters(dcpl.get());
  out->external_files = H5Pget_external_count(dcpl.get());
  if (out->layout < 0 || out->filters < 0 || out->external_files < 0) {
    return Hdf5CallFailed(file, path, "H5Pget_layout");
  }
  for (int i = 0; i < out->filters; ++i) {
    unsigned flags = 0;
    size_t n_values = 0;
    unsigned filter_config = 0;
    const H5Z_filter_t id = H5Pget_filter2(dcpl.get(), static_cast<unsigned>(i), &flags, &n_values,
                                           nullptr, 0, nullptr, &filter_config);
    if (id == H5Z_FILTER_FLETCHER32) out->fletcher32 = true;
  }
  if (out->layout == H5D_CHUNKED) {
    hsize_t chunk[H5S_MAX_RANK];
    const int rank = H5Pget_chunk(dcpl.get(), H5S_MAX_RANK, chunk);
    if (rank < 0) return Hdf5CallFailed(file, path, "H5Pget_chunk");
    uint64_t n = 1;
    for (int i = 0; i < rank; ++i) {
      n = chunk[i] != 0 && n > UINT64_MAX / chunk[i] ? UINT64_MAX : n * chunk[i];
    }
    out->chunk_elements = n;
  }
  return Status::Ok();
}

// Bytes of the dataset that no allocated storage holds (a lower bound for chunked data:
// every allocated chunk is counted as full, also at the edges), or an error message.
Result<uint64_t> UnstoredBytes(hid_t dset, const Storage& storage, uint64_t count,
                               uint64_t element_size, bool allocated_contiguous,
                               const std::string& file, const std::string& path) {
  if (storage.layout == H5D_COMPACT) return uint64_t{0};
  uint64_t stored_elements = 0;
  if (storage.layout == H5D_CONTIGUOUS) {
    stored_elements = allocated_contiguous ? count : 0;
  } else if (storage.layout == H5D_CHUNKED) {
    hsize_t chunks = 0;
    H5Handle space = H5Handle::Space(H5Dget_space(dset));
    if (!space.valid()) return Hdf5CallFailed(file, path, "H5Dget_space");
    if (H5Dget_num_chunks(dset, space.get(), &chunks) < 0) {
      return Hdf5CallFailed(file, path, "H5Dget_num_chunks");
    }
    stored_elements = storage.chunk_elements != 0 && chunks > count / storage.chunk_elements
                          ? count
                          : chunks * storage.chunk_elements;
  } else {
    return uint64_t{0};  // virtual/external: refused elsewhere
  }
  return (count - std::min(count, stored_elements)) * element_size;
}

std::string StorageNote(const Storage& storage) {
  std::string note = storage.layout == H5D_CHUNKED   ? "chunked"
                     : storage.layout == H5D_COMPACT ? "compact"
                                                     : "contiguous";
  if (storage.filters > 0) note += ", " + std::to_string(storage.filters) + " filter(s)";
  if (storage.fletcher32) note += ", " + std::string(kHdf5Fletcher32Note);
  return note;
}

}  // namespace

Status DescribeDataset(const std::shared_ptr<const H5ImageFile>& file, hid_t dset,
                       const std::string& path, TensorEntry* entry) {
  SilenceHdf5Errors();
  const std::string& name = file->name();
  std::vector<hsize_t> dims;
  std::vector<int64_t> shape;
  RESCOPE_RETURN_IF_ERROR(ReadShape(dset, name, path, &dims, &shape));
  entry->shape = shape;
  const std::optional<uint64_t> count = ShapeNumElements(entry->shape);
  if (!count) return DatasetError(name, path, "element count overflows");

  H5Handle file_type = H5Handle::Type(H5Dget_type(dset));
  if (!file_type.valid()) return Hdf5CallFailed(name, path, "H5Dget_type");
  ElementType type = MapElementType(file_type.get(), dset, name, path);
  entry->dtype = type.dtype;

  Storage storage;
  RESCOPE_RETURN_IF_ERROR(ReadStorage(dset, name, path, &storage));
  if (storage.layout != H5D_CONTIGUOUS || storage.filters > 0) {
    entry->mutable_notes().emplace_back("hdf5_storage", StorageNote(storage));
  }
  if (storage.layout == H5D_VIRTUAL) type.unsupported = "virtual dataset (data in other files)";
  if (storage.external_files > 0) type.unsupported = "data stored in external file(s)";
  // A variable-length string element is held in memory as a 16-byte heap reference.
  const uint64_t held_size = type.is_string ? 16 : std::max<uint32_t>(type.size, 1);
  if (type.unsupported.empty() && storage.layout == H5D_CHUNKED &&
      storage.chunk_elements > kMaxChunkBytes / held_size) {
    type.unsupported = "chunks of " + std::to_string(storage.chunk_elements) +
                       " elements are too large to decompress";
  }
  if (!type.unsupported.empty()) {
    entry->set_data_error(name + ": " + path + ": " + type.unsupported);
    return Status::Ok();
  }
  if (type.is_string) {
    return DescribeStrings(file, dset, file_type.get(), dims, *count, path, entry);
  }
  if (*count > UINT64_MAX / type.size) return DatasetError(name, path, "byte size overflows");
  entry->byte_size = *count * type.size;

  if (storage.layout == H5D_CONTIGUOUS && storage.filters == 0) {
    const haddr_t offset = H5Dget_offset(dset);
    if (offset != HADDR_UNDEF) {
      // The stored extent must lie in the file whatever the conversion, so a corrupt
      // dataspace cannot announce more bytes than the input holds.
      const uint64_t file_size = H5Tget_size(file_type.get());
      const uint64_t stored =
          file_size != 0 && *count > UINT64_MAX / file_size ? UINT64_MAX : *count * file_size;
      if (!RangeFits(offset, stored, file->image_size())) {
        return DatasetError(name, path,
                            "data @" + Hex(offset) + " (" + Hex(stored) +
                                " bytes) runs past end of file (" + Hex(file->image_size()) + ")");
      }
      if (type.zero_copy) {
        entry->data = file->image_source();
        entry->data_offset = offset;
        return Status::Ok();
      }
    }
  }
  (void)TakeHdf5ErrorMessage();  // H5Dget_offset reports "not allocated" as an error
  const bool allocated_contiguous =
      storage.layout == H5D_CONTIGUOUS && H5Dget_offset(dset) != HADDR_UNDEF;
  (void)TakeHdf5ErrorMessage();
  RESCOPE_ASSIGN_OR_RETURN(
      const uint64_t unstored,
      UnstoredBytes(dset, storage, *count, type.size, allocated_contiguous, name, path));
  if (unstored > kMaxUnstoredBytes) {
    const hsize_t allocated = H5Dget_storage_size(dset);
    entry->set_data_error(name + ": " + path + ": declares " + std::to_string(entry->byte_size) +
                          " bytes but only " + std::to_string(allocated) +
                          " are allocated in the file; " + std::to_string(unstored) +
                          " bytes would come from the fill value, over rescope's limit of " +
                          std::to_string(kMaxUnstoredBytes) +
                          " (the dataset was created but never written; write its values, "
                          "e.g. with h5py, or delete it)");
    return Status::Ok();
  }
  // The source keeps its own reference to the dataset id for its whole life.
  if (H5Iinc_ref(dset) < 0) return Hdf5CallFailed(name, path, "H5Iinc_ref");
  H5Handle own = H5Handle::Dataset(dset);
  entry->data =
      std::make_shared<H5DatasetSource>(file, std::move(own), std::move(type.mem_type),
                                        std::move(dims), type.size, path, entry->byte_size);
  entry->data_offset = 0;
  return Status::Ok();
}

}  // namespace rescope
