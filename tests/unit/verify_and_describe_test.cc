// SPDX-License-Identifier: Apache-2.0
// VerifyCheckpoint's overlap rule (views of one storage are shared, distinct storages must not
// overlap), one failure per missing file, and what OpenCheckpoint says about paths that are
// not checkpoints (issue 10: "verify accepts what frameworks write", "errors say what the
// file is").
#include <doctest/doctest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "formats/registry.h"
#include "formats/verify.h"
#include "keras_h5_test_util.h"

namespace rescope {
namespace {

namespace fs = std::filesystem;
using keras_test::TempDir;

// Two float32 [2] entries over one 16-byte buffer: a at [0, 8), b at [4, 12) (a partial
// overlap), each with the storage note given ("" = none, as safetensors entries have).
Checkpoint TwoEntries(const std::string& storage_a, const std::string& storage_b,
                      uint64_t offset_b = 4) {
  auto bytes = std::make_shared<MemoryByteSource>("mem", std::vector<uint8_t>(16, 0));
  Checkpoint c;
  c.format = "test";
  for (const auto& [name, storage, offset] :
       {std::tuple{"a", storage_a, uint64_t{0}}, std::tuple{"b", storage_b, offset_b}}) {
    TensorEntry e;
    e.name = name;
    e.dtype = DType::kFloat32;
    e.shape = {2};
    e.byte_size = 8;
    e.data = bytes;
    e.data_offset = offset;
    if (!storage.empty()) e.mutable_notes().emplace_back("storage", storage);
    REQUIRE(c.store.Add(std::move(e)).ok());
  }
  return c;
}

TEST_CASE("verify: views of one storage are shared, distinct storages must not overlap") {
  SUBCASE("one storage: legal, reported as shared") {
    const VerifyReport r = VerifyCheckpoint(TwoEntries("data/0", "data/0"));
    CHECK(r.failures.empty());
    REQUIRE(r.shared.size() == 1);
    CHECK(r.shared[0].storage == "data/0");
    CHECK(r.shared[0].names == std::vector<std::string>{"a", "b"});
  }
  SUBCASE("two storages whose bytes overlap: a failure naming both ranges") {
    const VerifyReport r = VerifyCheckpoint(TwoEntries("data/0", "data/1"));
    REQUIRE(r.failures.size() == 1);
    CHECK(r.failed_entries == 1);
    CHECK(r.failures[0].name == "b");
    CHECK(r.failures[0].problem ==
          "mem: bytes [0x4, 0xc) overlap \"a\" [0x0, 0x8) of another storage");
    CHECK(r.shared.empty());
  }
  SUBCASE("no storage notes (safetensors): any overlap fails") {
    CHECK(VerifyCheckpoint(TwoEntries("", "")).failures.size() == 1);
  }
  SUBCASE("adjacent ranges do not overlap") {
    CHECK(VerifyCheckpoint(TwoEntries("", "", 8)).failures.empty());
  }
}

TEST_CASE("verify: a missing file is one failure, not one per entry") {
  Checkpoint c;
  c.files.push_back({"ckpt.data-00001-of-00002", "data shard 1 of 2", false, 0});
  for (const char* name : {"x", "y", "z"}) {
    TensorEntry e;
    e.name = name;
    e.dtype = DType::kFloat32;
    e.shape = {1};
    e.byte_size = 4;
    e.set_data_error("data shard missing: ckpt.data-00001-of-00002");
    REQUIRE(c.store.Add(std::move(e)).ok());
  }
  const VerifyReport r = VerifyCheckpoint(c);
  CHECK(r.failed_entries == 3);
  REQUIRE(r.failures.size() == 1);
  CHECK(r.failures[0].name == "ckpt.data-00001-of-00002");
  CHECK(r.failures[0].problem == "data shard 1 of 2 missing: 3 entries have no data (x, ...)");
}

TEST_CASE("verify: knowbert's tied embedding and decoder share one storage (real file)") {
  if (!fs::is_directory(keras_test::kReal)) {
    MESSAGE("skipped: " RESCOPE_TESTDATA_DIR " not found");
    return;
  }
  auto c = OpenCheckpoint(keras_test::kReal +
                          "/knowbert-ppb-bertforpretraining-legacy-pt/pytorch_model.bin");
  REQUIRE_MESSAGE(c.ok(), c.status().message());
  const VerifyReport r = VerifyCheckpoint(*c);
  CHECK(r.failures.empty());
  CHECK(r.checked == 47);
  REQUIRE(r.shared.size() == 1);
  CHECK(r.shared[0].names == std::vector<std::string>{"bert.embeddings.word_embeddings.weight",
                                                      "cls.predictions.decoder.weight"});
}

TEST_CASE("open: errors say what the path is") {
  TempDir dir("describe");
  auto error_of = [](const std::string& path) {
    auto r = OpenCheckpoint(path);
    REQUIRE(!r.ok());
    return r.status().message();
  };
  { std::ofstream(dir.File("notes.txt")) << "one\ntwo\nthree\n"; }
  CHECK(error_of(dir.File("notes.txt"))
            .starts_with(dir.File("notes.txt") + ": a text file (14 bytes, 3 lines)\n"));
  CHECK(error_of(dir.File("missing/model.ckpt")) == dir.File("missing/model.ckpt") + ": " +
                                                        std::strerror(ENOENT) + " (" +
                                                        dir.File("missing") + " does not exist)");
  { std::ofstream(dir.File("config.json")) << R"({"hidden_size": 4, "vocab_size": 9})"; }
  CHECK(error_of(dir.File("config.json"))
            .starts_with(dir.File("config.json") +
                         ": JSON that is neither a sharded-checkpoint index (no \"weight_map\") "
                         "nor a manifest in the `ls --json` schema (no \"variables\"); its keys: "
                         "\"hidden_size\", \"vocab_size\""));
  { std::ofstream(dir.File("empty.json")); }
  CHECK(error_of(dir.File("empty.json")).starts_with(dir.File("empty.json") + ": an empty file"));
  fs::create_directory(dir.File("sub"));
  CHECK(error_of(dir.File("sub")).starts_with(dir.File("sub") + ": an empty directory"));
}

}  // namespace
}  // namespace rescope
