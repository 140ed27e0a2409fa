// SPDX-License-Identifier: Apache-2.0
// Failure behaviour of `rescope rename` as a process: killed at random points (SIGKILL)
// or stopped by a file-size limit (RLIMIT_FSIZE, write fails with EFBIG), a run must leave
// no partial output under the final names and must not touch its input.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "formats/tf_bundle/checkpoint_path.h"
#include "formats/tf_bundle/crc32c.h"
#include "formats/verify.h"
#include "formats/write_journal.h"
#include "rename_test_util.h"

using namespace rescope;
using namespace rescope::rename_test;

namespace {

constexpr uint64_t kTensors = 300;
constexpr uint64_t kTensorBytes = 700 * 1024;  // 300 x 700 KiB = 205 MiB

// Deterministic pseudo-random bytes, generated on demand (the test never holds 200 MB).
class PatternSource final : public ByteSource {
 public:
  PatternSource(std::string name, uint64_t size, uint64_t seed)
      : name_(std::move(name)), size_(size), seed_(seed) {}
  const std::string& name() const override { return name_; }
  uint64_t size() const override { return size_; }
  Result<ByteView> Read(uint64_t offset, uint64_t n, std::vector<uint8_t>& scratch) const override {
    if (!RangeFits(offset, n, size_)) return Status::Corruption(name_ + ": read past end");
    scratch.resize(n);
    for (uint64_t i = 0; i < n; ++i) {
      uint64_t x = (offset + i) / 8 * 0x9e3779b97f4a7c15ULL + seed_;
      x ^= x >> 29;
      x *= 0xbf58476d1ce4e5b9ULL;
      x ^= x >> 32;
      scratch[i] = static_cast<uint8_t>(x >> (8 * ((offset + i) % 8)));
    }
    return ByteView(scratch.data(), n);
  }

 private:
  std::string name_;
  uint64_t size_;
  uint64_t seed_;
};

// "block_007/dense/kernel" style names, float32 [175, 1024].
std::string TensorName(uint64_t i) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "block_%03llu/dense/kernel", static_cast<unsigned long long>(i));
  return buf;
}

// A ~200 MB bundle written once per test process by rescope's writer.
const std::string& BigPrefix() {
  static std::unique_ptr<ScratchDir> dir;
  static std::string prefix;
  if (dir) return prefix;
  dir = std::make_unique<ScratchDir>();
  Checkpoint c;
  c.format = "generated";
  for (uint64_t i = 0; i < kTensors; ++i) {
    TensorEntry e;
    e.name = TensorName(i);
    e.dtype = DType::kFloat32;
    e.shape = {static_cast<int64_t>(kTensorBytes / 4 / 1024), 1024};
    e.byte_size = kTensorBytes;
    e.data = std::make_shared<PatternSource>(e.name, kTensorBytes, i);
    REQUIRE(c.store.Add(std::move(e)).ok());
  }
  prefix = *dir / "big.ckpt";
  const char* const rename = R"json({"regex": "(block_[0-9]+)/dense/(.*)", "to": "$1/ffn/$2"})json";
  std::ofstream(*dir / "dense_to_ffn.json") << "{\"rules\": [" << rename << "]}";
  std::ofstream(*dir / "drop0_dense_to_ffn.json")
      << "{\"rules\": [{\"glob\": \"block_000/*\", \"drop\": true}, " << rename << "]}";
  auto r = tfbundle::WriteTfBundle(c, c.store, prefix, {});
  REQUIRE_MESSAGE(r.ok(), r.status().message());
  return prefix;
}

// CRC32C of each file of the bundle, by path.
std::map<std::string, uint32_t> Checksums(const std::string& prefix) {
  std::map<std::string, uint32_t> out;
  for (const std::string& path : {prefix + ".index", prefix + ".data-00000-of-00001"}) {
    auto file = MappedFile::Open(path);
    REQUIRE_MESSAGE(file.ok(), file.status().message());
    const ByteView all = (*file)->All();
    out[path] = crc32c::Value(all.data, all.size);
  }
  return out;
}

struct Outcome {
  bool complete = false;  // index present, opens and verifies
  bool data_without_index = false;
  std::vector<std::string> temps;  // leftover *.rescope-tmp-* files
};

