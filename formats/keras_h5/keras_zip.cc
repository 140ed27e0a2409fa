// SPDX-License-Identifier: Apache-2.0
// Locating model.weights.h5 in a .keras zip (see keras_zip.h).
#include "formats/keras_h5/keras_zip.h"

#include <zip.h>

#include "formats/byte_cursor.h"
#include "formats/hdf5/h5_image.h"

namespace rescope {
namespace {

constexpr uint32_t kLocalHeaderMagic = 0x04034b50;
constexpr uint32_t kCentralHeaderMagic = 0x02014b50;
constexpr uint32_t kEndMagic = 0x06054b50;
constexpr uint32_t kZip64EndMagic = 0x06064b50;
constexpr uint32_t kZip64LocatorMagic = 0x07064b50;
constexpr uint64_t kEndSize = 22;
constexpr uint64_t kCentralHeaderSize = 46;
constexpr uint64_t kLocalHeaderSize = 30;
constexpr uint64_t kMaxJsonMember = uint64_t{64} << 20;
// Inflation limits (documented in rescope(1) and the README): a compressed member may
// declare at most kMaxInflatedBytes, and, above kRatioExemptBytes, at most
// kMaxInflateRatio times its compressed size. Real weights compress by 1.1-3x; a 1 MB
// archive declaring a 1 GiB member is a bomb. Keras itself writes every member STORED,
// which needs no inflation at all.
constexpr uint64_t kMaxInflatedBytes = uint64_t{64} << 30;
constexpr uint64_t kRatioExemptBytes = uint64_t{16} << 20;
constexpr uint64_t kMaxInflateRatio = 100;

uint16_t Read16(ByteCursor& c, std::string_view what) {
  return LoadLE16(c.ReadBytes(2, what).data);
}

std::string Quote(const std::string& s) { return "\"" + s + "\""; }

struct Directory {
  uint64_t entries = 0;
  uint64_t size = 0;
  uint64_t offset = 0;
};

// The end-of-central-directory record is the last 22 bytes plus an optional comment of up
// to 65535 bytes, so search backwards over that window for its signature.
uint64_t FindEndRecord(const MappedFile& zip) {
  const ByteView all = zip.All();
  if (all.size < kEndSize)
    ThrowCorruption(zip.name() + ": too small for a zip (" + std::to_string(all.size) + " bytes)");
  const uint64_t last = all.size - kEndSize;
  const uint64_t first = last > 0xFFFF ? last - 0xFFFF : 0;
  for (uint64_t pos = last + 1; pos-- > first;) {
    if (LoadLE32(all.data + pos) == kEndMagic) return pos;
  }
  ThrowCorruption(zip.name() + ": end of central directory record not found");
}

void ReadZip64End(const MappedFile& zip, uint64_t end_pos, Directory* dir) {
  if (end_pos < 20) ThrowCorruption(zip.name() + ": zip64 locator missing");
  ByteCursor loc(zip.All().Sub(end_pos - 20, 20), zip.name(), "zip64 locator", end_pos - 20);
  if (loc.ReadFixed32("signature") != kZip64LocatorMagic) {
    loc.FailAt(0, "bad signature (expected 50 4b 06 07)");
  }
  loc.Skip(4, "disk");
  const uint64_t record = loc.ReadFixed64("zip64 end record offset");
  if (!RangeFits(record, 56, zip.size())) {
    loc.FailAt(8, "zip64 end record offset " + Hex(record) + " past end of file (" +
                      Hex(zip.size()) + ")");
  }
  ByteCursor c(zip.All().Sub(record, 56), zip.name(), "zip64 end record", record);
  if (c.ReadFixed32("signature") != kZip64EndMagic) c.FailAt(0, "bad signature");
  c.Skip(8 + 2 + 2 + 4 + 4 + 8, "header fields");
  dir->entries = c.ReadFixed64("entry count");
  dir->size = c.ReadFixed64("directory size");
  dir->offset = c.ReadFixed64("directory offset");
}

Directory ReadEndRecord(const MappedFile& zip) {
  const uint64_t pos = FindEndRecord(zip);
  ByteCursor c(zip.All().Sub(pos, kEndSize), zip.name(), "end of central directory", pos);
  c.Skip(4 + 2 + 2 + 2, "signature and disk fields");
  Directory dir;
  dir.entries = Read16(c, "entry count");
  dir.size = c.ReadFixed32("directory size");
  dir.offset = c.ReadFixed32("directory offset");
  if (dir.entries == 0xFFFF || dir.size == 0xFFFFFFFF || dir.offset == 0xFFFFFFFF) {
    ReadZip64End(zip, pos, &dir);
  }
  if (!RangeFits(dir.offset, dir.size, zip.size())) {
    c.Fail("central directory [" + Hex(dir.offset) + ", " + Hex(dir.offset + dir.size) +
           ") runs past end of file (" + Hex(zip.size()) + ")");
  }
  if (dir.entries > dir.size / kCentralHeaderSize) {
    c.Fail(std::to_string(dir.entries) + " entries cannot fit in a " + std::to_string(dir.size) +
           "-byte central directory");
  }
  return dir;
}

// Zip64 extended information (header id 1): the 8-byte values present are exactly those
// whose 32-bit field holds 0xFFFFFFFF, in the order size, compressed size, offset.
void ApplyZip64Extra(ByteView extra, const std::string& file, uint64_t base, ZipMember* m,
                     bool size_max, bool csize_max, bool offset_max) {
  ByteCursor c(extra, file, "central directory extra field", base);
  while (c.remaining() >= 4) {
    const uint16_t id = Read16(c, "extra id");
    const uint16_t len = Read16(c, "extra length");
    ByteCursor field(c.ReadBytes(len, "extra data"), file, "zip64 extra field",
                     c.absolute_offset() - len);
    if (id != 1) continue;
    if (size_max) m->size = field.ReadFixed64("uncompressed size");
    if (csize_max) m->compressed_size = field.ReadFixed64("compressed size");
    if (offset_max) m->local_header_offset = field.ReadFixed64("local header offset");
    return;
  }
}

ZipMember ReadCentralEntry(ByteCursor& c, const std::string& file, size_t index) {
  const uint64_t at = c.absolute_offset();
  if (c.ReadFixed32("signature") != kCentralHeaderMagic) {
    c.FailAt(c.position() - 4, "central directory entry #" + std::to_string(index) +
                                   ": bad signature (expected 50 4b 01 02)");
  }
  ZipMember m;
  c.Skip(4, "versions");
  m.flags = Read16(c, "flags");
  m.method = Read16(c, "method");
  c.Skip(4, "time and date");
  m.crc32 = c.ReadFixed32("crc32");
  m.compressed_size = c.ReadFixed32("compressed size");
  m.size = c.ReadFixed32("uncompressed size");
  const uint16_t name_len = Read16(c, "name length");
  const uint16_t extra_len = Read16(c, "extra length");
  const uint16_t comment_len = Read16(c, "comment length");
  c.Skip(2 + 2 + 4, "disk and attributes");
  m.local_header_offset = c.ReadFixed32("local header offset");
  m.name = std::string(c.ReadBytes(name_len, "name").AsStringView());
  const ByteView extra = c.ReadBytes(extra_len, "extra field");
  c.Skip(comment_len, "comment");
  ApplyZip64Extra(extra, file, at + kCentralHeaderSize + name_len, &m, m.size == 0xFFFFFFFF,
                  m.compressed_size == 0xFFFFFFFF, m.local_header_offset == 0xFFFFFFFF);
  return m;
}

// libzip over the mapped bytes (no second open of the path).
class ZipReader {
 public:
  ~ZipReader() {
    if (archive_ != nullptr) zip_discard(archive_);
  }
  Status Open(const MappedFile& zip) {
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* src = zip_source_buffer_create(zip.All().data, zip.size(), 0, &error);
    if (src != nullptr) archive_ = zip_open_from_source(src, ZIP_RDONLY, &error);
    if (archive_ == nullptr) {
      if (src != nullptr) zip_source_free(src);
      Status st = Status::Corruption(zip.name() + ": libzip: " + zip_error_strerror(&error));
      zip_error_fini(&error);
      return st;
    }
    zip_error_fini(&error);
    return Status::Ok();
  }

