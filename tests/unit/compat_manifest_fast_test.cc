// SPDX-License-Identifier: Apache-2.0
// The simdjson fast path of the manifest reader (core/compare/compat_manifest_fast.h) must give
// exactly what the strict nlohmann reader gives, and leave every doubtful document to it.
#include "core/compare/compat_manifest_fast.h"

#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

using namespace rescope;

namespace {

bool SameVars(const std::vector<ExpectedVar>& a, const std::vector<ExpectedVar>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].name != b[i].name || a[i].dtype != b[i].dtype || a[i].shape != b[i].shape ||
        a[i].bytes != b[i].bytes) {
      return false;
    }
  }
  return true;
}

// Whatever the fast path answers, the strict reader answers the same.
void CheckAgrees(const std::string& text) {
  const auto fast = ParseManifestFast(text);
  if (!fast) return;
  const auto strict = ParseManifestStrict(text, "m.json");
  REQUIRE_MESSAGE(strict.ok(), std::string(text));
  CHECK_MESSAGE(SameVars(*fast, *strict), std::string(text));
}

const char* kValid = R"({"format": "tf_bundle", "variables": [
  {"name": "dense/kernel", "dtype": "float32", "shape": [784, 10], "bytes": 31360, "crc32c": "0x1"},
  {"name": "dense/bias", "dtype": "float32", "shape": [10]},
  {"name": "step", "dtype": "int64", "shape": [], "bytes": 8, "extra": {"a": [1, 2.5, null]}},
  {"name": "w\u00e9\"\n", "dtype": "bfloat16", "shape": [3], "bytes": 6}]})";

}  // namespace

TEST_CASE("manifest fast path: valid manifests read as the strict reader reads them") {
  if (!ManifestFastPathAvailable()) {
    // Built without libsimdjson-dev: the strict reader does everything (nothing to compare).
    const bool ci = std::getenv("CI") != nullptr;
    CHECK_MESSAGE(!ci, "CI builds with libsimdjson-dev (scripts/install-deps.sh)");
    MESSAGE("skipped: rescope was built without simdjson");
    return;
  }
  const auto fast = ParseManifestFast(kValid);
  REQUIRE(fast.has_value());
  const auto strict = ParseManifestStrict(kValid, "m.json");
  REQUIRE(strict.ok());
  CHECK(SameVars(*fast, *strict));
  REQUIRE(fast->size() == 4);
  CHECK((*fast)[0].bytes == 31360u);
  CHECK((*fast)[2].shape.empty());
  CHECK((*fast)[3].name == "w\xc3\xa9\"\n");
}

TEST_CASE("manifest fast path: doubtful or invalid documents are left to the strict reader") {
  // Each is refused by the strict reader (or read differently than simdjson would).
  const char* declined[] = {
      R"({"variables": [{"name": "a", "dtype": "float32", "shape": [-0]}]})",
      R"({"variables": [{"name": "a", "dtype": "float32", "shape": [1], "bytes": -0}]})",
      R"({"variables": [{"name": "a", "dtype": "float32", "shape": [2.0]}]})",
      R"({"variables": [{"name": "a", "dtype": "float32", "shape": [1e400]}]})",
      R"({"variables": [{"name": "a", "dtype": "float32", "shape": [18446744073709551616]}]})",
      R"({"variables": [{"name": "a", "dtype": "float32", "shape": [9223372036854775808]}]})",
      R"({"variables": [{"name": "a", "name": "b", "dtype": "float32", "shape": [1]}]})",
      R"({"variables": [], "variables": [{"name": "b", "dtype": "float32", "shape": [1]}]})",
      R"({"variables": [{"name": "a", "dtype": "float32", "shape": [1]},
                        {"name": "a", "dtype": "float32", "shape": [1]}]})",
      R"({"variables": [{"name": "a", "dtype": "float32", "shape": [2], "bytes": 4}]})",
      R"({"variables": [{"name": "a", "dtype": "floatt", "shape": [1]}]})",
      R"({"variables": [{"name": "", "dtype": "float32", "shape": [1]}]})",
      "{\"variables\": [{\"name\": \"a\tb\", \"dtype\": \"float32\", \"shape\": [1]}]}",
      R"({"format": 3, "variables": []})",
      R"({"variables": {}})",
      R"({"variables": []} trailing)",
      R"([{"name": "a", "dtype": "float32", "shape": [1]}])",
      "\xef\xbb\xbf{\"variables\": []}",
      R"({"variables": [{"name": "\ud800", "dtype": "float32", "shape": [1]}]})",
  };
  for (const char* text : declined) {
    CHECK_MESSAGE(!ParseManifestFast(text).has_value(), std::string(text));
    CheckAgrees(text);
  }
}

TEST_CASE("manifest fast path: agrees with the strict reader on the fuzz corpus") {
  const std::filesystem::path dir =
      std::filesystem::path(RESCOPE_SOURCE_DIR) / "tests/fuzz/corpus/compat_manifest_fuzzer";
  size_t files = 0;
  for (const auto& file : std::filesystem::directory_iterator(dir)) {
    std::ifstream in(file.path(), std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    CheckAgrees(text.str());
    ++files;
  }
  CHECK(files > 100);
}
