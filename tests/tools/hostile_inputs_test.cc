// SPDX-License-Identifier: Apache-2.0
// hostile_inputs_test: rescope against files whose headers lie about sizes, and against an
// input that shrinks while it is read. Every case must end with an exit code (never a
// signal), in bounded time and memory, with a message that says what was refused.
//
//   hostile_inputs_test sizes  RESCOPE WORKDIR
//       Writes files claiming a 2^63-byte safetensors header, terabyte tensors (safetensors,
//       TF bundle index entry), 2^40-element storages (PyTorch pickle, unallocated HDF5
//       datasets), a 100,000-deep pickle and a .keras zip bomb (1 GiB member in ~1 MB), then
//       runs ls, info, verify, show --stats and convert on each: under 5 s wall and 200 MB
//       max RSS (wait4's rusage of that child), the expected exit code, the expected words
//       on stderr, no output file left, nothing left in $TMPDIR.
//   hostile_inputs_test shrink RESCOPE WORKDIR MAKE_BIG_CKPT
//       Writes a 128 MiB bundle, starts `verify` (and `convert`) with the test hook
//       RESCOPE_TEST_STOP_AT_READ_OF=<data shard>, which stops rescope at its first read of
//       the shard, truncates the shard, continues rescope and requires exit 1 or 2 with a
//       message naming the shard (before the mapping guard: SIGBUS, exit 135).
//
// The files are written here from the format descriptions (docs FORMATS.md, PYTORCH.md),
// not by rescope's writers, except the TF bundle index (rescope's table builder writes
// TF's byte layout; the hostile part is the entry's declared size).
#include <fcntl.h>
#include <hdf5.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/store/byte_source.h"
#include "formats/tf_bundle/bundle_entry.h"
#include "formats/tf_bundle/crc32c.h"
#include "formats/tf_bundle/sstable_builder.h"

