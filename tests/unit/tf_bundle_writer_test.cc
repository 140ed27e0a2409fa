// SPDX-License-Identifier: Apache-2.0
// Tests of the tensor-bundle writer behind `rescope rename`: byte-identical re-writing of
// every real bundle, index compression, hard-linked data, and compaction after a drop.
#include "formats/tf_bundle/tf_bundle_writer.h"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "formats/tf_bundle/checkpoint_path.h"
#include "formats/tf_bundle/slice_key.h"
#include "formats/verify.h"
#include "rename_test_util.h"

using namespace rescope;
using namespace rescope::rename_test;

namespace {

constexpr char kTfRanking[] = "tfranking-bert-lite-tf2-checkpoint-save-counter/bert_lite_tf2.ckpt";

// Every `*.index` under `dir`, recursively, as bundle prefixes (".index" -> "dir/"), sorted.
std::vector<std::string> RealPrefixes(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    const std::string path = e.path().string();
    if (e.is_regular_file() && path.ends_with(".index")) {
      out.push_back(path.substr(0, path.size() - std::string_view(".index").size()));
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

void CheckVerifies(const std::string& prefix, uint64_t expected_entries) {
  const Checkpoint ckpt = OpenBundle(prefix);
  const VerifyReport report = VerifyCheckpoint(ckpt);
  for (const VerifyFailure& f : report.failures) FAIL_CHECK(f.name << ": " << f.problem);
  CHECK(report.checked == expected_entries);
}

// Copies the bundle files of `prefix` into `dir`; returns the new prefix.
std::string CopyBundle(const std::string& prefix, const std::string& dir) {
  const Checkpoint ckpt = OpenBundle(prefix);
  const std::string base = fs::path(prefix).filename().string();
  for (const CheckpointFile& f : ckpt.files) {
    fs::copy_file(f.path, dir + "/" + fs::path(f.path).filename().string());
  }
  return dir + "/" + base;
}

}  // namespace

TEST_CASE("tf_bundle writer: an empty rename reproduces every real bundle") {
  if (!fs::is_directory(RealDir())) {
    MESSAGE("skipped: " << RealDir() << " not found");
    return;
  }
  ScratchDir tmp;
  std::vector<std::string> reproduced, refused;
  int n = 0;
  for (const std::string& prefix : RealPrefixes(RealDir())) {
    const std::string rel = fs::relative(prefix + ".index", RealDir()).string();
    CAPTURE(rel);
    const Checkpoint source = OpenBundle(prefix);
    const auto* state = dynamic_cast<const tfbundle::TfBundleState*>(source.state.get());
    REQUIRE(state != nullptr);
    const std::string out_dir = tmp / std::to_string(n++);
    fs::create_directories(out_dir);
    const std::string out = out_dir + "/out";
    auto report = RenameTo(source, RenameMap(), out);

    std::string missing;
    for (const CheckpointFile& f : source.files) {
      if (!f.present && missing.empty()) missing = f.path;
    }
    if (!missing.empty()) {
      REQUIRE_FALSE(report.ok());
      CHECK(report.status().code() == StatusCode::kNotFound);
      CHECK(report.status().message() ==
            missing +
                ": data shard missing; cannot write a complete checkpoint (the index alone "
                "lists its tensors)");
      CHECK(ListDir(out_dir).empty());  // not even temporary files
      refused.push_back(rel);
      continue;
    }
    REQUIRE_MESSAGE(report.ok(), report.status().message());
    CHECK(report->data_copied);
    CHECK_FALSE(report->graph_rewritten);
    const int32_t shards = state->header.num_shards;
    std::vector<std::string> expected_files;
    for (int32_t i = 0; i < shards; ++i) {
      const std::string written = tfbundle::DataFileName(out, i, shards);
      expected_files.push_back(written);
      CHECK_MESSAGE(ReadWholeFile(written) == ReadWholeFile(state->shard_paths[i]),
                    "data shard " << i << " differs");
    }
    expected_files.push_back(out + ".index");
    CHECK(report->files == expected_files);
    CHECK(ListDir(out_dir).size() == expected_files.size());
    if (rel == std::string(kTfRanking) + ".index") {
      // Written by another snappy version: same entries, same block type, other bytes.
      CHECK(IndexRecords(out + ".index") == IndexRecords(prefix + ".index"));
      CHECK(IndexCompressionOf(out + ".index") == sstable::Compression::kSnappy);
    } else {
      CHECK_MESSAGE(ReadWholeFile(out + ".index") == ReadWholeFile(prefix + ".index"),
                    "index differs");
    }
    reproduced.push_back(rel);
  }
  // PROVENANCE.md: 27 bundles, three without (all) data shards.
  CHECK(refused == std::vector<std::string>{
                       "google-bert-chinese-base-release-index-only/bert_model.ckpt.index",
                       "swift-models-minigo-index-only/minigo.index",
                       "t5x-mtf-tiny-bf16-missing-shard1/model.ckpt-0.index"});
  CHECK(reproduced.size() == 24);
  for (const char* must : {"tda-keras-tf2ckpt-empty-prefix/.index",
                           "tfx-estimator-wide-deep-3ckpts/model.ckpt-0.index",
                           "tfx-estimator-wide-deep-3ckpts/model.ckpt-999.index",
                           "tfx-estimator-wide-deep-3ckpts/model.ckpt-1000.index"}) {
    CHECK_MESSAGE(std::find(reproduced.begin(), reproduced.end(), must) != reproduced.end(), must);
  }
}

TEST_CASE("tf_bundle writer: index compression none and snappy hold identical entries") {
  std::vector<std::string> prefixes = {ScopesPrefix()};
  // An 11 KB uncompressed index and a snappy one (PROVENANCE.md).
  for (const char* rel : {"t2t-transformer-2shard-adam/model.ckpt-1",
                          "tfserving-half-plus-two-tf1-savedmodel/variables"}) {
    const std::string p = RealDir() + "/" + rel;
    if (FileExists(p + ".index")) {
      prefixes.push_back(p);
    } else {
      MESSAGE("skipped: " << p << ".index not found");
    }
  }
  ScratchDir tmp;
  for (const std::string& prefix : prefixes) {
    CAPTURE(prefix);
    const Checkpoint source = OpenBundle(prefix);
    const auto records = IndexRecords(prefix + ".index");
    tfbundle::WriteOptions none, snappy;
    none.index_compression = tfbundle::IndexCompression::kNone;
    snappy.index_compression = tfbundle::IndexCompression::kSnappy;
    const std::string base = tmp / fs::path(prefix).parent_path().filename().string();
    REQUIRE(RenameTo(source, RenameMap(), base + "-none", none).ok());
    REQUIRE(RenameTo(source, RenameMap(), base + "-snappy", snappy).ok());
    CHECK(IndexCompressionOf(base + "-none.index") == sstable::Compression::kNone);
    CHECK(IndexRecords(base + "-none.index") == records);
    CHECK(IndexRecords(base + "-snappy.index") == records);
    CheckVerifies(base + "-none", source.store.size());
    CheckVerifies(base + "-snappy", source.store.size());
    if (prefix != ScopesPrefix()) {
      // Both real indexes shrink by more than 1/8 under snappy, so blocks are stored type 1.
      CHECK(IndexCompressionOf(base + "-snappy.index") == sstable::Compression::kSnappy);
      CHECK(*FileSize(base + "-snappy.index") < *FileSize(base + "-none.index"));
    }
  }
}

TEST_CASE("tf_bundle writer: link_data hard-links the data shards") {
  ScratchDir tmp;
  fs::create_directories(tmp / "in");
  const std::string in = CopyBundle(ScopesPrefix(), tmp / "in");
  const Checkpoint source = OpenBundle(in);
  tfbundle::WriteOptions link;
  link.link_data = true;
  auto report =
      RenameTo(source, InlineRules({"model_1/layer_a/=model_3/layer_a/"}), tmp / "out", link);
  REQUIRE_MESSAGE(report.ok(), report.status().message());
  CHECK(report->data_linked);
  CHECK_FALSE(report->data_copied);
  struct stat a {
  }, b{};
  REQUIRE(::stat((in + ".data-00000-of-00001").c_str(), &a) == 0);
  REQUIRE(::stat((tmp / "out.data-00000-of-00001").c_str(), &b) == 0);
  CHECK(a.st_ino == b.st_ino);
  CHECK(a.st_dev == b.st_dev);
  CHECK(b.st_nlink == 2);
  CheckVerifies(tmp / "out", 12);
  CHECK(ListDir(tmp / "in").size() == 2);

  SUBCASE("O(index): a 16 GiB sparse shard links as fast as a tiny one") {
    // The entries use only the first bytes; the rest is a hole. Reading or copying the
    // shard would take far longer than the bound below, linking does not look at it.
    const std::string big = tmp / "in/model.ckpt.data-00000-of-00001";
    REQUIRE(::truncate(big.c_str(), 16LL << 30) == 0);
    const Checkpoint sparse = OpenBundle(in);
    const auto start = std::chrono::steady_clock::now();
    auto linked = RenameTo(sparse, InlineRules({"global_step=step"}), tmp / "big", link);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    REQUIRE_MESSAGE(linked.ok(), linked.status().message());
    CHECK(seconds < 5.0);
    CHECK(*FileSize(tmp / "big.data-00000-of-00001") == (16ULL << 30));
  }
}

TEST_CASE("tf_bundle writer: compact after a drop writes only the kept tensors") {
  ScratchDir tmp;
  const Checkpoint source = OpenBundle(ScopesPrefix());
  RenameMap map;
  REQUIRE(map.AddDrop("model_1/layer_a/").ok());
  tfbundle::WriteOptions compact;
  compact.compact = true;
  auto report = RenameTo(source, map, tmp / "out", compact);
  REQUIRE_MESSAGE(report.ok(), report.status().message());
  CHECK(report->data_streamed);
  // testdata/scopes: 264 data bytes; the six layer_a tensors hold 3*16 + 3*48 = 192.
  CHECK(*FileSize(ScopesPrefix() + ".data-00000-of-00001") == 264);
  CHECK(*FileSize(tmp / "out.data-00000-of-00001") == 72);
  const Checkpoint out = OpenBundle(tmp / "out");
  CHECK(out.store.size() == 6);
  for (const auto& [name, e] : out.store) {
    CAPTURE(name);
    const TensorEntry* before = source.store.Find(name);
    REQUIRE(before != nullptr);
    CHECK(name.rfind("model_1/layer_a/", 0) != 0);
    CHECK(e.dtype == before->dtype);
    CHECK(e.shape == before->shape);
    CHECK(e.stored_crc32c == before->stored_crc32c);
    CHECK(TensorBytes(e) == TensorBytes(*before));
  }
  CheckVerifies(tmp / "out", 6);

  SUBCASE("without compact the dropped bytes stay in the copied shard") {
    auto kept = RenameTo(source, map, tmp / "plain");
    REQUIRE(kept.ok());
    CHECK(*FileSize(tmp / "plain.data-00000-of-00001") == 264);
    CheckVerifies(tmp / "plain", 6);
  }
}

TEST_CASE("tf_bundle writer: compact drop of optimizer state in a real TF2 bundle") {
  const std::string prefix = RealDir() + "/tfx-keras-savedmodel-adam-slots/variables";
  if (!FileExists(prefix + ".index")) {
    MESSAGE("skipped: " << prefix << ".index not found");
    return;
  }
  ScratchDir tmp;
  const Checkpoint source = OpenBundle(prefix);
  PlanOptions drop;
  drop.drop_optimizer = true;
  tfbundle::WriteOptions compact;
  compact.compact = true;
  auto report = RenameTo(source, RenameMap(), tmp / "out", compact, drop);
  REQUIRE_MESSAGE(report.ok(), report.status().message());
  CHECK(report->graph_rewritten);
  const Checkpoint out = OpenBundle(tmp / "out");
  // 28 entries minus 12 slots and 5 optimizer hyperparameters.
  CHECK(out.store.size() == 11);
  for (const auto& [name, e] : out.store) {
    CHECK(name.find(".OPTIMIZER_SLOT") == std::string::npos);
    CHECK(name.rfind("optimizer/", 0) != 0);
    if (name != tfbundle::kObjectGraphKey) {
      CHECK(TensorBytes(e) == TensorBytes(*source.store.Find(name)));
    }
  }
  CHECK(*FileSize(tmp / "out.data-00000-of-00001") < *FileSize(prefix + ".data-00000-of-00001"));
  CheckGraphMatchesIndex(out);
  CheckVerifies(tmp / "out", 11);
}

namespace {

TensorEntry FloatEntry(std::string name, std::vector<int64_t> shape, float first) {
  TensorEntry e;
  e.name = std::move(name);
  e.dtype = DType::kFloat32;
  e.shape = std::move(shape);
  const uint64_t n = *ShapeNumElements(e.shape);
  std::vector<uint8_t> bytes(4 * n);
  for (uint64_t i = 0; i < n; ++i) {
    const float v = first + static_cast<float>(i);
    std::memcpy(bytes.data() + 4 * i, &v, 4);
  }
  e.byte_size = bytes.size();
  e.data = std::make_shared<MemoryByteSource>(e.name, std::move(bytes));
  return e;
}

}  // namespace

TEST_CASE("tf_bundle writer: slices of a partitioned variable follow its rename") {
  // A TF1 partitioned variable `emb` [4, 2] saved as two row slices, plus a plain tensor.
  const TensorSlice top = {{0, 2}, {0, -1}}, bottom = {{2, 2}, {0, -1}};
  Checkpoint generated;
  generated.format = "generated";
  TensorEntry emb;
  emb.name = "emb";
  emb.dtype = DType::kFloat32;
  emb.shape = {4, 2};
  emb.kind = EntryKind::kPartitioned;
  emb.mutable_slices() = {top, bottom};
  REQUIRE(generated.store.Add(emb).ok());
  for (const auto& [slice, first] : {std::pair{top, 0.0f}, std::pair{bottom, 4.0f}}) {
    TensorEntry s = FloatEntry(tfslice::EncodeTensorNameSlice("emb", slice), {2, 2}, first);
    s.kind = EntryKind::kSlice;
    s.set_partitioned_name("emb");
    REQUIRE(generated.store.Add(std::move(s)).ok());
  }
  REQUIRE(generated.store.Add(FloatEntry("w", {3}, 10.0f)).ok());
  ScratchDir tmp;
  REQUIRE(tfbundle::WriteTfBundle(generated, generated.store, tmp / "in", {}).ok());
  const Checkpoint source = OpenBundle(tmp / "in");
  REQUIRE(source.store.size() == 4);
  REQUIRE(source.store.Find("emb")->kind == EntryKind::kPartitioned);

  auto renamed = RenameTo(source, InlineRules({"emb=enc/emb"}), tmp / "out");
  REQUIRE_MESSAGE(renamed.ok(), renamed.status().message());
  const Checkpoint out = OpenBundle(tmp / "out");
  std::vector<std::string> keys;
  for (const auto& [name, e] : out.store) keys.push_back(name);
  // Slice keys start with a NUL byte, so they sort first.
  CHECK(keys == std::vector<std::string>{tfslice::EncodeTensorNameSlice("enc/emb", top),
                                         tfslice::EncodeTensorNameSlice("enc/emb", bottom),
                                         "enc/emb", "w"});
  CHECK(out.store.Find("enc/emb")->slices() == std::vector<TensorSlice>{top, bottom});
  for (const TensorSlice& s : {top, bottom}) {
    const TensorEntry* after = out.store.Find(tfslice::EncodeTensorNameSlice("enc/emb", s));
    REQUIRE(after != nullptr);
    CHECK(after->partitioned_name() == "enc/emb");
    CHECK(TensorBytes(*after) ==
          TensorBytes(*source.store.Find(tfslice::EncodeTensorNameSlice("emb", s))));
  }
  CheckVerifies(tmp / "out", 3);  // two slices and w; the partitioned entry holds no bytes

  SUBCASE("dropping the variable drops its slices") {
    RenameMap drop;
    REQUIRE(drop.AddDrop("emb").ok());
    REQUIRE(RenameTo(source, drop, tmp / "dropped").ok());
    const Checkpoint d = OpenBundle(tmp / "dropped");
    CHECK(d.store.size() == 1);
    CHECK(d.store.Find("w") != nullptr);
  }
}
