// SPDX-License-Identifier: Apache-2.0
// Tests of sharded PyTorch output (pytorch_model-0000i-of-0000N.bin + pytorch_model.bin.index.json,
// PYTORCH.md §7): Hugging Face's split rule, the index JSON text, ties kept in one shard, plain
// dict shards, and a shard set renamed with its layout kept.
#include <doctest/doctest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "formats/pytorch/pytorch_reader.h"
#include "formats/pytorch/pytorch_writer.h"

using namespace rescope;
using namespace rescope::pytorch;
namespace fs = std::filesystem;

namespace {

const fs::path kTorchDir = RESCOPE_TORCH_TESTDATA_DIR;

fs::path FreshDir(const std::string& name) {
  const fs::path dir =
      fs::temp_directory_path() / ("rescope_ptshard_" + std::to_string(::getpid())) / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::string Slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Bytes(const TensorEntry& e) {
  std::vector<uint8_t> scratch;
  auto view = e.data->Read(e.data_offset, e.byte_size, scratch);
  REQUIRE_MESSAGE(view.ok(), view.status().message());
  return std::string(view->AsStringView());
}

std::string Note(const TensorEntry& e, const std::string& key) {
  for (const auto& [k, v] : e.notes()) {
    if (k == key) return v;
  }
  return {};
}

void CheckSameTensors(const Checkpoint& a, const Checkpoint& b) {
  REQUIRE(a.store.size() == b.store.size());
  for (const auto& [name, e] : a.store) {
    const TensorEntry* o = b.store.Find(name);
    REQUIRE_MESSAGE(o != nullptr, name);
    CHECK(o->dtype == e.dtype);
    CHECK(o->shape == e.shape);
    CHECK_MESSAGE(Bytes(*o) == Bytes(e), name);
  }
}

// The shard file each tensor of `ckpt` (opened through an index) was read from.
std::map<std::string, std::string> ShardOf(const Checkpoint& ckpt) {
  std::map<std::string, std::string> out;
  for (const auto& [name, e] : ckpt.store) {
    REQUIRE(e.shard >= 0);
    out[name] = fs::path(ckpt.files.at(static_cast<size_t>(e.shard) + 1).path).filename();
  }
  return out;
}

bool SkipWithoutFixtures() {
  if (fs::exists(kTorchDir)) return false;
  MESSAGE("skipped: " << kTorchDir.string() << " not found");
  return true;
}

}  // namespace

TEST_CASE("pytorch shards: Hugging Face split, index JSON, bit-identical read back") {
  if (SkipWithoutFixtures()) return;
  auto src = OpenPyTorch((kTorchDir / "plain_state_dict.pt").string());
  REQUIRE_MESSAGE(src.ok(), src.status().message());
  const fs::path dir = FreshDir("split");
  WriteOptions options;
  options.max_shard_size = 500;
  auto written = WritePyTorch(*src, src->store, (dir / "pytorch_model.bin").string(), options);
  REQUIRE_MESSAGE(written.ok(), written.status().message());
  // Storage sizes from plain_state_dict.expected.json, in state_dict order: embed.weight 240,
  // conv.weight 432, conv.bias / bn.weight / bn.bias / bn.running_mean / bn.running_var 16
  // each, bn.num_batches_tracked 8, fc.weight 512, fc.bias 32. Limit 500: 240 | 432 + 4 x 16
  // = 496 | fc.weight (512 > 500, a shard of its own, cut while 16 + 8 is open) | 16 + 8 + 32.
  const std::string s1 = "pytorch_model-00001-of-00004.bin",
                    s2 = "pytorch_model-00002-of-00004.bin",
                    s3 = "pytorch_model-00003-of-00004.bin",
                    s4 = "pytorch_model-00004-of-00004.bin";
  CHECK(*written == std::vector<std::string>{(dir / s1).string(), (dir / s2).string(),
                                             (dir / s3).string(), (dir / s4).string(),
                                             (dir / "pytorch_model.bin.index.json").string()});
  CHECK(Slurp(dir / "pytorch_model.bin.index.json") ==
        "{\n"
        "  \"metadata\": {\n"
        "    \"total_size\": 1304\n"
        "  },\n"
        "  \"weight_map\": {\n"
        "    \"bn.bias\": \"" +
            s2 +
            "\",\n"
            "    \"bn.num_batches_tracked\": \"" +
            s4 +
            "\",\n"
            "    \"bn.running_mean\": \"" +
            s2 +
            "\",\n"
            "    \"bn.running_var\": \"" +
            s4 +
            "\",\n"
            "    \"bn.weight\": \"" +
            s2 +
            "\",\n"
            "    \"conv.bias\": \"" +
            s2 +
            "\",\n"
            "    \"conv.weight\": \"" +
            s2 +
            "\",\n"
            "    \"embed.weight\": \"" +
            s1 +
            "\",\n"
            "    \"fc.bias\": \"" +
            s4 +
            "\",\n"
            "    \"fc.weight\": \"" +
            s3 +
            "\"\n"
            "  }\n"
            "}\n");
  CHECK_FALSE(fs::exists(dir / "pytorch_model.bin"));
  // No temporaries left behind.
  size_t files = 0;
  for (const auto& f : fs::directory_iterator(dir)) files += f.is_regular_file() ? 1 : 0;
  CHECK(files == 5);

  auto back = OpenPyTorch((dir / "pytorch_model.bin.index.json").string());
  REQUIRE_MESSAGE(back.ok(), back.status().message());
  CheckSameTensors(*src, *back);
  CHECK(ShardOf(*back).at("fc.bias") == s4);
  // A shard is torch.save of a plain dict (no OrderedDict, no _metadata) in split order.
  auto shard = OpenPyTorch((dir / s4).string());
  REQUIRE(shard.ok());
  auto state = std::dynamic_pointer_cast<const PyTorchState>(shard->state);
  REQUIRE(state != nullptr);
  CHECK_FALSE(state->root->ordered);
  CHECK(state->metadata.empty());
  CHECK(state->key_order ==
        std::vector<std::string>{"bn.running_var", "bn.num_batches_tracked", "fc.bias"});
  CHECK(state->archive == "pytorch_model-00004-of-00004");
}

TEST_CASE("pytorch shards: a tie stays one tensor in its first name's shard") {
  if (SkipWithoutFixtures()) return;
  auto src = OpenPyTorch((kTorchDir / "shared_and_views.pt").string());
  REQUIRE_MESSAGE(src.ok(), src.status().message());
  const fs::path dir = FreshDir("ties");
  WriteOptions options;
  options.max_shard_size = 100;
  auto written = WritePyTorch(*src, src->store, (dir / "model.pt").string(), options);
  REQUIRE_MESSAGE(written.ok(), written.status().message());
  // Logical sizes (shared_and_views.expected.json): embed.weight [5,3] 60, lm_head.weight the
  // same tensor, proj.weight [4,6] 96, proj_t 96, proj_rows_1_3 [2,6] 48, proj_col_2 [4] 16,
  // proj_every_other [4,3] 48, expanded [4,3] 48, standalone [5] 20. Limit 100:
  // 60 | 96 | 96 | 48 + 16 | 48 + 48 | 20, and lm_head.weight joins embed.weight.
  REQUIRE(written->size() == 7);
  CHECK(written->back() == (dir / "model.bin.index.json").string());
  const std::string index = Slurp(dir / "model.bin.index.json");
  CHECK(index.find("\"total_size\": 432\n") != std::string::npos);  // the tie counted once
  auto back = OpenPyTorch(written->back());
  REQUIRE_MESSAGE(back.ok(), back.status().message());
  CheckSameTensors(*src, *back);
  const auto shard_of = ShardOf(*back);
  CHECK(shard_of.at("lm_head.weight") == "model-00001-of-00006.bin");
  CHECK(shard_of.at("embed.weight") == "model-00001-of-00006.bin");
  CHECK(shard_of.at("proj_col_2") == "model-00004-of-00006.bin");
  CHECK(shard_of.at("standalone") == "model-00006-of-00006.bin");
  // Still one tensor (BINGET of the first), so the reader sees the alias again.
  CHECK(Note(*back->store.Find("lm_head.weight"), "alias_of") == "embed.weight");
  // Views were written as contiguous copies of their own.
  CHECK(Note(*back->store.Find("proj_t"), "stride").empty());
}

TEST_CASE("pytorch shards: a renamed shard set keeps its layout; one shard means no index") {
  if (SkipWithoutFixtures()) return;
  auto src = OpenPyTorch((kTorchDir / "plain_state_dict.pt").string());
  REQUIRE(src.ok());
  const fs::path first = FreshDir("set");
  WriteOptions split;
  split.max_shard_size = 500;
  REQUIRE(WritePyTorch(*src, src->store, (first / "pytorch_model.bin").string(), split).ok());
  auto set = OpenPyTorch(first.string());
  REQUIRE_MESSAGE(set.ok(), set.status().message());

  TensorStore renamed;
  for (const auto& [name, e] : set->store) {
    TensorEntry copy = e;
    copy.Rename("model." + name);
    renamed.Put(copy);
  }
  const fs::path second = FreshDir("renamed");
  auto written = WritePyTorch(*set, renamed, (second / "pytorch_model.bin.index.json").string());
  REQUIRE_MESSAGE(written.ok(), written.status().message());
  CHECK(written->size() == 5);
  auto back = OpenPyTorch(second.string());
  REQUIRE_MESSAGE(back.ok(), back.status().message());
  const auto before = ShardOf(*set), after = ShardOf(*back);
  REQUIRE(after.size() == before.size());
  for (const auto& [name, shard] : before) {
    CHECK(after.at("model." + name) == shard);
    CHECK(Bytes(*back->store.Find("model." + name)) == Bytes(*set->store.Find(name)));
  }

  // keep_source_shards = false: one file, no index.
  const fs::path third = FreshDir("merged");
  WriteOptions merge;
  merge.keep_source_shards = false;
  written =
      WritePyTorch(*set, set->store, (third / "pytorch_model.bin.index.json").string(), merge);
  REQUIRE_MESSAGE(written.ok(), written.status().message());
  CHECK(*written == std::vector<std::string>{(third / "pytorch_model.bin").string()});
  auto single = OpenPyTorch(written->front());
  REQUIRE(single.ok());
  CheckSameTensors(*src, *single);

  // A limit every tensor fits under gives a single file, as transformers writes it.
  const fs::path fourth = FreshDir("one");
  WriteOptions big;
  big.max_shard_size = 5000000000ULL;
  written = WritePyTorch(*src, src->store, (fourth / "pytorch_model.bin").string(), big);
  REQUIRE(written.ok());
  CHECK(*written == std::vector<std::string>{(fourth / "pytorch_model.bin").string()});
}

TEST_CASE("pytorch shards: a tensor torch cannot hold fails before any shard is written") {
  auto bytes = std::make_shared<MemoryByteSource>("mem", std::vector<uint8_t>(64, 1));
  Checkpoint ckpt;
  ckpt.format = "tf_bundle";
  TensorEntry w;
  w.name = "w";
  w.dtype = DType::kFloat32;
  w.shape = {4, 4};
  w.byte_size = 64;
  w.data = bytes;
  REQUIRE(ckpt.store.Add(w).ok());
  TensorEntry s = w;
  s.name = "labels";
  s.dtype = DType::kString;
  s.shape = {2};
  s.byte_size = 16;
  REQUIRE(ckpt.store.Add(s).ok());
  CHECK_FALSE(WhyNotWritable(w).has_value());
  CHECK(WhyNotWritable(s) == std::optional<std::string>("dtype string has no PyTorch equivalent"));

  const fs::path dir = FreshDir("refused");
  WriteOptions options;
  options.max_shard_size = 32;
  auto written = WritePyTorch(ckpt, ckpt.store, (dir / "pytorch_model.bin").string(), options);
  REQUIRE_FALSE(written.ok());
  CHECK(written.status().message() ==
        (dir / "pytorch_model.bin").string() + ": labels: dtype string has no PyTorch equivalent");
  CHECK(fs::is_empty(dir));  // no shard, no index, no temporary
}
