// SPDX-License-Identifier: Apache-2.0
// Helpers shared by the safetensors unit tests: building files in memory, temporary
// directories, reading files, in-memory tensor stores and running the Python checker.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/store/byte_source.h"
#include "core/store/tensor_store.h"
#include "judge_python.h"

namespace rescope::safetensors_test {

namespace fs = std::filesystem;

// The real files of shared/testdata/real (PROVENANCE.md Part 2).
inline std::string RealPath(const char* relative) {
  return std::string(RESCOPE_TESTDATA_DIR) + "/" + relative;
}
inline constexpr const char* kMultiLayer = "burn-multi-layer-safetensors/multi_layer.safetensors";
inline constexpr const char* kJfkCodes =
    "candle-encodec-jfk-codes-safetensors/jfk-codes.safetensors";
inline constexpr const char* kVoices = "candle-csm-voices-safetensors/voices.safetensors";
inline constexpr const char* kNumpyF64 = "safetensors-cpp-numpy-f64-safetensors/model.safetensors";
inline constexpr const char* kAbuse =
    "safetensors-cpp-abuse-header-length-safetensors/safetensors_abuse_attempt_1.safetensors";

// 8-byte little-endian length (the header's size unless `length` is given), header, data.
inline std::string Pack(std::string_view header, std::string_view data = {},
                        std::optional<uint64_t> length = std::nullopt) {
  uint8_t n[8];
  StoreLE64(n, length.value_or(header.size()));
  std::string out(reinterpret_cast<const char*>(n), 8);
  out += header;
  out += data;
  return out;
}

inline std::shared_ptr<MemoryByteSource> Source(const std::string& bytes,
                                                std::string name = "t.safetensors") {
  return std::make_shared<MemoryByteSource>(std::move(name),
                                            std::vector<uint8_t>(bytes.begin(), bytes.end()));
}

inline std::string ReadFileBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

inline void WriteFileBytes(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// A fresh directory under the system temp directory, removed with its contents on scope exit.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = fs::temp_directory_path() /
            ("rescope-safetensors-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }
  std::string str() const { return path_.string(); }

 private:
  fs::path path_;
};

// A tensor whose bytes live in memory.
inline TensorEntry MemoryTensor(const std::string& name, DType dtype, std::vector<int64_t> shape,
                                const std::string& bytes) {
  TensorEntry e;
  e.name = name;
  e.dtype = dtype;
  e.shape = std::move(shape);
  e.byte_size = bytes.size();
  e.data = Source(bytes, "memory:" + name);
  return e;
}

// The bytes of a tensor entry.
inline std::string TensorBytes(const TensorEntry& e) {
  std::vector<uint8_t> scratch;
  auto view = e.data->Read(e.data_offset, e.byte_size, scratch);
  if (!view.ok()) return "<" + view.status().message() + ">";
  return std::string(view->AsStringView());
}

// Runs tests/tools/safetensors_check.py on `files` with the judge python; nullopt when it is
// missing (a failure where judges are required).
inline std::optional<std::string> RunPythonCheck(const std::vector<std::string>& files) {
  const std::string& python = rescope::test::JudgePython();
  if (python.empty()) {
    if (rescope::test::JudgesRequired()) FAIL("judge python " RESCOPE_JUDGE_PYTHON " not found");
    return std::nullopt;
  }
  std::string cmd =
      python + " '" + std::string(RESCOPE_SOURCE_DIR) + "/tests/tools/safetensors_check.py'";
  for (const std::string& f : files) cmd += " '" + f + "'";
  cmd += " 2>&1";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (pipe == nullptr) return std::nullopt;
  std::string out;
  char buf[4096];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof(buf), pipe)) > 0) out.append(buf, n);
  const int rc = ::pclose(pipe);
  if (rc != 0) out += "\n(exit status " + std::to_string(rc) + ")";
  return out;
}

}  // namespace rescope::safetensors_test
