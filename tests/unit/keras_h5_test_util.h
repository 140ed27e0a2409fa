// SPDX-License-Identifier: Apache-2.0
// Helpers shared by the Keras HDF5 reader tests: expected listings, byte access and the
// invariants every opened checkpoint must satisfy.
#pragma once

#include <doctest/doctest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "core/store/tensor_store.h"
#include "judge_python.h"

namespace rescope::keras_test {

// Real-framework files (PROVENANCE.md); tests using them skip visibly when absent.
inline const std::string kReal = RESCOPE_TESTDATA_DIR;

#define REQUIRE_REAL_DATA()                                         \
  if (!std::filesystem::is_directory(rescope::keras_test::kReal)) { \
    MESSAGE("skipped: " RESCOPE_TESTDATA_DIR " not found");         \
    return;                                                         \
  }

struct Expect {
  std::string name;
  DType dtype;
  std::vector<int64_t> shape;
};

inline std::string Note(const TensorEntry& e, const std::string& key) {
  for (const auto& [k, v] : e.notes()) {
    if (k == key) return v;
  }
  return "";
}

inline std::string Property(const Checkpoint& c, const std::string& key) {
  for (const auto& [k, v] : c.properties) {
    if (k == key) return v;
  }
  return "<missing>";
}

inline const TensorEntry& Get(const Checkpoint& c, const std::string& name) {
  const TensorEntry* e = c.store.Find(name);
  INFO("tensor ", name);
  REQUIRE(e != nullptr);
  return *e;
}

// Every entry: byte size = elements x element size; bytes inside their source; a path note.
inline void CheckInvariants(const Checkpoint& c) {
  for (const auto& [name, e] : c.store) {
    INFO("tensor ", name);
    CHECK(!Note(e, "hdf5_path").empty());
    if (!e.data) continue;
    CHECK(RangeFits(e.data_offset, e.byte_size, e.data->size()));
    if (const auto size = DTypeElementSize(e.dtype)) {
      CHECK(e.byte_size == *ShapeNumElements(e.shape) * *size);
    }
  }
}

// Exactly these entries (when `exact`) or at least these, with dtype and shape.
inline void CheckListing(const Checkpoint& c, const std::vector<Expect>& expected, bool exact) {
  if (exact) CHECK(c.store.size() == expected.size());
  for (const Expect& x : expected) {
    const TensorEntry& e = Get(c, x.name);
    INFO("tensor ", x.name);
    CHECK(e.dtype == x.dtype);
    CHECK(e.shape == x.shape);
  }
  CheckInvariants(c);
}

inline std::vector<uint8_t> Bytes(const TensorEntry& e) {
  REQUIRE(e.data != nullptr);
  std::vector<uint8_t> scratch;
  auto view = e.data->Read(e.data_offset, e.byte_size, scratch);
  REQUIRE(view.ok());
  return std::vector<uint8_t>(view->begin(), view->end());
}

inline std::vector<float> Floats(const TensorEntry& e) {
  REQUIRE(e.dtype == DType::kFloat32);
  const std::vector<uint8_t> bytes = Bytes(e);
  std::vector<float> out(bytes.size() / 4);
  std::memcpy(out.data(), bytes.data(), out.size() * 4);
  return out;
}

inline std::vector<uint8_t> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
}

inline void WriteFile(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

// A fresh directory under the system temp dir, removed with its contents on destruction.
class TempDir {
 public:
  explicit TempDir(const std::string& tag) {
    std::string templ =
        (std::filesystem::temp_directory_path() / ("rescope-" + tag + "-XXXXXX")).string();
    REQUIRE(::mkdtemp(templ.data()) != nullptr);
    path_ = templ;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string File(const std::string& name) const { return path_ + "/" + name; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace rescope::keras_test
