// SPDX-License-Identifier: Apache-2.0
// Helpers shared by the rename/writer tests: scratch directories, whole-file reads,
// index records, tensor bytes, a rename run through the library, and running the
// `rescope` binary as a child process.
#pragma once

#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "core/rename/rename_plan.h"
#include "core/store/tensor_store.h"
#include "formats/mapped_file.h"
#include "formats/tf_bundle/object_graph.h"
#include "formats/tf_bundle/sstable_reader.h"
#include "formats/tf_bundle/string_tensor.h"
#include "formats/tf_bundle/tf_bundle_reader.h"
#include "formats/tf_bundle/tf_bundle_writer.h"

namespace rescope::rename_test {

namespace fs = std::filesystem;

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it on destruction.
class ScratchDir {
 public:
  ScratchDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base != nullptr ? base : "/tmp") + "/rescope-test-XXXXXX";
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

 private:
  std::string path_;
};

inline std::string RealDir() { return RESCOPE_TESTDATA_DIR; }
inline std::string SourceDir() { return RESCOPE_SOURCE_DIR; }
inline std::string ScopesPrefix() { return SourceDir() + "/testdata/scopes/model.ckpt"; }

inline std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Names of the regular files in `dir`, sorted.
inline std::vector<std::string> ListDir(const std::string& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

// Every key/value of a table file, in order (fails the test on a read error).
inline std::vector<std::pair<std::string, std::string>> IndexRecords(const std::string& path) {
  std::vector<std::pair<std::string, std::string>> out;
  auto file = MappedFile::Open(path);
  REQUIRE_MESSAGE(file.ok(), file.status().message());
  auto table = sstable::TableReader::Open(*file);
  REQUIRE_MESSAGE(table.ok(), table.status().message());
  const Status st = table->ForEach([&](const sstable::TableEntry& e) {
    out.emplace_back(std::string(e.key), std::string(e.value.AsStringView()));
    return Status::Ok();
  });
  REQUIRE_MESSAGE(st.ok(), st.message());
  return out;
}

inline sstable::Compression IndexCompressionOf(const std::string& path) {
  auto file = MappedFile::Open(path);
  REQUIRE(file.ok());
  auto table = sstable::TableReader::Open(*file);
  REQUIRE(table.ok());
  return table->data_compression();
}

// The stored bytes of one entry, read through its ByteSource.
inline std::string TensorBytes(const TensorEntry& e) {
  REQUIRE_MESSAGE(e.data != nullptr, e.name << ": " << e.data_error());
  std::vector<uint8_t> scratch;
  auto view = e.data->Read(e.data_offset, e.byte_size, scratch);
  REQUIRE_MESSAGE(view.ok(), view.status().message());
  return std::string(view->AsStringView());
}

inline Checkpoint OpenBundle(const std::string& prefix) {
  auto ckpt = tfbundle::OpenTfBundle(prefix);
  REQUIRE_MESSAGE(ckpt.ok(), ckpt.status().message());
  return std::move(ckpt).value();
}

// Plans `map` over `source`, requires a clean plan, applies it and writes `out_prefix`.
inline Result<tfbundle::WriteReport> RenameTo(const Checkpoint& source, const RenameMap& map,
                                              const std::string& out_prefix,
                                              const tfbundle::WriteOptions& options = {},
                                              const PlanOptions& plan_options = {}) {
  const RenamePlan plan = PlanRename(RenamableNames(source.store), map, plan_options);
  REQUIRE_MESSAGE(plan.ok(), (plan.errors.empty() ? "" : plan.errors.front()));
  return tfbundle::WriteTfBundle(source, ApplyPlan(source.store, plan), out_prefix, options);
}

inline RenameMap InlineRules(std::initializer_list<const char*> rules) {
  RenameMap map;
  for (const char* r : rules) {
    const Status st = map.AddInlineRule(r);
    REQUIRE_MESSAGE(st.ok(), st.message());
  }
  return map;
}

// Decodes the TF2 object graph stored in `ckpt` (DecodeStringTensor + ObjectGraph::Parse)
// and checks that the graph and the index agree: every checkpoint_key in the graph is an
// index key, and every index key except the graph's own is some attribute's key.
inline tfgraph::ObjectGraph CheckGraphMatchesIndex(const Checkpoint& ckpt) {
  const TensorEntry* entry = ckpt.store.Find(tfbundle::kObjectGraphKey);
  REQUIRE(entry != nullptr);
  const std::string bytes = TensorBytes(*entry);
  auto strings = DecodeStringTensor(ByteView(bytes), 1, entry->stored_crc32c, entry->Where());
  REQUIRE_MESSAGE(strings.ok(), strings.status().message());
  auto graph = tfgraph::ObjectGraph::Parse(ByteView(strings->front()), entry->Where());
  REQUIRE_MESSAGE(graph.ok(), graph.status().message());
  const std::vector<std::string> keys = graph->CheckpointKeys();
  const std::set<std::string> key_set(keys.begin(), keys.end());
  CHECK(key_set.size() == keys.size());
  for (const std::string& key : keys) {
    CHECK_MESSAGE(ckpt.store.Find(key) != nullptr, "graph key not in index: " << key);
  }
  for (const auto& [name, e] : ckpt.store) {
    if (name == tfbundle::kObjectGraphKey) continue;
    CHECK_MESSAGE(key_set.count(name) == 1, "index key not in graph: " << name);
  }
  return std::move(graph).value();
}

// Outcome of a child `rescope` run.
struct ChildResult {
  int exit_code = -1;  // -1 when killed by a signal
  int signal = 0;
  std::string stderr_text;
};

// Limits applied in the child before exec.
struct ChildLimits {
  std::optional<rlim_t> max_file_size;  // RLIMIT_FSIZE; SIGXFSZ is ignored so write() fails
};

// Starts RESCOPE_BINARY with `args`; stdout goes to /dev/null, stderr to `stderr_path`.
inline pid_t SpawnRescope(const std::vector<std::string>& args, const std::string& stderr_path,
                          const ChildLimits& limits = {}) {
  std::vector<std::string> argv_storage = {RESCOPE_BINARY};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    // Only async-signal-safe calls between fork and exec.
    const int out = ::open("/dev/null", O_WRONLY);
    const int err = ::open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out < 0 || err < 0) ::_exit(120);
    ::dup2(out, 1);
    ::dup2(err, 2);
    if (limits.max_file_size) {
      ::signal(SIGXFSZ, SIG_IGN);  // an ignored SIGXFSZ survives exec
      struct rlimit rl {};
      rl.rlim_cur = rl.rlim_max = *limits.max_file_size;
      if (::setrlimit(RLIMIT_FSIZE, &rl) != 0) ::_exit(121);
    }
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

inline ChildResult WaitRescope(pid_t pid, const std::string& stderr_path) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    REQUIRE(errno == EINTR);
  }
  ChildResult r;
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.signal = WTERMSIG(status);
  r.stderr_text = ReadWholeFile(stderr_path);
  return r;
}

inline ChildResult RunRescope(const std::vector<std::string>& args, const std::string& stderr_path,
                              const ChildLimits& limits = {}) {
  return WaitRescope(SpawnRescope(args, stderr_path, limits), stderr_path);
}

}  // namespace rescope::rename_test
