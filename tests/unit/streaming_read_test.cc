// SPDX-License-Identifier: Apache-2.0
// Tests of streaming reads: MappedFile::ReadStreaming (pread into scratch) and the window
// release and buffer reuse of WindowedBytes, which diff --values relies on for speed and
// bounded memory.
#include <doctest/doctest.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <utility>

#include "core/compare/diff.h"
#include "core/values/tensor_values.h"
#include "formats/mapped_file.h"
#include "formats/mapping_guard.h"

using namespace rescope;

namespace {

// A file of `n` bytes, byte i = (i * 7 + i / 251) & 0xff, in a fresh temporary directory.
class TempFile {
 public:
  explicit TempFile(uint64_t n) {
    std::string templ = (std::filesystem::temp_directory_path() / "rescope-stream-XXXXXX").string();
    REQUIRE(::mkdtemp(templ.data()) != nullptr);
    dir_ = templ;
    path_ = dir_ + "/data";
    std::ofstream out(path_, std::ios::binary);
    for (uint64_t i = 0; i < n; ++i) out.put(static_cast<char>(Byte(i)));
  }
  ~TempFile() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  static uint8_t Byte(uint64_t i) { return static_cast<uint8_t>((i * 7 + i / 251) & 0xff); }
  const std::string& path() const { return path_; }

 private:
  std::string dir_, path_;
};

// A MemoryByteSource that records every Release and the scratch buffers it was given.
class ReleaseRecorder final : public ByteSource {
 public:
  explicit ReleaseRecorder(std::vector<uint8_t> bytes) : inner_("rec", std::move(bytes)) {}
  const std::string& name() const override { return inner_.name(); }
  uint64_t size() const override { return inner_.size(); }
  Result<ByteView> Read(uint64_t offset, uint64_t n, std::vector<uint8_t>& scratch) const override {
    // Copies into scratch, like a decompressing or pread-based source.
    RESCOPE_ASSIGN_OR_RETURN(const ByteView v, inner_.Read(offset, n, scratch));
    scratch.assign(v.begin(), v.end());
    scratch_buffers_.push_back(scratch.data());
    return ByteView(scratch.data(), scratch.size());
  }
  void Release(uint64_t offset, uint64_t n) const override { released_.push_back({offset, n}); }

  mutable std::vector<std::pair<uint64_t, uint64_t>> released_;
  mutable std::vector<const uint8_t*> scratch_buffers_;

 private:
  MemoryByteSource inner_;
};

}  // namespace

TEST_CASE("mapped file: ReadStreaming copies the same bytes as Read") {
  const uint64_t n = 3 * kValueWindowBytes + 12345;
  TempFile file(n);
  auto mapped = MappedFile::Open(file.path());
  REQUIRE(mapped.ok());
  std::vector<uint8_t> scratch_a, scratch_b;
  for (const auto& [offset, len] :
       std::vector<std::pair<uint64_t, uint64_t>>{{0, 1},
                                                  {3, kValueWindowBytes},
                                                  {kValueWindowBytes - 1, 2 * kValueWindowBytes},
                                                  {n - 5, 5},
                                                  {n, 0}}) {
    CAPTURE(offset);
    auto viewed = (*mapped)->Read(offset, len, scratch_a);
    auto copied = (*mapped)->ReadStreaming(offset, len, scratch_b);
    REQUIRE(viewed.ok());
    REQUIRE(copied.ok());
    REQUIRE(copied->size == len);
    CHECK(copied->data != viewed->data);  // a copy, not a view of the mapping
    CHECK(std::equal(copied->begin(), copied->end(), viewed->begin()));
    if (len > 0) CHECK(copied->data[len - 1] == TempFile::Byte(offset + len - 1));
  }
  std::vector<uint8_t> scratch;
  auto past = (*mapped)->ReadStreaming(n - 2, 3, scratch);
  REQUIRE(!past.ok());
  CHECK(past.status().message() == file.path() + ": bytes [" + Hex(n - 2) + ", " + Hex(n + 1) +
                                       ") run past end of file (" + Hex(n) + ")");
}

