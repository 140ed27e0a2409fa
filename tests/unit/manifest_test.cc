// SPDX-License-Identifier: Apache-2.0
// Tests of hash manifests (core/compare/manifest.h) and the SHA-256 behind them (formats/sha256.h):
// FIPS 180-2 test vectors, strict parsing (every bad manifest is a clear error naming the
// file and the offending field), a round trip, and the comparison verify --manifest prints.
#include "core/compare/manifest.h"

#include <doctest/doctest.h>

#include <string>

#include "formats/sha256.h"

using rescope::CompareManifests;
using rescope::Manifest;
using rescope::ManifestToJson;
using rescope::ParseManifest;

namespace {

const std::string kAbc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
const std::string kEmpty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

std::string Hash(const std::string& s) {
  rescope::Sha256 sha;
  sha.Update(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  return sha.HexDigest();
}

// A valid manifest with one file and one tensor, `patch` spliced in as its tensor entry.
std::string WithTensor(const std::string& tensor_entry) {
  return R"({"schema_version": 1, "algorithm": "sha256",
             "files": {"m.safetensors": {"sha256": ")" +
         kEmpty + R"(", "size": 0}},
             "tensors": {"w": )" +
         tensor_entry + "}}";
}

std::string ErrorOf(const std::string& text) {
  auto parsed = ParseManifest(text, "M.json");
  REQUIRE_FALSE(parsed.ok());
  return parsed.status().message();
}

}  // namespace

TEST_CASE("sha256: FIPS 180-2 vectors, streamed in pieces, and reuse after a digest") {
  CHECK(Hash("abc") == kAbc);
  CHECK(Hash("") == kEmpty);
  rescope::Sha256 sha;
  const std::string two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  for (char c : two_blocks) sha.Update(reinterpret_cast<const uint8_t*>(&c), 1);
  CHECK(sha.HexDigest() == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  sha.Update(reinterpret_cast<const uint8_t*>("abc"), 3);
  CHECK(sha.HexDigest() == kAbc);
}

TEST_CASE("manifest: a valid manifest parses and round-trips") {
  auto parsed = ParseManifest(
      WithTensor(R"({"sha256": ")" + kAbc + R"(", "dtype": "float32", "shape": [2, 3]})"),
      "M.json");
  REQUIRE(parsed.ok());
  REQUIRE(parsed->tensors.size() == 1);
  CHECK(parsed->tensors.at("w").sha256 == kAbc);
  CHECK(parsed->tensors.at("w").dtype == "float32");
  CHECK(parsed->tensors.at("w").shape == std::vector<int64_t>{2, 3});
  CHECK(parsed->files.at("m.safetensors").size == 0);
  auto again = ParseManifest(ManifestToJson(*parsed), "again.json");
  REQUIRE(again.ok());
  CHECK(again->tensors.at("w").sha256 == kAbc);
  CHECK(again->files.at("m.safetensors").sha256 == kEmpty);
}

TEST_CASE("manifest: bad manifests are errors naming the file and the field") {
  CHECK(ErrorOf("{not json").find("M.json: not a rescope manifest: invalid JSON") == 0);
  CHECK(ErrorOf("[]").find("M.json: not a valid rescope manifest: top level") == 0);
  CHECK(ErrorOf(R"({"algorithm": "sha256", "files": {}, "tensors": {}})")
            .find("missing \"schema_version\"") != std::string::npos);
  CHECK(ErrorOf(R"({"schema_version": 2, "algorithm": "sha256", "files": {}, "tensors": {}})")
            .find("schema_version: this rescope reads version 1, found 2") != std::string::npos);
  CHECK(ErrorOf(R"({"schema_version": 1, "algorithm": "md5", "files": {}, "tensors": {}})")
            .find("algorithm: only \"sha256\"") != std::string::npos);
  CHECK(ErrorOf(R"({"schema_version": 1, "algorithm": "sha256", "files": [], "tensors": {}})")
            .find("files: expected an object") != std::string::npos);
  CHECK(ErrorOf(R"({"schema_version": 1, "algorithm": "sha256", "files": {}})")
            .find("missing \"tensors\"") != std::string::npos);
  // Digest: 64 lowercase hex digits exactly.
  CHECK(ErrorOf(WithTensor(R"({"sha256": "abc", "dtype": "float32", "shape": []})"))
            .find("tensors.\"w\".sha256: expected 64 lowercase hex digits") != std::string::npos);
  std::string upper = kAbc;
  upper[0] = 'B';
  CHECK(ErrorOf(WithTensor(R"({"sha256": ")" + upper + R"(", "dtype": "float32", "shape": []})"))
            .find("tensors.\"w\".sha256") != std::string::npos);
  CHECK(ErrorOf(WithTensor(R"({"dtype": "float32", "shape": []})"))
            .find("tensors.\"w\": missing \"sha256\"") != std::string::npos);
  CHECK(ErrorOf(WithTensor(R"({"sha256": ")" + kAbc + R"(", "shape": []})"))
            .find("tensors.\"w\": missing \"dtype\"") != std::string::npos);
  CHECK(ErrorOf(WithTensor(R"({"sha256": ")" + kAbc + R"(", "dtype": "float32", "shape": [-1]})"))
            .find("tensors.\"w\".shape: expected non-negative integers") != std::string::npos);
  CHECK(ErrorOf(WithTensor(R"({"sha256": ")" + kAbc + R"(", "dtype": "float32", "shape": 3})"))
            .find("tensors.\"w\".shape: expected an array") != std::string::npos);
  CHECK(ErrorOf(WithTensor(R"("x")")).find("tensors.\"w\": expected an object") !=
        std::string::npos);
  CHECK(ErrorOf(R"({"schema_version": 1, "algorithm": "sha256", "tensors": {},
                   "files": {"a": {"sha256": ")" +
                kEmpty + R"(", "size": -4}}})")
            .find("files.\"a\".size: expected a non-negative integer") != std::string::npos);
}

TEST_CASE("manifest: comparison reports mismatched, missing and extra tensors") {
  Manifest expected, actual;
  expected.tensors["same"] = {kAbc, "float32", {2}};
  expected.tensors["changed"] = {kAbc, "float32", {2}};
  expected.tensors["reshaped"] = {kAbc, "float32", {2}};
  expected.tensors["gone"] = {kAbc, "float32", {2}};
  actual.tensors["same"] = {kAbc, "float32", {2}};
  actual.tensors["changed"] = {kEmpty, "float32", {2}};
  actual.tensors["reshaped"] = {kAbc, "float32", {1, 2}};
  actual.tensors["new"] = {kAbc, "float32", {2}};
  expected.files["a.safetensors"] = {kAbc, 10};
  expected.files["b.safetensors"] = {kAbc, 10};
  actual.files["a.safetensors"] = {kAbc, 11};
  const auto c = CompareManifests(expected, actual);
  CHECK_FALSE(c.ok());
  CHECK(c.tensors_matched == 1);
  REQUIRE(c.mismatched.size() == 2);
  CHECK(c.mismatched[0].name == "changed");
  CHECK(c.mismatched[0].problem.find("sha256 " + kEmpty + ", manifest has " + kAbc) == 0);
  CHECK(c.mismatched[1].name == "reshaped");
  CHECK(c.missing == std::vector<std::string>{"gone"});
  CHECK(c.extra == std::vector<std::string>{"new"});
  REQUIRE(c.files_mismatched.size() == 1);
  CHECK(c.files_mismatched[0].name == "a.safetensors");
  CHECK(c.files_not_compared == std::vector<std::string>{"b.safetensors"});
  CHECK(CompareManifests(actual, actual).ok());
}
