// SPDX-License-Identifier: Apache-2.0
// Parallel, streaming SHA-256 of a checkpoint's tensors and files.
#include "formats/tensor_hash.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <optional>
#include <thread>

#include "formats/mapped_file.h"
#include "formats/sha256.h"
#include "formats/tf_bundle/crc32c.h"
#include "formats/tf_bundle/tensor_checksum.h"

namespace rescope {
namespace {

// Each worker holds one window of this size: memory is bounded by jobs * kWindow.
constexpr uint64_t kWindow = 4 << 20;

struct Job {
  const TensorEntry* entry = nullptr;    // a tensor, or
  const CheckpointFile* file = nullptr;  // a whole file
  std::string key;
  uint64_t size = 0;
};

struct JobResult {
  std::string sha256;
  uint64_t size = 0;
  std::string error;
  std::string ignored;  // a checksum failure let through
};

// Directory part shared by all files, so manifest paths survive moving the checkpoint.
std::string CommonDirectory(const std::vector<CheckpointFile>& files) {
  if (files.empty()) return "";
  std::string common = files.front().path;
  const size_t slash = common.rfind('/');
  common = slash == std::string::npos ? "" : common.substr(0, slash + 1);
  for (const CheckpointFile& f : files) {
    while (!common.empty() && f.path.compare(0, common.size(), common) != 0) {
      const size_t cut = common.rfind('/', common.size() - 2);
      common = cut == std::string::npos ? "" : common.substr(0, cut + 1);
    }
  }
  return common;
}

// Plain CRC32C (numeric dtypes) can be computed in the hashing pass; strings and variants
// have their own schemes (FORMATS.md §1.9.2-3) and are checked by a separate read.
bool PlainCrc(DType dtype) { return dtype != DType::kString && dtype != DType::kVariant; }

std::string CrcMismatch(uint32_t stored, uint32_t computed) {
  char buf[96];
  std::snprintf(buf, sizeof(buf), "checksum mismatch (stored 0x%08x, computed 0x%08x)", stored,
                computed);
  return buf;
}

// Sources other than a mapped file (HDF5 dataset reads, decoders, strided views) may
// keep state or call libraries that are not thread-safe: their reads take this lock.
std::mutex& SerialReads() {
  static std::mutex m;
  return m;
}

JobResult HashTensor(const TensorEntry& e, bool ignore_checksums, Sha256& sha,
                     std::vector<uint8_t>& scratch) {
  JobResult r;
  r.size = e.byte_size;
  if (!e.data) {
    r.error = e.data_error().empty() ? "no data" : e.data_error();
    return r;
  }
  const bool thread_safe = dynamic_cast<const MappedFile*>(e.data.get()) != nullptr;
  std::optional<uint32_t> crc;
  std::string crc_problem;
  if (e.stored_crc32c && !PlainCrc(e.dtype)) {
    std::unique_lock<std::mutex> lock(SerialReads(), std::defer_lock);
    if (!thread_safe) lock.lock();
    auto computed = tfbundle::ComputeTensorChecksum(e);
    if (!computed.ok()) {
      r.error = computed.status().message();
      return r;
    }
    if (*computed != *e.stored_crc32c) crc_problem = CrcMismatch(*e.stored_crc32c, *computed);
  } else if (e.stored_crc32c) {
    crc = 0;
  }
  for (uint64_t done = 0; done < e.byte_size;) {
    const uint64_t n = std::min(kWindow, e.byte_size - done);
    std::unique_lock<std::mutex> lock(SerialReads(), std::defer_lock);
    if (!thread_safe) lock.lock();
    auto view = e.data->ReadStreaming(e.data_offset + done, n, scratch);
    if (!view.ok()) {
      r.error = view.status().message();
      return r;
    }
    if (view->size != n) {
      r.error = e.Where() + ": short read";
      return r;
    }
    sha.Update(view->data, view->size);
    if (crc) crc = crc32c::Extend(*crc, view->data, view->size);
    e.data->Release(e.data_offset + done, n);
    done += n;
  }
  if (crc && *crc != *e.stored_crc32c) crc_problem = CrcMismatch(*e.stored_crc32c, *crc);
  r.sha256 = sha.HexDigest();
  if (!crc_problem.empty()) {
    const std::string problem = e.Where() + ": " + crc_problem;
    if (ignore_checksums) {
      r.ignored = problem;
    } else {
      r.error = problem + " (--ignore-checksums records the digest of the damaged bytes)";
    }
  }
  return r;
}

JobResult HashFile(const CheckpointFile& f, Sha256& sha, std::vector<uint8_t>& scratch) {
  JobResult r;
  const int fd = ::open(f.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    r.error = f.path + ": cannot open: " + std::strerror(errno);
    return r;
  }
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  scratch.resize(kWindow);
  for (;;) {
    const ssize_t n = ::read(fd, scratch.data(), scratch.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      r.error =
          f.path + ": read failed at byte " + std::to_string(r.size) + ": " + std::strerror(errno);
      break;
    }
    if (n == 0) break;
    sha.Update(scratch.data(), static_cast<size_t>(n));
    r.size += static_cast<uint64_t>(n);
  }
  ::close(fd);
  if (r.error.empty()) r.sha256 = sha.HexDigest();
  return r;
}

}  // namespace

std::string ManifestTensorKey(const TensorEntry& entry) {
  if (entry.kind == EntryKind::kSlice) {
    return entry.partitioned_name() + "[slice " + SliceToString(entry.slice()) + "]";
  }
  return entry.name;
}

HashResult HashCheckpoint(const Checkpoint& ckpt, const HashOptions& options) {
  HashResult result;
  result.manifest.checkpoint = ckpt.path;
  result.manifest.format = ckpt.format;
  std::vector<Job> jobs;
  for (const auto& [name, e] : ckpt.store) {
    if (e.kind == EntryKind::kPartitioned) continue;  // its bytes are its slices'
    jobs.push_back({&e, nullptr, ManifestTensorKey(e), e.byte_size});
  }
  const std::string common = CommonDirectory(ckpt.files);
  for (const CheckpointFile& f : ckpt.files) {
    if (!f.present) {
      result.failures.push_back({f.path, f.role + " missing"});
      continue;
    }
    jobs.push_back({nullptr, &f, f.path.substr(common.size()), f.size});
  }
  // Largest first, so a big job does not start last and leave the other workers idle.
  std::vector<size_t> order(jobs.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return jobs[a].size > jobs[b].size; });
  std::vector<JobResult> results(jobs.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    Sha256 sha;
    std::vector<uint8_t> scratch;
    for (size_t i; (i = next.fetch_add(1)) < order.size();) {
      const Job& job = jobs[order[i]];
      results[order[i]] = job.entry != nullptr
                              ? HashTensor(*job.entry, options.ignore_checksums, sha, scratch)
                              : HashFile(*job.file, sha, scratch);
      if (!results[order[i]].error.empty()) sha.HexDigest();  // reset a half-fed digest
    }
  };
  unsigned workers = options.jobs != 0 ? options.jobs : std::thread::hardware_concurrency();
  workers = std::max(1u, std::min<unsigned>(workers, static_cast<unsigned>(jobs.size())));
  std::vector<std::thread> threads;
  for (unsigned t = 1; t < workers; ++t) threads.emplace_back(work);
  work();
  for (std::thread& t : threads) t.join();
  for (size_t i = 0; i < jobs.size(); ++i) {
    const Job& job = jobs[i];
    JobResult& r = results[i];
    if (!r.ignored.empty()) result.ignored.push_back({job.key, r.ignored});
    if (!r.error.empty()) {
      result.failures.push_back({job.key, r.error});
    } else if (job.entry != nullptr) {
      result.manifest.tensors[job.key] = {r.sha256, DTypeName(job.entry->dtype), job.entry->shape};
    } else {
      result.manifest.files[job.key] = {r.sha256, r.size};
    }
  }
  return result;
}

}  // namespace rescope
