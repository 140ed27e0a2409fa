// SPDX-License-Identifier: Apache-2.0
// Benchmark of what `rescope ls` does: OpenCheckpoint + one pass over the TensorStore, on a
// generated TF bundle with 100,000 entries, once with a ~100 MiB data shard and once with a
// 2 GiB one (both sparse files: only the index is real data). Listing reads the index
// alone, so the two times should match. See bench/README.md.
//
// Usage: ls_bench [--entries N] [--runs R] [--dir DIR]
//   --dir DIR  write the bundles to DIR/small/bench and DIR/large/bench and keep them
//              (default: a temp dir, removed at the end)
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "formats/registry.h"
#include "formats/tf_bundle/bundle_entry.h"
#include "formats/tf_bundle/crc32c.h"
#include "formats/tf_bundle/sstable_builder.h"

namespace fs = std::filesystem;
using namespace rescope;

namespace {

struct Variant {
  const char* label;
  std::vector<int64_t> shape;  // of every tensor (float32)
  uint64_t data_file_size;     // 0: exactly the tensors
};

uint64_t Elements(const std::vector<int64_t>& shape) {
  uint64_t n = 1;
  for (int64_t d : shape) n *= static_cast<uint64_t>(d);
  return n;
}

std::string Mib(uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f MiB", static_cast<double>(bytes) / (1 << 20));
  return buf;
}

// Writes PREFIX.index (real) and PREFIX.data-00000-of-00001 (sparse, all zeros) with
// `entries` float32 tensors "model/block_<i/100>/layer_<i%100>/kernel" of `shape`.
bool Generate(const std::string& prefix, int entries, const Variant& v) {
  const uint64_t tensor_bytes = Elements(v.shape) * 4;
  // Every tensor is zeros, so they share one checksum.
  const std::vector<uint8_t> zeros(tensor_bytes, 0);
  const uint32_t masked = crc32c::Mask(crc32c::Value(zeros.data(), zeros.size()));
  tfbundle::BundleHeader header;
  header.num_shards = 1;
  header.version = tfbundle::VersionDef{1, 0, {}};
  sstable::TableBuilder table;
  if (!table.Add("", tfbundle::EncodeBundleHeader(header)).ok()) return false;
  char name[64];
  for (int i = 0; i < entries; ++i) {
    std::snprintf(name, sizeof(name), "model/block_%05d/layer_%02d/kernel", i / 100, i % 100);
    tfbundle::BundleEntry e;
    e.dtype = 1;
    e.shape = v.shape;
    e.offset = static_cast<int64_t>(static_cast<uint64_t>(i) * tensor_bytes);
    e.size = static_cast<int64_t>(tensor_bytes);
    e.masked_crc32c = masked;
    if (!table.Add(name, tfbundle::EncodeBundleEntry(e)).ok()) return false;
  }
  const std::string index = table.Finish();
  std::ofstream out(prefix + ".index", std::ios::binary | std::ios::trunc);
  out.write(index.data(), static_cast<std::streamsize>(index.size()));
  if (!out.good()) return false;
  const uint64_t data_size =
      std::max<uint64_t>(v.data_file_size, static_cast<uint64_t>(entries) * tensor_bytes);
  const int fd = ::open((prefix + ".data-00000-of-00001").c_str(),
                        O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  const bool ok = ::ftruncate(fd, static_cast<off_t>(data_size)) == 0;
  ::close(fd);
  return ok;
}

// Opens the bundle and walks every entry like `ls` does; returns false on any mismatch.
bool OpenAndList(const std::string& prefix, int entries, uint64_t tensor_bytes) {
  auto ckpt = OpenCheckpoint(prefix);
  if (!ckpt.ok()) {
    std::fprintf(stderr, "ls_bench: %s\n", ckpt.status().message().c_str());
    return false;
  }
  uint64_t bytes = 0, parameters = 0, names = 0;
  for (const auto& [name, e] : ckpt->store) {
    bytes += e.byte_size;
    parameters += e.NumElements().value_or(0);
    names += name.size();
  }
  return ckpt->store.size() == static_cast<size_t>(entries) &&
         bytes == static_cast<uint64_t>(entries) * tensor_bytes && parameters * 4 == bytes &&
         names > 0;
}

size_t PeakRssKiB() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return static_cast<size_t>(usage.ru_maxrss);
}

// Runs fn in a child process so its peak RSS is its own; returns the child's exit code.
int Isolated(const std::function<int()>& fn) {
  std::fflush(stdout);
  const pid_t pid = ::fork();
  if (pid < 0) return 1;
  if (pid == 0) {
    const int code = fn();
    std::fflush(stdout);
    ::_exit(code);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

int Measure(const std::string& prefix, int entries, const Variant& v, int runs) {
  const uint64_t tensor_bytes = Elements(v.shape) * 4;
  const size_t baseline = PeakRssKiB();
  double best_ms = 1e300;
  for (int r = 0; r < runs; ++r) {
    const auto start = std::chrono::steady_clock::now();
    if (!OpenAndList(prefix, entries, tensor_bytes)) return 1;
    const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - start;
    best_ms = std::min(best_ms, took.count());
  }
  std::printf(
      "  open + list: best %.1f ms of %d (%.2f us/entry); peak RSS %.1f MiB "
      "(%.1f MiB before opening)\n",
      best_ms, runs, best_ms * 1000 / entries, PeakRssKiB() / 1024.0, baseline / 1024.0);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  int entries = 100000;
  int runs = 5;
  std::string keep_dir;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--entries" && i + 1 < argc) {
      entries = std::atoi(argv[++i]);
    } else if (arg == "--runs" && i + 1 < argc) {
      runs = std::atoi(argv[++i]);
    } else if (arg == "--dir" && i + 1 < argc) {
      keep_dir = argv[++i];
    } else {
      std::fprintf(stderr, "usage: ls_bench [--entries N] [--runs R] [--dir DIR]\n");
      return 2;
    }
  }
  if (entries <= 0 || runs <= 0) return 2;
  const fs::path root = keep_dir.empty() ? fs::temp_directory_path() /
                                               ("rescope_ls_bench_" + std::to_string(::getpid()))
                                         : fs::path(keep_dir);
  // [16,16] float32 = 1 KiB per tensor; [4,1342] = 21,472 B, 2 GiB in all for 100,000.
  const std::vector<Variant> variants = {{"small", {16, 16}, 0},
                                         {"large", {4, 1342}, uint64_t{2} << 30}};
  int status = 0;
  for (const Variant& v : variants) {
    const fs::path dir = root / v.label;
    fs::create_directories(dir);
    const std::string prefix = (dir / "bench").string();
    if (Isolated([&] { return Generate(prefix, entries, v) ? 0 : 1; }) != 0) {
      std::fprintf(stderr, "ls_bench: cannot write %s\n", prefix.c_str());
      return 1;
    }
    std::printf("%s: %d entries, index %s, data shard %s (sparse)\n", prefix.c_str(), entries,
                Mib(fs::file_size(prefix + ".index")).c_str(),
                Mib(fs::file_size(prefix + ".data-00000-of-00001")).c_str());
    status |= Isolated([&] { return Measure(prefix, entries, v, runs); });
  }
  if (keep_dir.empty()) fs::remove_all(root);
  return status;
}
