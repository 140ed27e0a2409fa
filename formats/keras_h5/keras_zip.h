// SPDX-License-Identifier: Apache-2.0
// The .keras archive (FORMATS.md §5.4): a zip holding metadata.json, config.json and
// model.weights.h5, located without extracting anything when the members are STORED.
//
// Keras writes every member STORED (uncompressed), so the HDF5 weights file is a
// contiguous byte range of the zip: OpenKerasArchive returns that range of the mapped zip
// and HDF5 is opened on it in place (H5ImageFile), with no copy and no temp file. Any zip
// tool may rewrite the archive with DEFLATE; such a member is read through an
// InflatingMember (inflating_member.h): a random-access view that inflates on demand
// (restart points every 8 MiB, a small chunk cache), which HDF5 reads through a file
// driver (formats/hdf5/h5_source_driver.h). Nothing is written to disk and memory stays
// bounded: opening the file for `ls` inflates only as far as its last metadata, and
// tensor bytes are inflated when read (streamed, one forward pass). Extracting the member
// into a temp file (what rescope did before) was dropped: every command, `ls` included,
// wrote the whole inflated member to $TMPDIR.
//
// The central directory is parsed here (libzip has no public call for a member's data
// offset); zip64 end records and extra fields are supported. libzip inflates the small
// JSON members.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/store/byte_source.h"
#include "core/store/status.h"
#include "formats/keras_h5/inflating_member.h"
#include "formats/mapped_file.h"

namespace rescope {

// One central-directory record.
struct ZipMember {
  std::string name;
  uint16_t flags = 0;
  uint16_t method = 0;  // 0 = STORED, 8 = DEFLATE
  uint32_t crc32 = 0;
  uint64_t compressed_size = 0;
  uint64_t size = 0;  // uncompressed
  uint64_t local_header_offset = 0;
};

// True for the local-file-header magic "PK\3\4" at the start of `head`.
bool LooksLikeZip(ByteView head);

// Parses the central directory of the zip mapped in `zip`. Errors (kCorruption) name the
// zip and the structure: "m.keras: central directory entry #2 @0x4f1: bad signature ...".
Result<std::vector<ZipMember>> ReadZipDirectory(const MappedFile& zip);

// Absolute offset of a STORED/DEFLATE member's data (after its local header), checked to
// lie inside the zip together with compressed_size bytes.
Result<uint64_t> ZipMemberDataOffset(const MappedFile& zip, const ZipMember& member);

// What OpenKerasArchive found.
struct KerasArchive {
  std::vector<ZipMember> members;
  std::string metadata_json;  // "" when the member is absent
  std::string config_json;    // "" when the member is absent
  // The model.weights.h5 bytes. STORED: [weights_offset, weights_offset + weights_size)
  // of weights_mapping (the zip itself). DEFLATE: weights_inflater (weights_mapping null).
  std::shared_ptr<const MappedFile> weights_mapping;
  uint64_t weights_offset = 0;
  uint64_t weights_size = 0;
  std::string weights_name;  // "<zip path>:model.weights.h5", for messages
  std::shared_ptr<const InflatingMember> weights_inflater;
};

// Name of the weights member Keras reads.
inline constexpr const char* kKerasWeightsMember = "model.weights.h5";

// Opens `zip` (mapped from `path`) as a .keras archive. Fails with kNotSupported when the
// archive has no model.weights.h5 (e.g. model.weights.npz), the member is encrypted or
// uses a method other than STORED/DEFLATE, or a compressed member looks like a zip bomb:
// declared size over 64 GiB, or over 16 MiB and over 100 times its compressed size. These
// limits are checked before inflating anything. Only the JSON members are inflated here.
Result<KerasArchive> OpenKerasArchive(const std::string& path,
                                      std::shared_ptr<const MappedFile> zip);

class H5ImageFile;
// Opens the archive's model.weights.h5 in HDF5: in place in the zip when STORED, through
// weights_inflater when DEFLATE.
Result<std::shared_ptr<const H5ImageFile>> OpenWeightsHdf5(const KerasArchive& archive);

}  // namespace rescope
