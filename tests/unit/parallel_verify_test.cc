// SPDX-License-Identifier: Apache-2.0
// Verify recomputes checksums on several threads (formats/parallel_for.h): every item runs
// exactly once whatever the thread count, and the report (failures, their order, counts) is
// the same for 1 thread as for many, with damaged tensors and zip records among intact ones.
#include <doctest/doctest.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "formats/parallel_for.h"
#include "formats/pytorch/torch_zip.h"
#include "formats/tf_bundle/crc32c.h"
#include "formats/verify.h"

using namespace rescope;

TEST_CASE("ParallelFor runs every index exactly once for any thread count") {
  for (unsigned threads : {0u, 1u, 2u, 3u, 16u}) {
    for (size_t count : {size_t{0}, size_t{1}, size_t{5}, size_t{1000}}) {
      CAPTURE(threads);
      CAPTURE(count);
      std::vector<std::atomic<int>> runs(count);
      ParallelFor(count, threads, [&](size_t i) { runs[i].fetch_add(1); });
      for (size_t i = 0; i < count; ++i) CHECK(runs[i].load() == 1);
    }
  }
  CHECK(DefaultThreadCount() >= 1);
}

namespace {

// 200 float32 tensors of 4,000 bytes with their CRC32Cs (crc32c::Value, tested against the
// published vectors in crc32c_paths_test); every 17th is stored with a wrong CRC. Plus 40
// zip records, every 9th with a wrong CRC-32.
Checkpoint SyntheticCheckpoint() {
  constexpr size_t kTensors = 200, kBytes = 4000;
  std::vector<uint8_t> bytes(kTensors * kBytes);
  uint32_t x = 12345;
  for (uint8_t& b : bytes) b = static_cast<uint8_t>((x = x * 1103515245u + 12345u) >> 24);
  auto source = std::make_shared<MemoryByteSource>("synthetic.data", bytes);
  Checkpoint ckpt;
  ckpt.format = "tf_bundle";
  for (size_t i = 0; i < kTensors; ++i) {
    TensorEntry e;
    e.name = "t" + std::to_string(1000 + i);
    e.dtype = DType::kFloat32;
    e.shape = {static_cast<int64_t>(kBytes / 4)};
    e.byte_size = kBytes;
    e.data = source;
    e.data_offset = i * kBytes;
    e.shard = 0;
    const uint32_t crc = crc32c::Value(bytes.data() + i * kBytes, kBytes);
    e.stored_crc32c = i % 17 == 3 ? crc ^ 1u : crc;
    REQUIRE(ckpt.store.Add(std::move(e)).ok());
  }
  for (size_t r = 0; r < 40; ++r) {
    const uint64_t offset = r * 20000, size = 20000;
    const uint32_t crc = pytorch::Crc32Portable(0, bytes.data() + offset, size);
    ckpt.region_checksums.push_back(
        {"archive/data/" + std::to_string(r), source, offset, size, r % 9 == 4 ? ~crc : crc, ""});
  }
  return ckpt;
}

}  // namespace

TEST_CASE("verify: the report does not depend on the number of threads") {
  const Checkpoint ckpt = SyntheticCheckpoint();
  const VerifyReport one = VerifyCheckpoint(ckpt, 1);
  CHECK(one.checked == 200);
  CHECK(one.checksummed == 200);
  CHECK(one.failed_entries == 12);  // i = 3, 20, 37, ..., 190
  CHECK(one.regions_checked == 40);
  CHECK(one.regions_failed == 4);  // r = 4, 13, 22, 31
  REQUIRE(one.failures.size() == 16);
  CHECK(one.failures.front().name == "t1003");
  CHECK(one.failures[11].name == "t1190");
  CHECK(one.failures[12].name == "archive/data/4");
  for (unsigned threads : {2u, 3u, 8u, 0u}) {
    CAPTURE(threads);
    const VerifyReport many = VerifyCheckpoint(ckpt, threads);
    CHECK(many.checked == one.checked);
    CHECK(many.checksummed == one.checksummed);
    CHECK(many.failed_entries == one.failed_entries);
    CHECK(many.regions_failed == one.regions_failed);
    REQUIRE(many.failures.size() == one.failures.size());
    for (size_t i = 0; i < one.failures.size(); ++i) {
      CHECK(many.failures[i].name == one.failures[i].name);
      CHECK(many.failures[i].problem == one.failures[i].problem);
    }
  }
}
