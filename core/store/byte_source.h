// SPDX-License-Identifier: Apache-2.0
// ByteSource: random access to bytes that live somewhere else (a mapped file, a buffer).
//
// core/ never opens files; formats/ hands it ByteSources. A read returns a ByteView that
// either points into the source's own memory (a mapping: zero copy) or into the caller's
// scratch buffer; callers treat both the same. The view stays valid while the source is
// alive and the scratch buffer is neither modified nor destroyed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/store/status.h"

namespace rescope {

// A non-owning view of bytes. Decode integers from it with memcpy (see LoadLE*), never by
// casting the pointer: mapped data is not aligned.
struct ByteView {
  const uint8_t* data = nullptr;
  size_t size = 0;

  ByteView() = default;
  ByteView(const uint8_t* d, size_t n) : data(d), size(n) {}
  explicit ByteView(std::string_view s)
      : data(reinterpret_cast<const uint8_t*>(s.data())), size(s.size()) {}

  bool empty() const { return size == 0; }
  const uint8_t* begin() const { return data; }
  const uint8_t* end() const { return data + size; }
  uint8_t operator[](size_t i) const { return data[i]; }
  ByteView Sub(size_t offset, size_t n) const { return ByteView(data + offset, n); }
  std::string_view AsStringView() const {
    return std::string_view(reinterpret_cast<const char*>(data), size);
  }
};

inline uint16_t LoadLE16(const uint8_t* p) { return static_cast<uint16_t>(p[0] | (p[1] << 8)); }
inline uint32_t LoadLE32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | (static_cast<uint32_t>(p[1]) << 8) |
         (static_cast<uint32_t>(p[2]) << 16) | (static_cast<uint32_t>(p[3]) << 24);
}
inline uint64_t LoadLE64(const uint8_t* p) {
  return static_cast<uint64_t>(LoadLE32(p)) | (static_cast<uint64_t>(LoadLE32(p + 4)) << 32);
}
inline void StoreLE32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
inline void StoreLE64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

class ByteSource {
 public:
  virtual ~ByteSource() = default;

  // A name for messages, normally the file path.
  virtual const std::string& name() const = 0;
  virtual uint64_t size() const = 0;

  // Reads [offset, offset + n). Fails with a message naming the source when the range
  // does not lie inside it. May return a view into `scratch` (resized as needed).
  virtual Result<ByteView> Read(uint64_t offset, uint64_t n,
                                std::vector<uint8_t>& scratch) const = 0;

  // Like Read, for callers that stream through a range once in bounded windows
  // (WindowedBytes): the view is only needed until the next read, so a source may copy
  // into `scratch` where that is cheaper than a view of mapped memory (MappedFile reads
  // with pread). Default: Read.
  virtual Result<ByteView> ReadStreaming(uint64_t offset, uint64_t n,
                                         std::vector<uint8_t>& scratch) const {
    return Read(offset, n, scratch);
  }
  // Like ReadStreaming, for a caller that only reads the window where it lies (compares
  // or checksums it) and holds the view until its next read: a mapped source returns a view
  // of its mapping instead of a copy (MappedFile), which saves copying every byte out of the
  // page cache. Default: ReadStreaming.
  virtual Result<ByteView> ReadInPlace(uint64_t offset, uint64_t n,
                                       std::vector<uint8_t>& scratch) const {
    return ReadStreaming(offset, n, scratch);
  }
  // Hint that [offset, offset + n) will not be read again soon (lets a mapping drop pages
  // so streaming a large tensor does not grow resident memory). Default: nothing.
  virtual void Release(uint64_t /*offset*/, uint64_t /*n*/) const {}
};

// A ByteSource over bytes held in memory (tests, fuzzers, decoded blocks).
class MemoryByteSource final : public ByteSource {
 public:
  MemoryByteSource(std::string name, std::vector<uint8_t> bytes)
      : name_(std::move(name)), bytes_(std::move(bytes)) {}
  const std::string& name() const override { return name_; }
  uint64_t size() const override { return bytes_.size(); }
  Result<ByteView> Read(uint64_t offset, uint64_t n, std::vector<uint8_t>&) const override;

 private:
  std::string name_;
  std::vector<uint8_t> bytes_;
};

// "0x1f3a" formatting used in every offset in messages.
std::string Hex(uint64_t value);

// Checked range test: offset + n <= limit without overflow.
inline bool RangeFits(uint64_t offset, uint64_t n, uint64_t limit) {
  return offset <= limit && n <= limit - offset;
}

}  // namespace rescope