TEST_CASE("mapped file: ReadStreaming reports a file that shrank after opening") {
  TempFile file(10000);
  auto mapped = MappedFile::Open(file.path());
  REQUIRE(mapped.ok());
  REQUIRE(::truncate(file.path().c_str(), 4096) == 0);
  std::vector<uint8_t> scratch;
  auto r = (*mapped)->ReadStreaming(4000, 200, scratch);
  REQUIRE(!r.ok());
  CHECK(r.status().message() ==
        file.path() + ": 0x1000: unexpected end of file (file shrank after it was opened)");
}

TEST_CASE("mapped file: a shrink seen only by ReadStreaming does not void later writes") {
  // The shrink above was reported to its reader as an error, and no view of the mapping
  // was handed out, so nothing can have read zeros from it. It must not stay behind as
  // damage that fails every later write of the process (AtomicOutput::Commit asks
  // MappedFilesIntact), as it did for the TF bundle writer's tests run after this file.
  {
    TempFile file(10000);
    auto mapped = MappedFile::Open(file.path());
    REQUIRE(mapped.ok());
    REQUIRE(::truncate(file.path().c_str(), 4096) == 0);
    std::vector<uint8_t> scratch;
    REQUIRE_FALSE((*mapped)->ReadStreaming(4000, 200, scratch).ok());
    const Status live = MappedFilesIntact();
    CHECK_MESSAGE(live.ok(), live.message());
  }
  const Status released = MappedFilesIntact();
  CHECK_MESSAGE(released.ok(), released.message());
}

TEST_CASE("windowed bytes: every window is released, the last one on destruction") {
  const uint64_t n = 2 * kValueWindowBytes + 100;
  std::vector<uint8_t> bytes(n + 7);
  for (uint64_t i = 0; i < bytes.size(); ++i) bytes[i] = TempFile::Byte(i);
  auto source = std::make_shared<ReleaseRecorder>(std::move(bytes));
  {
    WindowedBytes w(source, 7, n);
    while (w.remaining() > 0) {
      auto v = w.Take(std::min<uint64_t>(w.remaining(), 4096));
      REQUIRE(v.ok());
    }
    CHECK(source->released_.size() == 2);  // the third window is still in use
  }
  REQUIRE(source->released_.size() == 3);
  uint64_t covered = 7;
  for (const auto& [offset, len] : source->released_) {
    CHECK(offset == covered);
    covered += len;
  }
  CHECK(covered == 7 + n);
}

TEST_CASE("windowed bytes: window buffers are reused by the next reader") {
  auto source = std::make_shared<ReleaseRecorder>(std::vector<uint8_t>(kValueWindowBytes, 1));
  for (int round = 0; round < 3; ++round) {
    WindowedBytes a(source, 0, kValueWindowBytes);
    WindowedBytes b(source, 0, kValueWindowBytes);
    REQUIRE(a.Take(kValueWindowBytes).ok());
    REQUIRE(b.Take(kValueWindowBytes).ok());
  }
  // Rounds 2 and 3 read into the two buffers of round 1.
  REQUIRE(source->scratch_buffers_.size() == 6);
  const std::vector<const uint8_t*> first(source->scratch_buffers_.begin(),
                                          source->scratch_buffers_.begin() + 2);
  for (size_t k = 2; k < 6; ++k) {
    CHECK(std::find(first.begin(), first.end(), source->scratch_buffers_[k]) != first.end());
  }
}

TEST_CASE("diff: values streamed from files compare like values in memory") {
  // Two entries over the same 3 MiB file, B one byte further on: every element differs.
  const uint64_t n = 3 * kValueWindowBytes;
  TempFile file(n + 4);
  auto mapped = MappedFile::Open(file.path());
  REQUIRE(mapped.ok());
  auto entry = [&](uint64_t offset) {
    TensorEntry e;
    e.name = "t";
    e.dtype = DType::kUInt8;
    e.shape = {static_cast<int64_t>(n)};
    e.byte_size = n;
    e.data_offset = offset;
    e.data = *mapped;
    return e;
  };
  auto same = CompareValues(entry(0), entry(0), {});
  REQUIRE(same.ok());
  CHECK(same->bytes_identical);
  auto shifted = CompareValues(entry(0), entry(4), {});
  REQUIRE(shifted.ok());
  CHECK(!shifted->bytes_identical);
  // Byte i vs byte i + 4: (7 * 4 + carry) & 0xff, never 0, so all n elements differ.
  CHECK(shifted->differing == n);
  CHECK(shifted->compared == n);
  CHECK(shifted->first_a == "0");
  CHECK(shifted->first_b == "28");
}