  // Streams member `name` to `sink` in 1 MiB pieces; checks the inflated size.
  template <typename Sink>
  Status Inflate(const std::string& file, const ZipMember& member, Sink&& sink) {
    const zip_int64_t index = zip_name_locate(archive_, member.name.c_str(), 0);
    if (index < 0)
      return Status::Corruption(file + ": " + Quote(member.name) + ": not found by libzip");
    zip_file_t* f = zip_fopen_index(archive_, static_cast<zip_uint64_t>(index), 0);
    if (f == nullptr) {
      return Status::NotSupported(file + ": " + Quote(member.name) + ": " + zip_strerror(archive_));
    }
    std::vector<uint8_t> buf(1 << 20);
    uint64_t total = 0;
    Status st;
    for (;;) {
      const zip_int64_t n = zip_fread(f, buf.data(), buf.size());
      if (n < 0) {
        st = Status::Corruption(file + ": " + Quote(member.name) + ": " + zip_file_strerror(f));
        break;
      }
      if (n == 0) break;
      total += static_cast<uint64_t>(n);
      if (total > member.size) break;
      st = sink(buf.data(), static_cast<size_t>(n));
      if (!st.ok()) break;
    }
    zip_fclose(f);
    if (st.ok() && total != member.size) {
      st =
          Status::Corruption(file + ": " + Quote(member.name) + ": inflates to " +
                             (total > member.size ? "more than " : "") + std::to_string(total) +
                             " bytes (central directory says " + std::to_string(member.size) + ")");
    }
    return st;
  }

