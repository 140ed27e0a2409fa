// SPDX-License-Identifier: Apache-2.0
// Temporary-file-and-rename output.
#include "formats/atomic_output.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>
#include <set>

#include "core/output/progress.h"
#include "formats/interrupt_cleanup.h"
#include "formats/mapped_file.h"
#include "formats/mapping_guard.h"
#include "formats/write_journal.h"

namespace rescope {
namespace {

constexpr size_t kBufferSize = 1 << 20;

Status Errno(const std::string& what, const std::string& path) {
  return Status::IOError(path + ": " + what + ": " + std::strerror(errno));
}

std::string DirOf(const std::string& path) {
  const std::filesystem::path p(path);
  return p.has_parent_path() ? p.parent_path().string() : ".";
}

}  // namespace

std::string TempPathFor(const std::string& final_path) {
  // The process id in the name lets a later run tell a killed run's leftovers from the
  // files of a run still in progress (RecoverInterruptedWrites).
  std::string temp = final_path + ".rescope-tmp-" + NewWriteTag();
  RemoveOnInterrupt(temp);
  MaybeSignalForTest();
  return temp;
}

void PrepareOutputDirectory(const std::string& final_path) {
  static std::set<std::string> done;
  const std::string dir = DirOf(final_path);
  if (!done.insert(dir).second) return;
  RecoveryReport report;
  const Status st = RecoverInterruptedWrites(dir, &report);
  for (const std::string& note : report.notes) spdlog::warn("{}", note);
  if (!st.ok()) spdlog::warn("{}", st.message());
}

OutputFile::~OutputFile() {
  if (fd_ >= 0) ::close(fd_);
}

Status OutputFile::WriteAll(const void* data, size_t n) {
  const char* p = static_cast<const char*>(data);
  size_t done = 0;
  while (done < n) {
    const ssize_t w = ::write(fd_, p + done, n - done);
    if (w < 0) {
      if (errno == EINTR) continue;
      return Errno("write failed", final_path_);
    }
    done += static_cast<size_t>(w);
  }
  return Status::Ok();
}

Status OutputFile::FlushBuffer() {
  RESCOPE_RETURN_IF_ERROR(WriteAll(buffer_.data(), buffer_.size()));
  buffer_.clear();
  return Status::Ok();
}

Status OutputFile::Append(const void* data, size_t n) {
  const char* p = static_cast<const char*>(data);
  if (buffer_.size() + n > kBufferSize) RESCOPE_RETURN_IF_ERROR(FlushBuffer());
  if (n >= kBufferSize) {
    RESCOPE_RETURN_IF_ERROR(WriteAll(p, n));  // large blocks skip the buffer (no extra copy)
  } else {
    buffer_.insert(buffer_.end(), p, p + n);
  }
  size_ += n;
  return Status::Ok();
}

Status OutputFile::AppendFrom(const ByteSource& source, uint64_t offset, uint64_t n) {
  if (const auto* mapped = dynamic_cast<const MappedFile*>(&source)) {
    if (!RangeFits(offset, n, mapped->size())) {
      std::vector<uint8_t> unused;
      return mapped->Read(offset, n, unused).status();  // the reader's own range error
    }
    // Reopened by name (cheap next to the copy) rather than sharing the mapping's descriptor.
    return AppendFileRange(mapped->name(), offset, n);
  }
  std::vector<uint8_t> scratch;
  uint64_t done = 0;
  while (done < n) {
    const uint64_t chunk = std::min<uint64_t>(n - done, 8 << 20);
    auto view = source.ReadStreaming(offset + done, chunk, scratch);
    if (!view.ok()) return view.status();
    RESCOPE_RETURN_IF_ERROR(Append(view->data, view->size));
    source.Release(offset + done, chunk);
    done += chunk;
  }
  return Status::Ok();
}

Status OutputFile::AppendFileContents(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return Errno("cannot stat", path);
  return AppendFileRange(path, 0, static_cast<uint64_t>(st.st_size));
}

Status OutputFile::AppendFileRange(const std::string& path, uint64_t offset, uint64_t n) {
  const int in = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return Errno("cannot open", path);
  Status st = CopyRange(in, path, offset, n);
  ::close(in);
  return st;
}

Status OutputFile::CopyRange(int in, const std::string& in_name, uint64_t offset, uint64_t n) {
  RESCOPE_RETURN_IF_ERROR(FlushBuffer());
  uint64_t left = n;
  auto pos = static_cast<off_t>(offset);
  bool use_copy_range = true;
  std::vector<char> buf;
  while (left > 0) {
    ssize_t got = -1;
    if (use_copy_range) {
      // 64 MiB per call: few enough calls to cost nothing, often enough for the progress line.
      got = ::copy_file_range(in, &pos, fd_, nullptr, std::min<uint64_t>(left, 64ULL << 20), 0);
      if (got < 0 &&
          (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP)) {
        use_copy_range = false;
        continue;
      }
    } else {
      buf.resize(8 << 20);
      got = ::pread(in, buf.data(), std::min<uint64_t>(left, buf.size()), pos);
      if (got > 0) {
        pos += got;
        RESCOPE_RETURN_IF_ERROR(WriteAll(buf.data(), static_cast<size_t>(got)));
      }
    }
    if (got < 0) {
      if (errno == EINTR) continue;
      // Name the output: EFBIG, ENOSPC and EIO are about the file being written.
      return Errno("copy from " + in_name + " failed", final_path_);
    }
    if (got == 0) break;  // file shorter than expected (or shrank under us)
    left -= static_cast<uint64_t>(got);
    size_ += static_cast<uint64_t>(got);
    ReportProgress(static_cast<uint64_t>(got));
  }
  if (left != 0) {
    return Status::IOError(in_name + ": file ended " + std::to_string(left) +
                           " bytes before the end of the range being copied");
  }
  return Status::Ok();
}

Status OutputFile::SyncAndClose() {
  RESCOPE_RETURN_IF_ERROR(FlushBuffer());
  if (::fsync(fd_) != 0) return Errno("fsync failed", final_path_);
  if (::close(fd_) != 0) {
    fd_ = -1;
    return Errno("close failed", final_path_);
  }
  fd_ = -1;
  return Status::Ok();
}

AtomicOutput::~AtomicOutput() {
  if (committed_) return;
  for (const std::string& temp : order_) ::unlink(temp.c_str());
}

Result<OutputFile*> AtomicOutput::Create(const std::string& final_path) {
  PrepareOutputDirectory(final_path);
  const std::string temp = TempPathFor(final_path);
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("cannot create", temp);
  files_.push_back(std::unique_ptr<OutputFile>(new OutputFile(final_path, temp, fd)));
  order_.push_back(temp);
  finals_.push_back(final_path);
  return files_.back().get();
}

Status AtomicOutput::Link(const std::string& existing, const std::string& final_path) {
  PrepareOutputDirectory(final_path);
  const std::string temp = TempPathFor(final_path);
  if (::link(existing.c_str(), temp.c_str()) != 0)
    return Errno("cannot hard-link " + existing, temp);
  order_.push_back(temp);
  finals_.push_back(final_path);
  return Status::Ok();
}

Status AtomicOutput::Commit() {
  // An input that shrank while it was read served zeros past its new end: never publish
  // an output built from them.
  RESCOPE_RETURN_IF_ERROR(MappedFilesIntact());
  for (auto& f : files_) {
    if (f->fd_ >= 0) RESCOPE_RETURN_IF_ERROR(f->SyncAndClose());
  }
  std::vector<FileSwap> swaps;
  for (size_t i = 0; i < order_.size(); ++i) swaps.push_back({finals_[i], order_[i]});
  // Several files go through the write journal, so that a crash between two renames never
  // leaves new files beside old ones (or half of a fresh set); one file is one rename.
  RESCOPE_RETURN_IF_ERROR(ReplaceFiles(swaps, NewWriteTag()));
  committed_ = true;
  return Status::Ok();
}

}  // namespace rescope
