// SPDX-License-Identifier: Apache-2.0
// AtomicOutput: a set of output files written under temporary names in their final
// directories, fsynced, and renamed into place only by Commit(). If Commit() is never
// reached (an error, an exception), the destructor removes every temporary file, so a
// failed run leaves no partial output. Inputs are never opened for writing here.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/store/byte_source.h"
#include "core/store/status.h"

namespace rescope {

class OutputFile {
 public:
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;
  ~OutputFile();

  Status Append(const void* data, size_t n);
  Status Append(std::string_view s) { return Append(s.data(), s.size()); }
  // Appends [offset, offset + n) of `source`: in-kernel (copy_file_range) when it is a
  // MappedFile, else in windows read with ReadStreaming and written straight from them.
  Status AppendFrom(const ByteSource& source, uint64_t offset, uint64_t n);
  // Appends a whole file using in-kernel copy (copy_file_range), falling back to read/write.
  Status AppendFileContents(const std::string& path);
  // Appends bytes [offset, offset + n) of the file at `path` the same way. Fails if the file
  // is shorter than offset + n.
  Status AppendFileRange(const std::string& path, uint64_t offset, uint64_t n);
  uint64_t size() const { return size_; }
  const std::string& final_path() const { return final_path_; }

 private:
  friend class AtomicOutput;
  OutputFile(std::string final_path, std::string temp_path, int fd)
      : final_path_(std::move(final_path)), temp_path_(std::move(temp_path)), fd_(fd) {}
  Status FlushBuffer();
  Status WriteAll(const void* data, size_t n);
  // Copies [offset, offset + n) of the open file `in` (named `in_name` in messages).
  Status CopyRange(int in, const std::string& in_name, uint64_t offset, uint64_t n);
  Status SyncAndClose();

  std::string final_path_;
  std::string temp_path_;
  int fd_ = -1;
  uint64_t size_ = 0;
  std::vector<char> buffer_;
};

class AtomicOutput {
 public:
  AtomicOutput() = default;
  AtomicOutput(const AtomicOutput&) = delete;
  AtomicOutput& operator=(const AtomicOutput&) = delete;
  ~AtomicOutput();  // removes temporaries unless committed

  // Creates `<final_path>.rescope-tmp-<random>` in the final directory (which must exist).
  Result<OutputFile*> Create(const std::string& final_path);
  // Hard-links `existing` under a temporary name for `final_path` (same filesystem only).
  Status Link(const std::string& existing, const std::string& final_path);
  // fsyncs every file, renames them into place in creation order (callers create the
  // file that makes the output visible, e.g. a TF index, last), then fsyncs directories.
  // Files that already exist are replaced through a write journal (write_journal.h): after
  // a crash the target is the old set or the new one, never a mix.
  Status Commit();

 private:
  std::vector<std::unique_ptr<OutputFile>> files_;
  std::vector<std::string> order_;  // temp paths in commit order
  std::vector<std::string> finals_;
  bool committed_ = false;
};

// Temporary path next to final_path, unique per call: `<final>.rescope-tmp-<pid>-<id>`.
std::string TempPathFor(const std::string& final_path);

// Once per directory and process: replays journals and removes temporaries that killed
// rescope runs left in the directory of `final_path` (write_journal.h), with a warning
// naming each. Writers call it before creating files there.
void PrepareOutputDirectory(const std::string& final_path);

}  // namespace rescope
