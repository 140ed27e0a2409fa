// SPDX-License-Identifier: Apache-2.0
// MappedFile: a read-only, shared memory mapping of a whole file, as a ByteSource.
//
// The file is opened O_RDONLY and never written. Views returned by Read point into the
// mapping and stay valid while the MappedFile lives (hold it through a shared_ptr).
// ReadStreaming copies with pread into the caller's scratch instead: streaming a large
// file through fresh mappings (page faults, then madvise to drop the pages) measured
// 2-3x slower than reading it (bench/diff_bench.sh). The descriptor stays open for that.
// Empty files are valid and map nothing. A file that shrinks while mapped becomes an error,
// not a SIGBUS (formats/mapping_guard.h): once a read of the mapping faulted, Read and
// ReadStreaming fail naming the file.
//
// Test hook: with RESCOPE_TEST_STOP_AT_READ_OF=<path> in the environment, the first Read or
// ReadStreaming of the file opened under exactly that path stops the process (SIGSTOP)
// before the bytes are touched, so a test can change the file at a known moment and
// continue it (SIGCONT).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "core/store/byte_source.h"
#include "core/store/status.h"

namespace rescope {

class MappedFile final : public ByteSource {
 public:
  // Opens and maps `path`. Errors name the path and the errno text.
  static Result<std::shared_ptr<MappedFile>> Open(const std::string& path);
  // Maps the file open on `fd` (taking ownership of it; closed also on failure). `name` is
  // used in messages, e.g. for an unlinked temp file.
  static Result<std::shared_ptr<MappedFile>> OpenDescriptor(int fd, const std::string& name);

  ~MappedFile() override;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const std::string& name() const override { return path_; }
  uint64_t size() const override { return size_; }
  Result<ByteView> Read(uint64_t offset, uint64_t n, std::vector<uint8_t>& scratch) const override;
  // Errors: the range is outside the file, or pread fails or ends early (file truncated).
  Result<ByteView> ReadStreaming(uint64_t offset, uint64_t n,
                                 std::vector<uint8_t>& scratch) const override;
  // A view of the mapping, checked and counted for progress like ReadStreaming. A file
  // that shrinks under the view reads zeros past its new end (see the header comment):
  // results made from it are void, which MappedFilesIntact reports.
  Result<ByteView> ReadInPlace(uint64_t offset, uint64_t n,
                               std::vector<uint8_t>& scratch) const override;
  void Release(uint64_t offset, uint64_t n) const override;

  // The open descriptor of the mapped file (read-only; owned by this object, valid for its
  // lifetime), for kernel-side copies such as copy_file_range.
  int fd() const { return fd_; }
  // The whole file.
  ByteView All() const;

 private:
  MappedFile(std::string path, int fd, const uint8_t* data, uint64_t size);
  // The error of a read once the mapping faulted past the end of the shrunk file.
  Status ShrankError() const;
  void StopIfTestAsks() const;

  std::string path_;
  int fd_ = -1;
  const uint8_t* data_ = nullptr;
  uint64_t size_ = 0;
  int guard_slot_ = -1;
  bool stop_for_test_ = false;
  mutable bool stopped_for_test_ = false;
};

// True if a regular file (or a symlink to one) exists at path.
bool FileExists(const std::string& path);
// Size of a regular file, or nullopt.
std::optional<uint64_t> FileSize(const std::string& path);
bool IsDirectory(const std::string& path);

}  // namespace rescope
