// SPDX-License-Identifier: Apache-2.0
// Zip central-directory reader and torch-style STORED zip writer (PYTORCH.md §2.3–2.4, §6.3).
#include "formats/pytorch/torch_zip.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace rescope::pytorch {
namespace {

constexpr uint32_t kLocalSig = 0x04034b50;
constexpr uint32_t kCentralSig = 0x02014b50;
constexpr uint32_t kEndSig = 0x06054b50;
constexpr uint32_t kZip64EndSig = 0x06064b50;
constexpr uint32_t kZip64LocatorSig = 0x07064b50;
constexpr uint32_t kDescriptorSig = 0x08074b50;
constexpr uint64_t kAlignment = 64;


Status Corrupt(const std::string& file, uint64_t at, const std::string& what) {
  return Status::Corruption(file + ": zip @" + Hex(at) + ": " + what);
}

// Reads the u64 values of a ZIP64 extra (0x0001) in central-directory order, replacing the
// 32-bit fields that overflowed.
bool ApplyZip64Extra(ByteView extra, uint64_t* size, uint64_t* csize, uint64_t* offset) {
  size_t pos = 0;
  while (pos + 4 <= extra.size) {
    const uint16_t id = LoadLE16(extra.data + pos);
    const uint16_t len = LoadLE16(extra.data + pos + 2);
    if (pos + 4 + len > extra.size) return false;
    if (id == 0x0001) {
      size_t p = pos + 4;
      for (uint64_t* field : {size, csize, offset}) {
        if (*field != 0xFFFFFFFFu) continue;
        if (p + 8 > pos + 4 + len) return false;
        *field = LoadLE64(extra.data + p);
        p += 8;
      }
      return true;
    }
    pos += 4 + len;
  }
  return *size != 0xFFFFFFFFu && *csize != 0xFFFFFFFFu && *offset != 0xFFFFFFFFu;
}

void Put16(std::string& s, uint16_t v) {
  s.push_back(static_cast<char>(v & 0xFF));
  s.push_back(static_cast<char>(v >> 8));
}
void Put32(std::string& s, uint32_t v) {
  for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
void Put64(std::string& s, uint64_t v) {
  for (int i = 0; i < 8; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}
uint32_t Clamp32(uint64_t v) { return v >= 0xFFFFFFFFu ? 0xFFFFFFFFu : static_cast<uint32_t>(v); }

}  // namespace


bool LooksLikeZip(ByteView bytes) { return bytes.size >= 4 && LoadLE32(bytes.data) == kLocalSig; }

const ZipRecord* ZipDirectory::Find(std::string_view name) const {
  auto it = by_name.find(name);
  return it == by_name.end() ? nullptr : &records[it->second];
}

Result<ZipDirectory> ReadZipDirectory(ByteView bytes, const std::string& file) {
  const uint64_t file_size = bytes.size;
  if (file_size < 22) return Corrupt(file, 0, "too small for a zip end record (22 bytes)");
  // torch writes no comment, but accept one of up to 64 KiB like any zip reader.
  uint64_t eocd = file_size - 22;
  const uint64_t lowest = file_size >= 22 + 0xFFFF ? file_size - 22 - 0xFFFF : 0;
  while (LoadLE32(bytes.data + eocd) != kEndSig) {
    if (eocd == lowest) return Corrupt(file, file_size, "no end of central directory record");
    --eocd;
  }
  uint64_t entries = LoadLE16(bytes.data + eocd + 10);
  uint64_t cd_size = LoadLE32(bytes.data + eocd + 12);
  uint64_t cd_offset = LoadLE32(bytes.data + eocd + 16);
  if (eocd >= 20 && LoadLE32(bytes.data + eocd - 20) == kZip64LocatorSig) {
    const uint64_t z64 = LoadLE64(bytes.data + eocd - 20 + 8);
    if (!RangeFits(z64, 56, file_size) || LoadLE32(bytes.data + z64) != kZip64EndSig) {
      return Corrupt(file, eocd - 20, "ZIP64 locator points to no ZIP64 end record");
    }
    entries = LoadLE64(bytes.data + z64 + 32);
    cd_size = LoadLE64(bytes.data + z64 + 40);
    cd_offset = LoadLE64(bytes.data + z64 + 48);
  }
  if (!RangeFits(cd_offset, cd_size, file_size)) {
    return Corrupt(file, eocd,
                   "central directory [" + Hex(cd_offset) + ", +" + Hex(cd_size) +
                       ") runs past end of file (" + Hex(file_size) + ")");
  }
  if (entries > cd_size / 46) {
    return Corrupt(file, eocd,
                   std::to_string(entries) + " entries cannot fit in a " + std::to_string(cd_size) +
                       "-byte central directory");
  }
  ZipDirectory dir;
  uint64_t pos = cd_offset;
  const uint64_t cd_end = cd_offset + cd_size;
  for (uint64_t i = 0; i < entries; ++i) {
    if (!RangeFits(pos, 46, cd_end) || LoadLE32(bytes.data + pos) != kCentralSig) {
      return Corrupt(file, pos, "central directory entry " + std::to_string(i) + " is bad");
    }
    const uint8_t* p = bytes.data + pos;
    ZipRecord rec;
    rec.method = LoadLE16(p + 10);
    rec.crc32 = LoadLE32(p + 16);
    uint64_t csize = LoadLE32(p + 20);
    rec.size = LoadLE32(p + 24);
    const uint16_t n = LoadLE16(p + 28), m = LoadLE16(p + 30), k = LoadLE16(p + 32);
    rec.header_offset = LoadLE32(p + 42);
    if (!RangeFits(pos + 46, uint64_t{n} + m + k, cd_end)) {
      return Corrupt(file, pos,
                     "central directory entry " + std::to_string(i) + " runs past the directory");
    }
    rec.name.assign(reinterpret_cast<const char*>(p + 46), n);
    if (!ApplyZip64Extra(ByteView(p + 46 + n, m), &rec.size, &csize, &rec.header_offset)) {
      return Corrupt(file, pos, rec.name + ": bad ZIP64 extra field");
    }
    if (rec.method == 0 && csize != rec.size) {
      return Corrupt(file, pos,
                     rec.name + ": stored record with compressed size " + std::to_string(csize) +
                         " != size " + std::to_string(rec.size));
    }
    const uint64_t h = rec.header_offset;
    if (!RangeFits(h, 30, file_size) || LoadLE32(bytes.data + h) != kLocalSig) {
      return Corrupt(file, h, rec.name + ": no local file header here");
    }
    rec.data_offset = h + 30 + LoadLE16(bytes.data + h + 26) + LoadLE16(bytes.data + h + 28);
    if (!RangeFits(rec.data_offset, csize, file_size)) {
      return Corrupt(file, h,
                     rec.name + ": data [" + Hex(rec.data_offset) + ", +" + Hex(csize) +
                         ") runs past end of file (" + Hex(file_size) + ")");
    }
    if (i == 0) {
      const size_t slash = rec.name.find('/');
      if (slash == std::string::npos || slash == 0) {
        return Corrupt(file, pos, "first record '" + rec.name + "' is not in a folder");
      }
      dir.archive = rec.name.substr(0, slash);
    }
    if (rec.name.size() <= dir.archive.size() + 1 ||
        rec.name.compare(0, dir.archive.size() + 1, dir.archive + "/") != 0) {
      return Corrupt(
          file, pos,
          "record '" + rec.name + "' is outside the archive folder '" + dir.archive + "/'");
    }
    dir.by_name.emplace(rec.name.substr(dir.archive.size() + 1), dir.records.size());
    dir.records.push_back(std::move(rec));
    pos += 46 + uint64_t{n} + m + k;
  }
  return dir;
}

Status TorchZipWriter::WriteLocalHeader(const std::string& name, uint64_t size) {
  const uint64_t offset = out_->size();
  const bool big_size = size >= 0xFFFFFFFFu, big_offset = offset >= 0xFFFFFFFFu;
  std::string zip64;
  if (big_size || big_offset) {
    std::string body;
    if (big_size) Put64(body, size), Put64(body, 0);
    if (big_offset) Put64(body, offset);
    Put16(zip64, 0x0001);
    Put16(zip64, static_cast<uint16_t>(body.size()));
    zip64 += body;
  }
  const uint64_t unpadded = offset + 30 + name.size() + zip64.size() + 4;
  const uint64_t pad = (kAlignment - unpadded % kAlignment) % kAlignment;
  std::string h;
  Put32(h, kLocalSig);
  Put16(h, 0);
  Put16(h, size == 0 ? 0x0800 : 0x0808);
  Put16(h, 0);
  Put32(h, 0);  // time, date
  Put32(h, 0);  // crc
  Put32(h, big_size ? 0xFFFFFFFFu : 0);
  Put32(h, big_size ? 0xFFFFFFFFu : 0);
  Put16(h, static_cast<uint16_t>(name.size()));
  Put16(h, static_cast<uint16_t>(zip64.size() + 4 + pad));
  h += name;
  h += zip64;
  Put16(h, 0x4246);  // "FB"
  Put16(h, static_cast<uint16_t>(pad));
  h.append(pad, 'Z');
  entries_.push_back({name, offset, size, 0});
  return out_->Append(h);
}

Status TorchZipWriter::WriteDescriptor(uint64_t size, uint32_t crc) {
  entries_.back().crc = crc;
  if (size == 0) return Status::Ok();
  std::string d;
  Put32(d, kDescriptorSig);
  Put32(d, crc);
  if (size >= 0xFFFFFFFFu) {
    Put64(d, size);
    Put64(d, size);
  } else {
    Put32(d, static_cast<uint32_t>(size));
    Put32(d, static_cast<uint32_t>(size));
  }
  return out_->Append(d);
}

Status TorchZipWriter::Add(const std::string& name, ByteView data) {
  if (name.size() > 0xFFFF) return Status::InvalidArgument("zip record name too long: " + name);
  RESCOPE_RETURN_IF_ERROR(WriteLocalHeader(name, data.size));
  RESCOPE_RETURN_IF_ERROR(out_->Append(data.data, data.size));
  return WriteDescriptor(data.size, Crc32(0, data.data, data.size));
}

Status TorchZipWriter::AddFrom(const std::string& name, const ByteSource& source, uint64_t offset,
                               uint64_t n) {
  if (name.size() > 0xFFFF) return Status::InvalidArgument("zip record name too long: " + name);
  RESCOPE_RETURN_IF_ERROR(WriteLocalHeader(name, n));
  constexpr uint64_t kWindow = 4 << 20;
  std::vector<uint8_t> scratch;
  uint32_t crc = 0;
  for (uint64_t done = 0; done < n;) {
    const uint64_t len = std::min(kWindow, n - done);
    auto view = source.ReadStreaming(offset + done, len, scratch);
    if (!view.ok()) return view.status();
    crc = Crc32(crc, view->data, view->size);
    RESCOPE_RETURN_IF_ERROR(out_->Append(view->data, view->size));
    source.Release(offset + done, len);
    done += len;
  }
  return WriteDescriptor(n, crc);
}

Status TorchZipWriter::Finish() {
  const uint64_t cd_offset = out_->size();
  std::string cd;
  for (const Entry& e : entries_) {
    std::string zip64;
    if (e.size >= 0xFFFFFFFFu) Put64(zip64, e.size), Put64(zip64, e.size);
    if (e.header_offset >= 0xFFFFFFFFu) Put64(zip64, e.header_offset);
    Put32(cd, kCentralSig);
    Put16(cd, 0);
    Put16(cd, 0);
    Put16(cd, e.size == 0 ? 0x0800 : 0x0808);
    Put16(cd, 0);
    Put32(cd, 0);
    Put32(cd, e.crc);
    Put32(cd, Clamp32(e.size));
    Put32(cd, Clamp32(e.size));
    Put16(cd, static_cast<uint16_t>(e.name.size()));
    Put16(cd, static_cast<uint16_t>(zip64.empty() ? 0 : zip64.size() + 4));
    Put16(cd, 0);  // comment
    Put16(cd, 0);  // disk
    Put16(cd, 0);  // internal attributes
    Put32(cd, 0);  // external attributes
    Put32(cd, Clamp32(e.header_offset));
    cd += e.name;
    if (!zip64.empty()) {
      Put16(cd, 0x0001);
      Put16(cd, static_cast<uint16_t>(zip64.size()));
      cd += zip64;
    }
  }
  const uint64_t z64_offset = cd_offset + cd.size();
  const uint64_t n = entries_.size();
  Put32(cd, kZip64EndSig);
  Put64(cd, 44);
  Put16(cd, 0x031E);
  Put16(cd, 0x002D);
  Put32(cd, 0);
  Put32(cd, 0);
  Put64(cd, n);
  Put64(cd, n);
  Put64(cd, z64_offset - cd_offset);
  Put64(cd, cd_offset);
  Put32(cd, kZip64LocatorSig);
  Put32(cd, 0);
  Put64(cd, z64_offset);
  Put32(cd, 1);
  Put32(cd, kEndSig);
  Put16(cd, 0);
  Put16(cd, 0);
  Put16(cd, static_cast<uint16_t>(std::min<uint64_t>(n, 0xFFFF)));
  Put16(cd, static_cast<uint16_t>(std::min<uint64_t>(n, 0xFFFF)));
  Put32(cd, Clamp32(z64_offset - cd_offset));
  Put32(cd, Clamp32(cd_offset));
  Put16(cd, 0);
  return out_->Append(cd);
}

}  // namespace rescope::pytorch
