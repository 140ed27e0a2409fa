// SPDX-License-Identifier: Apache-2.0
// The ByteSource HDF5 file driver (see h5_source_driver.h).
#include "formats/hdf5/h5_source_driver.h"

#if H5_VERSION_GE(1, 13, 2)
#include <H5FDdevelop.h>  // H5FD_class_t moved here (with `version` and `value`) in 1.13.2
#endif

#include <cstring>
#include <new>
#include <vector>

#include "formats/hdf5/h5_error.h"

namespace rescope {
namespace {

// What the file access property list carries (HDF5 copies it with memcpy).
struct DriverInfo {
  const ByteSource* source = nullptr;
};

// HDF5's part first: the library only sees the H5FD_t.
struct SourceFile {
  H5FD_t pub;
  const ByteSource* source = nullptr;
  haddr_t eoa = 0;
};

SourceFile* AsSource(H5FD_t* f) { return reinterpret_cast<SourceFile*>(f); }
const SourceFile* AsSource(const H5FD_t* f) { return reinterpret_cast<const SourceFile*>(f); }

void PushError(const char* func, hid_t minor, const std::string& message) {
  (void)H5Epush2(H5E_DEFAULT, __FILE__, func, __LINE__, H5E_ERR_CLS, H5E_VFL, minor, "%s",
                 message.c_str());
}

H5FD_t* Open(const char* name, unsigned flags, hid_t fapl, haddr_t maxaddr) {
  if ((flags & (H5F_ACC_RDWR | H5F_ACC_CREAT | H5F_ACC_TRUNC | H5F_ACC_EXCL)) != 0) {
    PushError("rescope_source_open", H5E_CANTOPENFILE,
              std::string(name) + ": the ByteSource driver is read-only");
    return nullptr;
  }
  const auto* info = static_cast<const DriverInfo*>(H5Pget_driver_info(fapl));
  if (info == nullptr || info->source == nullptr) {
    PushError("rescope_source_open", H5E_CANTOPENFILE, "no ByteSource set for the driver");
    return nullptr;
  }
  if (maxaddr == 0 || maxaddr == HADDR_UNDEF || info->source->size() > maxaddr) {
    PushError("rescope_source_open", H5E_CANTOPENFILE,
              info->source->name() + ": larger than the HDF5 address space");
    return nullptr;
  }
  auto* file = new (std::nothrow) SourceFile();
  if (file == nullptr) return nullptr;
  file->source = info->source;
  return &file->pub;
}

herr_t Close(H5FD_t* f) {
  delete AsSource(f);
  return 0;
}

herr_t Query(const H5FD_t*, unsigned long* flags) {
  // Let HDF5 gather small metadata reads and sieve raw data reads into fewer, larger
  // reads of the source.
  if (flags != nullptr) {
    *flags = H5FD_FEAT_AGGREGATE_METADATA | H5FD_FEAT_ACCUMULATE_METADATA | H5FD_FEAT_DATA_SIEVE |
             H5FD_FEAT_AGGREGATE_SMALLDATA;
  }
  return 0;
}

haddr_t GetEoa(const H5FD_t* f, H5FD_mem_t) { return AsSource(f)->eoa; }

herr_t SetEoa(H5FD_t* f, H5FD_mem_t, haddr_t addr) {
  AsSource(f)->eoa = addr;
  return 0;
}

haddr_t GetEof(const H5FD_t* f, H5FD_mem_t) { return AsSource(f)->source->size(); }

herr_t Read(H5FD_t* f, H5FD_mem_t, hid_t, haddr_t addr, size_t size, void* buf) {
  const SourceFile* file = AsSource(f);
  const uint64_t eof = file->source->size();
  if (addr == HADDR_UNDEF || addr + size < addr) {
    PushError("rescope_source_read", H5E_OVERFLOW, file->source->name() + ": address overflow");
    return -1;
  }
  auto* out = static_cast<uint8_t*>(buf);
  // Like the core and sec2 drivers: the part past the end of file reads as zeros (HDF5
  // has already refused reads past the end of the allocated address space).
  const uint64_t have = addr < eof ? std::min<uint64_t>(size, eof - addr) : 0;
  if (have > 0) {
    thread_local std::vector<uint8_t> scratch;
    auto bytes = file->source->Read(addr, have, scratch);
    if (!bytes.ok()) {
      PushError("rescope_source_read", H5E_READERROR, bytes.status().message());
      return -1;
    }
    std::memcpy(out, bytes->data, static_cast<size_t>(have));
    // Inflated chunks can be large; do not keep a large buffer per thread.
    if (scratch.capacity() > (size_t{4} << 20)) std::vector<uint8_t>().swap(scratch);
  }
  std::memset(out + have, 0, size - static_cast<size_t>(have));
  return 0;
}

herr_t Write(H5FD_t* f, H5FD_mem_t, hid_t, haddr_t, size_t, const void*) {
  PushError("rescope_source_write", H5E_WRITEERROR,
            AsSource(f)->source->name() + ": the ByteSource driver is read-only");
  return -1;
}

herr_t Truncate(H5FD_t*, hid_t, hbool_t) { return 0; }

// Filled by member name on a zeroed struct, so the members this driver leaves unset are
// null in both layouts and only 1.14's `version` and `value` need a version check.
H5FD_class_t MakeSourceDriverClass() {
  H5FD_class_t cls;
  std::memset(&cls, 0, sizeof(cls));
#if H5_VERSION_GE(1, 13, 2)
  cls.version = H5FD_CLASS_VERSION;
  // 256..511 are set aside by HDF5 for drivers not registered with The HDF Group.
  cls.value = static_cast<H5FD_class_value_t>(437);
#endif
  cls.name = "rescope_byte_source";
  cls.maxaddr = static_cast<haddr_t>(INT64_MAX);
  cls.fc_degree = H5F_CLOSE_WEAK;
  cls.fapl_size = sizeof(DriverInfo);
  cls.open = Open;
  cls.close = Close;
  cls.query = Query;
  cls.get_eoa = GetEoa;
  cls.set_eoa = SetEoa;
  cls.get_eof = GetEof;
  cls.read = Read;
  cls.write = Write;
  cls.truncate = Truncate;
  const H5FD_mem_t map[H5FD_MEM_NTYPES] = H5FD_FLMAP_DICHOTOMY;
  std::memcpy(cls.fl_map, map, sizeof(map));
  return cls;
}

hid_t DriverId() {
  // HDF5 keeps a pointer to the class: it must live as long as the library.
  static const H5FD_class_t cls = MakeSourceDriverClass();
  static const hid_t id = H5FDregister(&cls);
  return id;
}

}  // namespace

Status SetByteSourceDriver(hid_t fapl, const ByteSource* source) {
  const hid_t driver = DriverId();
  if (driver < 0) return Hdf5CallFailed(source->name(), "", "H5FDregister", StatusCode::kIOError);
  const DriverInfo info{source};
  if (H5Pset_driver(fapl, driver, &info) < 0) {
    return Hdf5CallFailed(source->name(), "", "H5Pset_driver", StatusCode::kIOError);
  }
  return Status::Ok();
}

}  // namespace rescope