// Inspects `dir` after a run that wrote prefix `dir/out`. Every file must be a final name
// of the output or a temporary; final names may exist only as a complete, verifiable
// checkpoint holding `expected_names`.
Outcome Inspect(const std::string& dir, const std::vector<std::string>& expected_names) {
  Outcome o;
  // What the next rescope run into `dir` does first (and what readers insist on): replay
  // the write journal of a killed run, which rolls a half-switched output back.
  RecoveryReport recovery;
  const Status recovered = RecoverInterruptedWrites(dir, &recovery);
  CHECK_MESSAGE(recovered.ok(), recovered.message());
  bool index = false, data = false;
  for (const std::string& f : ListDir(dir)) {
    if (f.find(".rescope-tmp-") != std::string::npos) {
      o.temps.push_back(f);
    } else if (f == "out.index") {
      index = true;
    } else if (f == "out.data-00000-of-00001") {
      data = true;
    } else {
      FAIL_CHECK("unexpected file " << f);
    }
  }
  o.data_without_index = data && !index;
  CHECK_MESSAGE(!o.data_without_index,
                "a final-named data shard exists without its index (killed between renames)");
  if (index) {
    CHECK(data);
    const Checkpoint ckpt = OpenBundle(dir + "/out");
    std::vector<std::string> names;
    for (const auto& [name, e] : ckpt.store) names.push_back(name);
    CHECK(names == expected_names);
    const VerifyReport report = VerifyCheckpoint(ckpt);
    CHECK(report.failures.empty());
    o.complete = report.failures.empty();
  }
  return o;
}

struct Mode {
  const char* label;
  std::vector<std::string> extra_args;
  bool drop_first = false;  // use the map that also drops block_000
};

std::vector<std::string> RenamedNames(bool dropped_first) {
  std::vector<std::string> names;
  for (uint64_t i = dropped_first ? 1 : 0; i < kTensors; ++i) {
    std::string n = TensorName(i);
    names.push_back(n.replace(n.find("/dense/"), 7, "/ffn/"));
  }
  std::sort(names.begin(), names.end());
  return names;
}

// `rescope rename BIG -o OUT --map <regex dense -> ffn> <mode args>`.
std::vector<std::string> RenameArgs(const std::string& out, const Mode& mode) {
  const std::string map = fs::path(BigPrefix()).parent_path().string() +
                          (mode.drop_first ? "/drop0_dense_to_ffn.json" : "/dense_to_ffn.json");
  std::vector<std::string> args = {"rename", BigPrefix(), "-o", out, "--map", map};
  args.insert(args.end(), mode.extra_args.begin(), mode.extra_args.end());
  return args;
}

}  // namespace

TEST_CASE("rename failure: SIGKILL at random points leaves no partial output") {
  ScratchDir tmp;
  const std::string prefix = BigPrefix();
  const auto before = Checksums(prefix);
  std::mt19937_64 rng(std::random_device{}());
  size_t complete = 0, interrupted = 0;
  for (const Mode& mode : {Mode{"copy", {}}, Mode{"compact", {"--compact"}, true}}) {
    const std::string label = mode.label;
    CAPTURE(label);
    const bool drops = mode.drop_first;
    // One undisturbed run gives the time span to kill in.
    const std::string full_dir = tmp / (std::string(mode.label) + "-full");
    fs::create_directories(full_dir);
    const auto start = std::chrono::steady_clock::now();
    const ChildResult full = RunRescope(RenameArgs(full_dir + "/out", mode), tmp / "err");
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    REQUIRE_MESSAGE(full.exit_code == 0, full.stderr_text);
    const Outcome ok = Inspect(full_dir, RenamedNames(drops));
    CHECK(ok.complete);
    CHECK(ok.temps.empty());
    MESSAGE(label << ": undisturbed run took " << seconds << " s");
    fs::remove_all(full_dir);

    // Half the kills anywhere, half in the last fifth, where the files are committed.
    std::uniform_real_distribution<double> anywhere(0.0, seconds * 1.1);
    std::uniform_real_distribution<double> late(seconds * 0.8, seconds * 1.05);
    for (int run = 0; run < 8; ++run) {
      const std::string dir = tmp / (std::string(mode.label) + std::to_string(run));
      fs::create_directories(dir);
      const double wait = run % 2 == 0 ? anywhere(rng) : late(rng);
      CAPTURE(wait);
      const pid_t pid = SpawnRescope(RenameArgs(dir + "/out", mode), tmp / "err");
      std::this_thread::sleep_for(std::chrono::duration<double>(wait));
      ::kill(pid, SIGKILL);
      const ChildResult r = WaitRescope(pid, tmp / "err");
      const Outcome o = Inspect(dir, RenamedNames(drops));
      if (r.signal == SIGKILL) {
        ++interrupted;
      } else {
        CHECK(r.exit_code == 0);  // finished before the kill
        CHECK(o.complete);
      }
      if (o.complete) ++complete;
      fs::remove_all(dir);  // temporaries left by SIGKILL included
    }
  }
  MESSAGE(interrupted << " runs killed, " << complete << " of 16 left a complete checkpoint");
  CHECK(interrupted > 0);
  CHECK(Checksums(prefix) == before);
}

