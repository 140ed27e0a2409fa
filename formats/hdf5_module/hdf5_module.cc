// SPDX-License-Identifier: Apache-2.0
// Callers' side of the HDF5 seam: decides from a file's first bytes whether the HDF5
// support is worth loading, then forwards to it.
#include "formats/hdf5_module/hdf5_module.h"

#include <cstring>

#include "core/store/byte_source.h"
#include "formats/mapped_file.h"
#include "formats/pytorch/pytorch_reader.h"
#include "formats/pytorch/torch_zip.h"

namespace rescope {
namespace {

constexpr uint8_t kHdf5Signature[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

// The HDF5 signature where the library looks for a superblock: at 0, 512, 1024, 2048, ...
// (after a user block of 512·2^n bytes; FORMATS.md §5).
bool HasHdf5Signature(ByteView bytes) {
  for (uint64_t at = 0; RangeFits(at, sizeof(kHdf5Signature), bytes.size); at = at ? at * 2 : 512) {
    if (std::memcmp(bytes.data + at, kHdf5Signature, sizeof(kHdf5Signature)) == 0) return true;
  }
  return false;
}

// Files the HDF5 support might open: HDF5 files and zips other than torch.save's.
bool MayBeKerasOrHdf5(const std::string& path) {
  auto mapped = MappedFile::Open(path);
  if (!mapped.ok()) return false;
  const ByteView bytes = (*mapped)->All();
  if (pytorch::LooksLikeZip(bytes)) return !pytorch::SniffPyTorch(path);
  return HasHdf5Signature(bytes);
}

}  // namespace

bool SniffKerasOrHdf5File(const std::string& path) {
  if (!FileExists(path) || !MayBeKerasOrHdf5(path)) return false;
  const Result<const Hdf5ModuleApi*> api = LoadHdf5Module();
  return !api.ok() || (*api)->sniff_keras_or_hdf5(path);
}

Result<Checkpoint> OpenKerasH5File(const std::string& path) {
  RESCOPE_ASSIGN_OR_RETURN(const Hdf5ModuleApi* api, LoadHdf5Module());
  return api->open_keras_h5(path);
}

Status CheckKerasH5Output(const Checkpoint& source, const TensorStore& store) {
  RESCOPE_ASSIGN_OR_RETURN(const Hdf5ModuleApi* api, LoadHdf5Module());
  return api->check_keras_h5_write(source, store);
}

Result<std::vector<std::string>> WriteKerasH5Output(const Checkpoint& source,
                                                    const TensorStore& store,
                                                    const std::string& path,
                                                    std::vector<std::string>* notes) {
  RESCOPE_ASSIGN_OR_RETURN(const Hdf5ModuleApi* api, LoadHdf5Module());
  return api->write_keras_h5(source, store, path, notes);
}

}  // namespace rescope