namespace {

namespace fs = std::filesystem;

int g_failures = 0;

void Fail(const std::string& what) {
  std::cerr << "FAIL: " << what << "\n";
  ++g_failures;
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) {
    std::cerr << path << ": cannot write\n";
    std::exit(2);
  }
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string LE(uint64_t v, int bytes) {
  std::string s;
  for (int i = 0; i < bytes; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  return s;
}

// ---- Running rescope -------------------------------------------------------------------

struct Outcome {
  bool exited = false;
  int code = -1;
  int signal = 0;
  bool timed_out = false;
  double seconds = 0;
  long max_rss_kb = 0;
  std::string err;
  std::string out;
};

struct RunOptions {
  std::string tmpdir;
  double kill_after_seconds = 20;
  // For the shrink test: set RESCOPE_TEST_STOP_AT_READ_OF and call `on_stop` once the
  // child has stopped itself, then continue it.
  std::string stop_at_read_of;
  void (*on_stop)(const std::string&) = nullptr;
};

Outcome Run(const std::vector<std::string>& args, const RunOptions& opt) {
  const std::string err_path = opt.tmpdir + "/../stderr.txt";
  const std::string out_path = opt.tmpdir + "/../stdout.txt";
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid < 0) {
    std::perror("fork");
    std::exit(2);
  }
  if (pid == 0) {
    const int stdout_file = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(stdout_file, 1);
    ::dup2(err, 2);
    ::setenv("TMPDIR", opt.tmpdir.c_str(), 1);
    if (!opt.stop_at_read_of.empty()) {
      ::setenv("RESCOPE_TEST_STOP_AT_READ_OF", opt.stop_at_read_of.c_str(), 1);
    }
    // Safety net for runs of a rescope without the limits: no case may write more.
    struct rlimit fsize {
      uint64_t{256} << 20, uint64_t{256} << 20
    };
    ::setrlimit(RLIMIT_FSIZE, &fsize);
    std::vector<char*> argv;
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    _exit(127);
  }
  Outcome out;
  int status = 0;
  struct rusage usage {};
  bool continued = false;
  for (;;) {
    const pid_t got = ::wait4(pid, &status, WNOHANG | WUNTRACED, &usage);
    if (got == pid && WIFSTOPPED(status)) {
      if (!continued && opt.on_stop != nullptr) opt.on_stop(opt.stop_at_read_of);
      continued = true;
      ::kill(pid, SIGCONT);
      continue;
    }
    if (got == pid) break;
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (elapsed > opt.kill_after_seconds) {
      out.timed_out = true;
      ::kill(pid, SIGKILL);
      ::wait4(pid, &status, 0, &usage);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  out.max_rss_kb = usage.ru_maxrss;
  out.exited = WIFEXITED(status);
  out.code = out.exited ? WEXITSTATUS(status) : -1;
  out.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  out.err = ReadText(err_path);
  out.out = ReadText(out_path);
  return out;
}

// ---- Hostile files ---------------------------------------------------------------------

// safetensors whose 8-byte header length is 2^63.
std::string HugeHeaderSafetensors() { return LE(uint64_t{1} << 63, 8) + "{}"; }

// safetensors declaring a 4 TiB float32 tensor over 16 bytes of data.
std::string TerabyteSafetensors() {
  std::string header =
      R"({"w":{"dtype":"F32","shape":[1099511627776],"data_offsets":[0,4398046511104]}})";
  while (header.size() % 8 != 0) header.push_back(' ');
  return LE(header.size(), 8) + header + std::string(16, '\0');
}

// TF bundle whose index entry declares a [2^40] float tensor of 4 TiB in a 16-byte shard.
void TerabyteBundle(const std::string& prefix) {
  using namespace rescope;
  tfbundle::BundleHeader header;
  header.num_shards = 1;
  header.version = tfbundle::VersionDef{1, 0, {}};
  tfbundle::BundleEntry entry;
  entry.dtype = 1;  // DT_FLOAT
  entry.shape = {int64_t{1} << 40};
  entry.size = int64_t{4} << 40;
  entry.masked_crc32c = 0x12345678;
  sstable::TableBuilder table;
  if (!table.Add("", tfbundle::EncodeBundleHeader(header)).ok() ||
      !table.Add("w", tfbundle::EncodeBundleEntry(entry)).ok()) {
    std::cerr << "table builder refused the entries\n";
    std::exit(2);
  }
  WriteFile(prefix + ".index", table.Finish());
  WriteFile(prefix + ".data-00000-of-00001", std::string(16, '\0'));
}

// A zip of STORED members (PKWARE APPNOTE 4.3), as torch.save writes them.
std::string StoredZip(const std::vector<std::pair<std::string, std::string>>& members) {
  std::string out, central;
  for (const auto& [name, data] : members) {
    const uint32_t crc = static_cast<uint32_t>(
        ::crc32(0, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
    const uint64_t offset = out.size();
    out += LE(0x04034b50, 4) + LE(20, 2) + LE(0, 2) + LE(0, 2) + LE(0, 4) + LE(crc, 4) +
           LE(data.size(), 4) + LE(data.size(), 4) + LE(name.size(), 2) + LE(0, 2) + name + data;
    central += LE(0x02014b50, 4) + LE(20, 2) + LE(20, 2) + LE(0, 2) + LE(0, 2) + LE(0, 4) +
               LE(crc, 4) + LE(data.size(), 4) + LE(data.size(), 4) + LE(name.size(), 2) +
               LE(0, 2) + LE(0, 2) + LE(0, 2) + LE(0, 2) + LE(0, 4) + LE(offset, 4) + name;
  }
  const uint64_t dir_offset = out.size();
  out += central;
  out += LE(0x06054b50, 4) + LE(0, 2) + LE(0, 2) + LE(members.size(), 2) + LE(members.size(), 2) +
         LE(central.size(), 4) + LE(dir_offset, 4) + LE(0, 2);
  return out;
}

// Pickle opcodes (protocol 2) for {"w": _rebuild_tensor_v2(storage '0' of 2^40 floats,
// 0, (2^40,), (1,), False, OrderedDict())}.
std::string HugeStoragePickle() {
  const std::string big = "\x8a\x06" + LE(uint64_t{1} << 40, 6);  // LONG1, 6 bytes
  const auto unicode = [](const std::string& s) { return "X" + LE(s.size(), 4) + s; };
  std::string p = "\x80\x02}";
  p += unicode("w");
  p += "ctorch._utils\n_rebuild_tensor_v2\n(";
  p += "(" + unicode("storage") + "ctorch\nFloatStorage\n" + unicode("0") + unicode("cpu") + big +
       "tQ";
  p += std::string("K\x00", 2);  // BININT1 0: the storage offset
  p += "(" + big + "t";
  p += "(K\x01t";
  p += "\x89";
  p += "ccollections\nOrderedDict\n)R";
  p += "tR";
  p += "s.";
  return p;
}

// Nested lists 100,000 deep: EMPTY_LIST x N, then APPEND x (N-1).
std::string DeepPickle() {
  constexpr int kDepth = 100000;
  std::string p = "\x80\x02";
  p += std::string(kDepth, ']');
  p += std::string(kDepth - 1, 'a');
  p += ".";
  return p;
}

std::string TorchZip(const std::string& pickle) {
  return StoredZip({{"archive/data.pkl", pickle},
                    {"archive/data/0", std::string(64, '\0')},
                    {"archive/version", "3\n"}});
}

// HDF5 file (an 8 KB-class file) with [2^40] float32 datasets that have no storage: one
// contiguous (allocation is late, never happens), one chunked without any chunk written.
void SparseHdf5(const std::string& path) {
  const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  const hsize_t dims[1] = {hsize_t{1} << 40};
  const hid_t space = H5Screate_simple(1, dims, nullptr);
  const hid_t contiguous = H5Pcreate(H5P_DATASET_CREATE);
  H5Pset_alloc_time(contiguous, H5D_ALLOC_TIME_LATE);
  const hid_t a =
      H5Dcreate2(file, "unallocated", H5T_IEEE_F32LE, space, H5P_DEFAULT, contiguous, H5P_DEFAULT);
  const hid_t chunked = H5Pcreate(H5P_DATASET_CREATE);
  const hsize_t chunk[1] = {hsize_t{1} << 20};
  H5Pset_chunk(chunked, 1, chunk);
  const hid_t b =
      H5Dcreate2(file, "sparse", H5T_IEEE_F32LE, space, H5P_DEFAULT, chunked, H5P_DEFAULT);
  if (file < 0 || a < 0 || b < 0) {
    std::cerr << path << ": HDF5 refused to create the test datasets\n";
    std::exit(2);
  }
  H5Dclose(a);
  H5Dclose(b);
  H5Pclose(contiguous);
  H5Pclose(chunked);
  H5Sclose(space);
  H5Fclose(file);
}

// A small dataset never written: 4000 bytes of fill value, which must stay readable.
void SmallFillHdf5(const std::string& path) {
  const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  const hsize_t dims[1] = {1000};
  const hid_t space = H5Screate_simple(1, dims, nullptr);
  const hid_t d =
      H5Dcreate2(file, "w", H5T_IEEE_F32LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (file < 0 || d < 0) {
    std::cerr << path << ": HDF5 refused to create the test dataset\n";
    std::exit(2);
  }
  H5Dclose(d);
  H5Sclose(space);
  H5Fclose(file);
}

// A .keras zip whose model.weights.h5 member DEFLATEs 1 GiB of zeros into about 1 MB. Its
// central directory declares `declared` bytes (1 GiB: honest; less: the stream lies).
std::string KerasZipBomb(uint64_t declared = uint64_t{1} << 30) {
  constexpr uint64_t kPiece = 1 << 20;
  constexpr uint64_t kPieces = 1024;
  std::string zeros(kPiece, '\0');
  // One raw-deflate block sequence for 1 MiB of zeros, ended by a sync flush (byte
  // aligned, not final); repeated, it inflates to repeated zeros.
  z_stream z{};
  deflateInit2(&z, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY);
  std::string piece(kPiece, '\0');
  z.next_in = reinterpret_cast<Bytef*>(zeros.data());
  z.avail_in = static_cast<uInt>(kPiece);
  z.next_out = reinterpret_cast<Bytef*>(piece.data());
  z.avail_out = static_cast<uInt>(piece.size());
  deflate(&z, Z_SYNC_FLUSH);
  piece.resize(piece.size() - z.avail_out);
  deflateEnd(&z);
  std::string data;
  uLong crc = ::crc32(0, nullptr, 0);
  for (uint64_t i = 0; i < kPieces; ++i) {
    data += piece;
    crc = ::crc32(crc, reinterpret_cast<const Bytef*>(zeros.data()), static_cast<uInt>(kPiece));
  }
  data += std::string("\x03\x00", 2);  // empty final block (fixed Huffman, end of block)
  const std::string name = "model.weights.h5";
  const uint64_t size = declared;
  std::string out = LE(0x04034b50, 4) + LE(20, 2) + LE(0, 2) + LE(8, 2) + LE(0, 4) + LE(crc, 4) +
                    LE(data.size(), 4) + LE(size, 4) + LE(name.size(), 2) + LE(0, 2) + name + data;
  const std::string central = LE(0x02014b50, 4) + LE(20, 2) + LE(20, 2) + LE(0, 2) + LE(8, 2) +
                              LE(0, 4) + LE(crc, 4) + LE(data.size(), 4) + LE(size, 4) +
                              LE(name.size(), 2) + LE(0, 2) + LE(0, 2) + LE(0, 2) + LE(0, 2) +
                              LE(0, 4) + LE(0, 4) + name;
  const uint64_t dir_offset = out.size();
  out += central + LE(0x06054b50, 4) + LE(0, 2) + LE(0, 2) + LE(1, 2) + LE(1, 2) +
         LE(central.size(), 4) + LE(dir_offset, 4) + LE(0, 2);
  return out;
}

// ---- The cases -------------------------------------------------------------------------

struct Expect {
  std::string command;       // "ls", "info", "verify", "show --stats", "convert"
  std::vector<int> exits;    // allowed exit codes
  std::string words;         // stdout + stderr must contain this when the exit is not 0
  std::string tensor = "w";  // for show
};

struct Case {
  std::string name;
  std::string input;  // path (a bundle prefix for the TF bundle)
  std::vector<Expect> expects;
};

std::vector<std::string> CommandArgs(const std::string& rescope, const std::string& command,
                                     const std::string& input, const std::string& output,
                                     const std::string& tensor = "") {
  if (command == "show --stats") return {rescope, "show", "--stats", input, tensor};
  if (command == "convert") return {rescope, "convert", input, output};
  return {rescope, command, input};
}

bool DirectoryEmpty(const std::string& dir) {
  return fs::is_directory(dir) && fs::directory_iterator(dir) == fs::directory_iterator();
}

void RunCase(const std::string& rescope, const std::string& work, const Case& c) {
  for (const Expect& e : c.expects) {
    const std::string tmpdir = work + "/tmp";
    fs::remove_all(tmpdir);
    fs::create_directories(tmpdir);
    const std::string output = work + "/out/" + c.name + ".safetensors";
    fs::remove_all(work + "/out");
    fs::create_directories(work + "/out");
    RunOptions opt;
    opt.tmpdir = tmpdir;
    const Outcome o = Run(CommandArgs(rescope, e.command, c.input, output, e.tensor), opt);
    const std::string label = c.name + " / " + e.command;
    std::ostringstream line;
    line << label << ": exit " << (o.exited ? std::to_string(o.code) : "-")
         << (o.signal ? " signal " + std::to_string(o.signal) : "") << ", " << o.seconds << " s, "
         << o.max_rss_kb / 1024 << " MB";
    std::cout << line.str() << "\n";
    if (o.timed_out) Fail(label + ": still running after " + std::to_string(o.seconds) + " s");
    if (o.signal != 0) Fail(label + ": killed by signal " + std::to_string(o.signal));
    if (o.seconds > 5.0) Fail(label + ": took " + std::to_string(o.seconds) + " s (limit 5)");
    // 200 MB beyond what the binary takes to start: a sanitizer build maps ~230 MB of shadow
    // memory before main, a release build ~10 MB.
    static const long baseline_kb = Run({rescope, "--version"}, RunOptions{}).max_rss_kb;
    if (o.max_rss_kb > baseline_kb + 200 * 1024) {
      Fail(label + ": max RSS " + std::to_string(o.max_rss_kb / 1024) +
           " MB (limit 200 MB beyond " + std::to_string(baseline_kb / 1024) + " MB at start-up)");
    }
    bool allowed = false;
    for (int x : e.exits) allowed = allowed || (o.exited && o.code == x);
    if (!allowed) Fail(label + ": unexpected exit; stderr:\n" + o.err);
    if (o.exited && o.code != 0 && (o.err + o.out).find(e.words) == std::string::npos) {
      Fail(label + ": output does not say \"" + e.words + "\":\n" + o.out + o.err);
    }
    if (o.code != 0 && !DirectoryEmpty(work + "/out")) {
      Fail(label + ": failed but left files in the output directory");
    }
    if (!DirectoryEmpty(tmpdir)) Fail(label + ": left files in $TMPDIR");
  }
}

int Sizes(const std::string& rescope, const std::string& work) {
  const std::string in = work + "/in";
  fs::create_directories(in);
  WriteFile(in + "/huge_header.safetensors", HugeHeaderSafetensors());
  WriteFile(in + "/terabyte.safetensors", TerabyteSafetensors());
  TerabyteBundle(in + "/terabyte_bundle");
  WriteFile(in + "/huge_storage.pt", TorchZip(HugeStoragePickle()));
  WriteFile(in + "/deep_pickle.pt", TorchZip(DeepPickle()));
  SparseHdf5(in + "/sparse.weights.h5");
  WriteFile(in + "/bomb.keras", KerasZipBomb());
  WriteFile(in + "/lying_bomb.keras", KerasZipBomb(uint64_t{4} << 20));
  SmallFillHdf5(in + "/small_fill.weights.h5");

  const auto all = [](std::vector<int> exits, const std::string& words) {
    std::vector<Expect> v;
    for (const char* cmd : {"ls", "info", "verify", "show --stats", "convert"}) {
      v.push_back({cmd, exits, words});
    }
    return v;
  };
  std::vector<Case> cases = {
      {"huge_header", in + "/huge_header.safetensors", all({1, 2}, "huge_header.safetensors")},
      {"terabyte_safetensors", in + "/terabyte.safetensors", all({1, 2}, "terabyte.safetensors")},
      {"huge_storage", in + "/huge_storage.pt", all({1, 2}, "huge_storage.pt")},
      {"deep_pickle", in + "/deep_pickle.pt", all({1, 2}, "deep_pickle.pt")},
      {"bomb_keras", in + "/bomb.keras", all({2}, "ratio limit")},
      // Declares 4 MiB (under the ratio rule's floor) but inflates to 1 GiB. The member is
      // inflated on demand and never past its declared size, so the lie costs nothing: the
      // first read finds no HDF5 file in it and the error names the member. (A stream that
      // outgrows its declared size while read is refused too: unit/inflating_member_test.)
      {"lying_bomb_keras", in + "/lying_bomb.keras",
       all({1, 2}, "lying_bomb.keras:model.weights.h5: not an HDF5 file")},
  };
  // A bundle index is read without its data: listing the entry is header-only (exit 0);
  // reading its bytes is refused (the entry runs past the end of its shard).
  Case bundle{"terabyte_bundle", in + "/terabyte_bundle", all({1, 2}, "run past end of file")};
  bundle.expects[0].exits = bundle.expects[1].exits = {0};
  cases.push_back(bundle);
  // The sparse HDF5 file is well-formed: listing its header is fine (exit 0); reading or
  // converting the datasets is refused before any work, naming the allocated size.
  Case sparse{"sparse_hdf5", in + "/sparse.weights.h5", {}};
  sparse.expects = {{"ls", {0}, ""},
                    {"info", {0}, ""},
                    {"verify", {1}, "are allocated"},
                    {"show --stats", {2}, "are allocated", "unallocated"},
                    {"show --stats", {2}, "are allocated", "sparse"},
                    {"convert", {2}, "are allocated"}};
  cases.push_back(sparse);
  // Fill-value-only datasets that are small still read (1000 zeros).
  cases.push_back({"small_fill_hdf5", in + "/small_fill.weights.h5", all({0}, "")});
  for (const Case& c : cases) RunCase(rescope, work, c);
  return g_failures == 0 ? 0 : 1;
}

// ---- Shrinking input -------------------------------------------------------------------

// Cuts the shard to 1000 bytes (inside the first page, so both the zero-filled page tail
// and the pages past the end are read), as a training job rewriting it would.
void TruncateShard(const std::string& path) {
  if (::truncate(path.c_str(), 1000) != 0) {
    std::perror(path.c_str());
    std::exit(2);
  }
}

int Shrink(const std::string& rescope, const std::string& work, const std::string& make_big) {
  const std::string prefix = work + "/big";
  const std::string data = prefix + ".data-00000-of-00001";
  for (const std::string& command : {std::string("verify"), std::string("convert")}) {
    fs::remove_all(work + "/out");
    fs::create_directories(work + "/out");
    fs::create_directories(work + "/tmp");
    // 4 tensors of 32 MiB: the first read of the shard is one window of the first tensor.
    const std::string make = make_big + " " + prefix + " 4 33554432 >/dev/null";
    if (std::system(make.c_str()) != 0) {
      std::cerr << "cannot run " << make << "\n";
      return 2;
    }
    RunOptions opt;
    opt.tmpdir = work + "/tmp";
    opt.stop_at_read_of = data;
    opt.on_stop = TruncateShard;
    const std::string output = work + "/out/big.safetensors";
    const Outcome o = Run(CommandArgs(rescope, command, prefix, output), opt);
    const std::string label = "shrinking shard / " + command;
    std::cout << label << ": exit " << (o.exited ? std::to_string(o.code) : "-")
              << (o.signal ? " signal " + std::to_string(o.signal) : "") << ", " << o.seconds
              << " s\n"
              << o.err;
    if (o.signal != 0) Fail(label + ": killed by signal " + std::to_string(o.signal));
    if (!o.exited || (o.code != 1 && o.code != 2)) Fail(label + ": wanted exit 1 or 2:\n" + o.err);
    if (o.err.find(data) == std::string::npos || o.err.find("shrank") == std::string::npos) {
      Fail(label + ": stderr does not name the shrunk file " + data + ":\n" + o.err);
    }
    if (!DirectoryEmpty(work + "/out")) Fail(label + ": left files in the output directory");
    if (o.timed_out) Fail(label + ": did not finish");
  }
  return g_failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 4 && std::string(argv[1]) == "sizes") {
    fs::remove_all(argv[3]);
    fs::create_directories(argv[3]);
    const int rc = Sizes(argv[2], argv[3]);
    if (rc == 0) fs::remove_all(argv[3]);
    return rc;
  }
  if (argc >= 5 && std::string(argv[1]) == "shrink") {
    fs::remove_all(argv[3]);
    fs::create_directories(argv[3]);
    const int rc = Shrink(argv[2], argv[3], argv[4]);
    fs::remove_all(argv[3]);
    return rc;
  }
  std::cerr << "usage: hostile_inputs_test sizes RESCOPE WORKDIR\n"
               "       hostile_inputs_test shrink RESCOPE WORKDIR MAKE_BIG_CKPT\n";
  return 2;
}