TEST_CASE("rename failure: SIGKILL during --in-place leaves the old or the new checkpoint") {
  ScratchDir tmp;
  fs::create_directories(tmp / "in");
  const std::string in = tmp / "in/big.ckpt";
  fs::copy_file(BigPrefix() + ".index", in + ".index");
  fs::copy_file(BigPrefix() + ".data-00000-of-00001", in + ".data-00000-of-00001");
  std::vector<std::string> old_names;
  for (uint64_t i = 0; i < kTensors; ++i) old_names.push_back(TensorName(i));
  const std::vector<std::string> args = {"rename",          in, "-o", in, "--in-place", "--rule",
                                         "block_000/=head/"};
  // One undisturbed run for the time span, then back to the old index.
  const auto start = std::chrono::steady_clock::now();
  REQUIRE(RunRescope(args, tmp / "err").exit_code == 0);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(OpenBundle(in).store.Find("head/dense/kernel") != nullptr);
  fs::copy_file(BigPrefix() + ".index", in + ".index", fs::copy_options::overwrite_existing);
  std::mt19937_64 rng(std::random_device{}());
  std::uniform_real_distribution<double> delay(0.0, seconds * 1.1);
  for (int run = 0; run < 6; ++run) {
    const pid_t pid = SpawnRescope(args, tmp / "err");
    std::this_thread::sleep_for(std::chrono::duration<double>(delay(rng)));
    ::kill(pid, SIGKILL);
    WaitRescope(pid, tmp / "err");
    // Replay the write journal as the next rescope run into the directory would: it rolls
    // a half-switched replacement back (or forward) and removes the dead run's temporaries.
    RecoveryReport recovery;
    const Status recovered = RecoverInterruptedWrites(tmp / "in", &recovery);
    CHECK_MESSAGE(recovered.ok(), recovered.message());
    CHECK(ListDir(tmp / "in") ==
          std::vector<std::string>{"big.ckpt.data-00000-of-00001", "big.ckpt.index"});
    const Checkpoint ckpt = OpenBundle(in);
    CHECK(VerifyCheckpoint(ckpt).failures.empty());
    std::vector<std::string> names;
    for (const auto& [name, e] : ckpt.store) names.push_back(name);
    if (names != old_names) {  // the rename completed: start again from the old names
      CHECK(ckpt.store.Find("head/dense/kernel") != nullptr);
      CHECK(ckpt.store.Find("block_000/dense/kernel") == nullptr);
      CHECK(names.size() == kTensors);
      fs::copy_file(BigPrefix() + ".index", in + ".index", fs::copy_options::overwrite_existing);
    }
  }
}

TEST_CASE("rename failure: a file-size limit (EFBIG) leaves nothing and the input intact") {
  ScratchDir tmp;
  const std::string prefix = BigPrefix();
  const auto before = Checksums(prefix);
  ChildLimits limits;
  limits.max_file_size = 50ULL << 20;  // the 205 MiB data shard cannot be written
  for (const Mode& mode : {Mode{"copy", {}}, Mode{"compact", {"--compact"}},
                           Mode{"dir", {"--index-compression", "snappy"}}}) {
    const std::string label = mode.label;
    CAPTURE(label);
    const std::string dir = tmp / mode.label;
    fs::create_directories(dir);
    const std::string out = std::string(mode.label) == "dir" ? dir + "/" : dir + "/out";
    const ChildResult r = RunRescope(RenameArgs(out, mode), tmp / "err", limits);
    CHECK(r.signal == 0);
    CHECK(r.exit_code == 2);
    CHECK_MESSAGE(r.stderr_text.find("File too large") != std::string::npos, r.stderr_text);
    // The message names the file being written, not the input it was copied from.
    const std::string shard = (label == "dir" ? dir + "/big.ckpt" : out) + ".data-00000-of-00001";
    CHECK(r.stderr_text.find("rescope: error: writing " + out + ": " + shard + ": ") !=
          std::string::npos);
    CHECK(ListDir(dir).empty());  // no final names, no temporaries, no `checkpoint` file
  }
  CHECK(Checksums(prefix) == before);
}