 private:
  zip_t* archive_ = nullptr;
};

Status CheckMemberSupported(const std::string& file, const ZipMember& m) {
  if (m.flags & 1) return Status::NotSupported(file + ": " + Quote(m.name) + ": encrypted member");
  if (m.method != 0 && m.method != 8) {
    return Status::NotSupported(file + ": " + Quote(m.name) + ": compression method " +
                                std::to_string(m.method) + " (only STORED and DEFLATE)");
  }
  if (m.method == 0 && m.compressed_size != m.size) {
    return Status::Corruption(
        file + ": " + Quote(m.name) + ": STORED member with compressed size " +
        std::to_string(m.compressed_size) + " != size " + std::to_string(m.size));
  }
  if (m.method == 0) return Status::Ok();
  // Limits on inflation, checked against the central directory before a byte is inflated
  // (Inflate also stops when the real stream outgrows the declared size).
  const std::string unpack =
      "; extract it (unzip) and pass the .weights.h5 file, or re-pack the archive "
      "uncompressed (zip -0), as Keras writes it";
  if (m.size > kMaxInflatedBytes) {
    return Status::NotSupported(file + ": " + Quote(m.name) + ": declares " +
                                std::to_string(m.size) + " bytes uncompressed, over the limit of " +
                                std::to_string(kMaxInflatedBytes) + " for a compressed member" +
                                unpack);
  }
  if (m.size > kRatioExemptBytes && m.size / kMaxInflateRatio > m.compressed_size) {
    return Status::NotSupported(
        file + ": " + Quote(m.name) + ": declares " + std::to_string(m.size) + " bytes from " +
        std::to_string(m.compressed_size) + " compressed, over the ratio limit of " +
        std::to_string(kMaxInflateRatio) + ":1 (zip bomb?)" + unpack);
  }
  return Status::Ok();
}

Result<std::string> ReadSmallMember(const MappedFile& zip, ZipReader& reader, const ZipMember& m) {
  RESCOPE_RETURN_IF_ERROR(CheckMemberSupported(zip.name(), m));
  if (m.size > kMaxJsonMember) {
    return Status::NotSupported(zip.name() + ": " + Quote(m.name) + ": " + std::to_string(m.size) +
                                " bytes is too large for a JSON member");
  }
  if (m.method == 0) {
    RESCOPE_ASSIGN_OR_RETURN(const uint64_t at, ZipMemberDataOffset(zip, m));
    return std::string(zip.All().Sub(at, m.size).AsStringView());
  }
  std::string out;
  RESCOPE_RETURN_IF_ERROR(reader.Inflate(zip.name(), m, [&](const uint8_t* p, size_t n) {
    out.append(reinterpret_cast<const char*>(p), n);
    return Status::Ok();
  }));
  return out;
}

}  // namespace

bool LooksLikeZip(ByteView head) {
  return head.size >= 4 && LoadLE32(head.data) == kLocalHeaderMagic;
}

Result<std::vector<ZipMember>> ReadZipDirectory(const MappedFile& zip) {
  try {
    const Directory dir = ReadEndRecord(zip);
    ByteCursor c(zip.All().Sub(dir.offset, dir.size), zip.name(), "central directory", dir.offset);
    std::vector<ZipMember> members;
    members.reserve(dir.entries);
    for (uint64_t i = 0; i < dir.entries; ++i) {
      members.push_back(ReadCentralEntry(c, zip.name(), i));
    }
    return members;
  } catch (const FormatError& e) {
    return e.status();
  }
}

Result<uint64_t> ZipMemberDataOffset(const MappedFile& zip, const ZipMember& member) {
  const std::string where = "local header of " + Quote(member.name);
  if (!RangeFits(member.local_header_offset, kLocalHeaderSize, zip.size())) {
    return Status::Corruption(zip.name() + ": " + where + " @" + Hex(member.local_header_offset) +
                              ": runs past end of file (" + Hex(zip.size()) + ")");
  }
  try {
    ByteCursor c(zip.All().Sub(member.local_header_offset, kLocalHeaderSize), zip.name(), where,
                 member.local_header_offset);
    if (c.ReadFixed32("signature") != kLocalHeaderMagic) {
      c.FailAt(0, "bad signature (expected 50 4b 03 04)");
    }
    c.Skip(22, "fixed fields");
    const uint16_t name_len = Read16(c, "name length");
    const uint16_t extra_len = Read16(c, "extra length");
    const uint64_t data = member.local_header_offset + kLocalHeaderSize + name_len + extra_len;
    if (!RangeFits(data, member.compressed_size, zip.size())) {
      c.FailAt(0, "member data [" + Hex(data) + ", " + Hex(data + member.compressed_size) +
                      ") runs past end of file (" + Hex(zip.size()) + ")");
    }
    return data;
  } catch (const FormatError& e) {
    return e.status();
  }
}

Result<KerasArchive> OpenKerasArchive(const std::string& path,
                                      std::shared_ptr<const MappedFile> zip) {
  KerasArchive out;
  RESCOPE_ASSIGN_OR_RETURN(out.members, ReadZipDirectory(*zip));
  const ZipMember* weights = nullptr;
  const ZipMember* metadata = nullptr;
  const ZipMember* config = nullptr;
  for (const ZipMember& m : out.members) {
    if (m.name == kKerasWeightsMember && weights == nullptr) weights = &m;
    if (m.name == "metadata.json" && metadata == nullptr) metadata = &m;
    if (m.name == "config.json" && config == nullptr) config = &m;
  }
  if (weights == nullptr) {
    return Status::NotSupported(path + ": .keras archive has no " + Quote(kKerasWeightsMember) +
                                " member (" + std::to_string(out.members.size()) + " members)");
  }
  RESCOPE_RETURN_IF_ERROR(CheckMemberSupported(path, *weights));
  ZipReader reader;
  // libzip inflates the small JSON members; the weights member is inflated on demand.
  const bool needs_libzip = (metadata && metadata->method != 0) || (config && config->method != 0);
  if (needs_libzip) RESCOPE_RETURN_IF_ERROR(reader.Open(*zip));
  if (metadata != nullptr) {
    RESCOPE_ASSIGN_OR_RETURN(out.metadata_json, ReadSmallMember(*zip, reader, *metadata));
  }
  if (config != nullptr) {
    RESCOPE_ASSIGN_OR_RETURN(out.config_json, ReadSmallMember(*zip, reader, *config));
  }
  out.weights_name = path + ":" + kKerasWeightsMember;
  if (weights->method == 0) {
    RESCOPE_ASSIGN_OR_RETURN(out.weights_offset, ZipMemberDataOffset(*zip, *weights));
    out.weights_mapping = zip;
    out.weights_size = weights->size;
    return out;
  }
  // DEFLATE: opened lazily (inflating_member.h); nothing is inflated before HDF5 reads.
  RESCOPE_ASSIGN_OR_RETURN(const uint64_t data, ZipMemberDataOffset(*zip, *weights));
  RESCOPE_ASSIGN_OR_RETURN(
      out.weights_inflater,
      InflatingMember::Open(out.weights_name, zip, data, weights->compressed_size, weights->size,
                            weights->crc32));
  out.weights_size = weights->size;
  return out;
}

Result<std::shared_ptr<const H5ImageFile>> OpenWeightsHdf5(const KerasArchive& archive) {
  if (archive.weights_inflater != nullptr) {
    return H5ImageFile::OpenSource(archive.weights_name, archive.weights_inflater);
  }
  return H5ImageFile::Open(archive.weights_name, archive.weights_mapping, archive.weights_offset,
                           archive.weights_size);
}

}  // namespace rescope
