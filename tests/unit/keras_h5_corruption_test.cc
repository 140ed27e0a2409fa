// SPDX-License-Identifier: Apache-2.0
// Damaged copies of real Keras files (written to a temp dir) must fail with a clean
// Status naming the file, never crash. The damage is chosen at places whose handling is
// deterministic: truncation (HDF5 compares the superblock's end-of-file address with the
// real size), the signature, the superblock version, a contiguous data address, a weight
// name inside a Keras attribute, and the zip structures rescope parses itself.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>

#include "formats/keras_h5/keras_h5_reader.h"
#include "keras_h5_test_util.h"

using namespace rescope;
using namespace rescope::keras_test;

namespace {

const char* const kPrelu = "/hls4ml-keras2_13_1-prelu-weights-only-h5/prelu_weights.h5";
const char* const k3Layer = "/hls4ml-keras2_0_0-3layer-weights-only-h5/KERAS_3layer_weights.h5";
const char* const kNested = "/keras3-nested-container-keras-zip/pre_pr22362_nested_container.keras";

// Writes `bytes` as `name` in `dir`, opens it, and returns the error message (which must
// name the file).
std::string OpenError(const TempDir& dir, const std::string& name,
                      const std::vector<uint8_t>& bytes) {
  const std::string path = dir.File(name);
  WriteFile(path, bytes);
  auto r = OpenKerasH5(path);
  INFO(name);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find(path) != std::string::npos);
  return r.status().message();
}

size_t Find(const std::vector<uint8_t>& hay, const std::vector<uint8_t>& needle) {
  const auto it = std::search(hay.begin(), hay.end(), needle.begin(), needle.end());
  REQUIRE(it != hay.end());
  return static_cast<size_t>(it - hay.begin());
}

}  // namespace

TEST_CASE("keras_h5: damaged HDF5 files give exact errors") {
  REQUIRE_REAL_DATA();
  TempDir dir("keras-h5");
  const std::vector<uint8_t> prelu = ReadFile(kReal + kPrelu);
  REQUIRE(prelu.size() == 10888);

  std::vector<uint8_t> bytes(prelu.begin(), prelu.begin() + 5000);
  CHECK(OpenError(dir, "cut.h5", bytes) == dir.File("cut.h5") +
                                               ": H5Fopen failed: truncated file: eof = 5000, "
                                               "sblock->base_addr = 0, stored_eof = 10888");
  CHECK(OpenError(dir, "empty.h5", {}) ==
        dir.File("empty.h5") +
            ": not an HDF5 file (no signature at offset 0 or 512*2^n; empty file)");

  bytes = prelu;
  std::fill(bytes.begin(), bytes.begin() + 8, 0);
  CHECK(
      OpenError(dir, "nosig.h5", bytes) ==
      dir.File("nosig.h5") +
          ": not an HDF5 file (no signature at offset 0 or 512*2^n; first bytes 00 00 00 00 00 00 "
          "00 00)");

  bytes = prelu;
  bytes[8] = 9;  // superblock version
  CHECK(OpenError(dir, "super.h5", bytes) ==
        dir.File("super.h5") + ": H5Fopen failed: bad superblock version number");

  // The contiguous layout message holds address 8192 then size 100 (h5dump -p: OFFSET 8192,
  // SIZE 100); move the address past the end of the file.
  bytes = prelu;
  const size_t layout = Find(bytes, {0x00, 0x20, 0, 0, 0, 0, 0, 0, 100, 0, 0, 0, 0, 0, 0, 0});
  bytes[layout + 2] = 1;  // 0x12000
  CHECK(
      OpenError(dir, "addr.h5", bytes) ==
      dir.File("addr.h5") +
          ": /p_re_lu/p_re_lu/alpha:0: data @0x12000 (0x64 bytes) runs past end of file (0x2a88)");
}

TEST_CASE("keras_h5: a weight_names entry without its dataset is reported with its path") {
  REQUIRE_REAL_DATA();
  TempDir dir("keras-h5");
  std::vector<uint8_t> bytes = ReadFile(kReal + k3Layer);
  // "fc1_relu/kernel:0" is an S17 element of /fc1_relu's weight_names attribute.
  const std::string from = "fc1_relu/kernel:0";
  const size_t at = Find(bytes, std::vector<uint8_t>(from.begin(), from.end()));
  bytes[at + 13] = 'X';
  CHECK(OpenError(dir, "renamed.h5", bytes) ==
        dir.File("renamed.h5") +
            ": /fc1_relu/fc1_relu/kernXl:0: no such dataset (listed in weight_names of /fc1_relu)");
}

TEST_CASE("keras_h5: every truncation of a real file fails cleanly") {
  REQUIRE_REAL_DATA();
  TempDir dir("keras-h5");
  for (const char* rel : {kPrelu, kNested}) {
    const std::vector<uint8_t> whole = ReadFile(kReal + rel);
    for (size_t size = 0; size < whole.size(); size += 61) {
      INFO(rel, " cut at ", size);
      (void)OpenError(dir, "cut", std::vector<uint8_t>(whole.begin(), whole.begin() + size));
    }
  }
}

TEST_CASE("keras_h5: damaged .keras archives give exact errors") {
  REQUIRE_REAL_DATA();
  TempDir dir("keras-zip");
  const std::vector<uint8_t> zip = ReadFile(kReal + kNested);
  REQUIRE(zip.size() == 18044);

  std::vector<uint8_t> bytes(zip.begin(), zip.end() - 10);
  CHECK(OpenError(dir, "cut.keras", bytes) ==
        dir.File("cut.keras") + ": end of central directory record not found");

  // python3 zipfile: model.weights.h5 has header_offset 0x1fe, data at 0x22c.
  bytes = zip;
  REQUIRE(bytes[0x1fe] == 'P');
  bytes[0x1fe] = 'X';
  CHECK(OpenError(dir, "local.keras", bytes) ==
        dir.File("local.keras") +
            ": local header of \"model.weights.h5\" @0x1fe: bad signature (expected 50 4b 03 04)");

  bytes = zip;
  std::fill(bytes.begin() + 0x22c, bytes.begin() + 0x22c + 8, 0);
  CHECK(OpenError(dir, "inner.keras", bytes) ==
        dir.File("inner.keras") +
            ":model.weights.h5: not an HDF5 file (no signature at offset 0 or 512*2^n; first "
            "bytes 00 00 00 00 00 00 00 00)");
}
