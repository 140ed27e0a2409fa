// SPDX-License-Identifier: Apache-2.0
// The STORED zip container of torch.save (PYTORCH.md §2): a central-directory reader that
// gives zero-copy positions of records inside a mapped file, and a writer that lays records
// out exactly as torch's miniz does (64-byte aligned data, "FB" padding extras, data
// descriptors, ZIP64 end records).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/store/byte_source.h"
#include "core/store/status.h"
#include "formats/atomic_output.h"

namespace rescope::pytorch {

struct ZipRecord {
  std::string name;  // full name, "<archive>/data/0"
  uint64_t header_offset = 0;
  uint64_t data_offset = 0;  // from the local header
  uint64_t size = 0;
  uint32_t crc32 = 0;
  uint16_t method = 0;
};

struct ZipDirectory {
  std::vector<ZipRecord> records;  // central-directory order
  std::string archive;             // prefix of the first record, without the '/'
  std::map<std::string, size_t, std::less<>> by_name;  // name under "<archive>/" -> index

  // The record "<archive>/<name>", or null.
  const ZipRecord* Find(std::string_view name) const;
};

// True if `bytes` starts like a zip file (PK\3\4).
bool LooksLikeZip(ByteView bytes);

// Reads the central directory of `bytes` (a whole file named `file`). Checks every offset and
// size against the file and that every record lies under the first record's folder. Records
// need not be STORED here; callers check `method` before using the bytes.
Result<ZipDirectory> ReadZipDirectory(ByteView bytes, const std::string& file);

// CRC-32 (the zip/zlib polynomial), continued from `crc` (0 to start): Crc32(Crc32(0, a), b)
// is the CRC of a followed by b. Uses ISA-L when built with it, else PCLMULQDQ when the CPU
// has it (formats/pytorch/zip_crc32.cc). The single paths are exposed for tests:
// Crc32Library (ISA-L; REQUIRES HasCrc32Library()), Crc32Folding (PCLMULQDQ where the CPU
// has it, else tables) and Crc32Portable (tables alone).
uint32_t Crc32(uint32_t crc, const uint8_t* data, size_t n);
uint32_t Crc32Library(uint32_t crc, const uint8_t* data, size_t n);
bool HasCrc32Library();
uint32_t Crc32Folding(uint32_t crc, const uint8_t* data, size_t n);
uint32_t Crc32Portable(uint32_t crc, const uint8_t* data, size_t n);

// Writes records one after another into `out`, then the central directory and end records
// on Finish(). Nothing else may be appended to `out` meanwhile.
class TorchZipWriter {
 public:
  explicit TorchZipWriter(OutputFile* out) : out_(out) {}

  Status Add(const std::string& name, ByteView data);
  // Streams [offset, offset + n) of `source` into the record in windows.
  Status AddFrom(const std::string& name, const ByteSource& source, uint64_t offset, uint64_t n);
  Status Finish();

 private:
  struct Entry {
    std::string name;
    uint64_t header_offset;
    uint64_t size;
    uint32_t crc;
  };
  Status WriteLocalHeader(const std::string& name, uint64_t size);
  Status WriteDescriptor(uint64_t size, uint32_t crc);

  OutputFile* out_;
  std::vector<Entry> entries_;
};

}  // namespace rescope::pytorch
