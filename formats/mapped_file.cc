// SPDX-License-Identifier: Apache-2.0
// mmap-backed ByteSource.
#include "formats/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>

#include "core/output/progress.h"
#include "formats/mapping_guard.h"

namespace rescope {

MappedFile::MappedFile(std::string path, int fd, const uint8_t* data, uint64_t size)
    : path_(std::move(path)), fd_(fd), data_(data), size_(size) {
  guard_slot_ = GuardMapping(data_, size_, fd_, path_);
  const char* stop = std::getenv("RESCOPE_TEST_STOP_AT_READ_OF");
  stop_for_test_ = stop != nullptr && path_ == stop;
}

Status MappedFile::ShrankError() const {
  return Status::IOError(path_ + ": file shrank while rescope read it (another process " +
                         "truncated or rewrote it?); rerun once the file no longer changes");
}

void MappedFile::StopIfTestAsks() const {
  if (!stop_for_test_ || stopped_for_test_) return;
  stopped_for_test_ = true;
  std::raise(SIGSTOP);
}

Result<std::shared_ptr<MappedFile>> MappedFile::Open(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError(path + ": cannot open: " + std::strerror(errno));
  return OpenDescriptor(fd, path);
}

Result<std::shared_ptr<MappedFile>> MappedFile::OpenDescriptor(int fd, const std::string& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    return Status::IOError(path + ": cannot stat: " + std::strerror(err));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return Status::InvalidArgument(path + ": not a regular file");
  }
  const auto size = static_cast<uint64_t>(st.st_size);
  const uint8_t* data = nullptr;
  if (size > 0) {
    void* p = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
      const int err = errno;
      ::close(fd);
      return Status::IOError(path + ": cannot map " + std::to_string(size) +
                             " bytes: " + std::strerror(err));
    }
    data = static_cast<const uint8_t*>(p);
  }
  return std::shared_ptr<MappedFile>(new MappedFile(path, fd, data, size));
}

MappedFile::~MappedFile() {
  ReleaseMappingGuard(guard_slot_);
  if (data_ != nullptr) ::munmap(const_cast<uint8_t*>(data_), size_);
  ::close(fd_);
}

Result<ByteView> MappedFile::Read(uint64_t offset, uint64_t n, std::vector<uint8_t>&) const {
  StopIfTestAsks();
  if (MappingFaulted(guard_slot_)) return ShrankError();
  if (!RangeFits(offset, n, size_)) {
    return Status::Corruption(path_ + ": bytes [" + Hex(offset) + ", " + Hex(offset + n) +
                              ") run past end of file (" + Hex(size_) + ")");
  }
  NoteMappingViewed(guard_slot_);
  return ByteView(data_ + offset, static_cast<size_t>(n));
}

ByteView MappedFile::All() const {
  NoteMappingViewed(guard_slot_);
  return ByteView(data_, static_cast<size_t>(size_));
}

Result<ByteView> MappedFile::ReadStreaming(uint64_t offset, uint64_t n,
                                           std::vector<uint8_t>& scratch) const {
  StopIfTestAsks();
  if (MappingFaulted(guard_slot_)) return ShrankError();
  if (!RangeFits(offset, n, size_)) return Read(offset, n, scratch);  // its range error
  scratch.resize(static_cast<size_t>(n));
  uint64_t done = 0;
  while (done < n) {
    const ssize_t got = ::pread(fd_, scratch.data() + done, static_cast<size_t>(n - done),
                                static_cast<off_t>(offset + done));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      return Status::IOError(path_ + ": " + Hex(offset + done) +
                             ": read failed: " + std::strerror(errno));
    }
    if (got == 0) {
      return Status::IOError(path_ + ": " + Hex(offset + done) +
                             ": unexpected end of file (file shrank after it was opened)");
    }
    done += static_cast<uint64_t>(got);
  }
  // Streaming reads are the long passes (copying, comparing, verifying): they drive the
  // progress line (core/output/progress.h).
  ReportProgress(n);
  return ByteView(scratch.data(), static_cast<size_t>(n));
}

Result<ByteView> MappedFile::ReadInPlace(uint64_t offset, uint64_t n,
                                         std::vector<uint8_t>& scratch) const {
  RESCOPE_ASSIGN_OR_RETURN(const ByteView view, Read(offset, n, scratch));
  ReportProgress(n);  // a streaming read, like ReadStreaming
  return view;
}

void MappedFile::Release(uint64_t offset, uint64_t n) const {
  if (data_ == nullptr || !RangeFits(offset, n, size_)) return;
  const uint64_t page = static_cast<uint64_t>(::sysconf(_SC_PAGESIZE));
  const uint64_t start = (offset + page - 1) / page * page;  // only whole pages inside range
  const uint64_t stop = (offset + n) / page * page;
  if (stop > start) {
    ::madvise(const_cast<uint8_t*>(data_) + start, stop - start, MADV_DONTNEED);
  }
}

bool FileExists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::optional<uint64_t> FileSize(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  return static_cast<uint64_t>(st.st_size);
}

bool IsDirectory(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace rescope
