// SPDX-License-Identifier: Apache-2.0
// Tests of value transforms (core/values/tensor_transform.h) and of transforms in rename plans:
// permuted bytes are checked against index arithmetic written out here, independently of
// the gathering code.
#include "core/values/tensor_transform.h"

#include <doctest/doctest.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "core/rename/rename_plan.h"
#include "core/rename/rename_rules.h"

using namespace rescope;

namespace {

// An int32 tensor of `shape` holding 0, 1, 2, ... in row-major order, `pad` bytes into
// its source so offsets are exercised too.
TensorEntry Iota(const std::string& name, std::vector<int64_t> shape, size_t pad = 3) {
  TensorEntry e;
  e.name = name;
  e.dtype = DType::kInt32;
  e.shape = std::move(shape);
  const uint64_t n = *ShapeNumElements(e.shape);
  std::vector<uint8_t> bytes(pad + n * 4, 0xee);
  for (uint64_t i = 0; i < n; ++i) StoreLE32(bytes.data() + pad + i * 4, static_cast<uint32_t>(i));
  e.byte_size = n * 4;
  e.data_offset = pad;
  e.stored_crc32c = 0x1234;
  e.data = std::make_shared<MemoryByteSource>("mem", std::move(bytes));
  return e;
}

std::vector<uint32_t> ReadAll(const TensorEntry& e, uint64_t window) {
  std::vector<uint32_t> out;
  std::vector<uint8_t> bytes, scratch;
  for (uint64_t at = 0; at < e.byte_size; at += window) {
    const uint64_t n = std::min(window, e.byte_size - at);
    auto view = e.data->Read(e.data_offset + at, n, scratch);
    REQUIRE_MESSAGE(view.ok(), view.status().message());
    bytes.insert(bytes.end(), view->begin(), view->end());
  }
  for (size_t i = 0; i + 4 <= bytes.size(); i += 4) out.push_back(LoadLE32(bytes.data() + i));
  return out;
}

}  // namespace

TEST_CASE("transform: transpose of a 3x4 matrix") {
  const TensorEntry in = Iota("w", {3, 4});
  auto out = PermuteEntry(in, {1, 0});
  REQUIRE(out.ok());
  CHECK(out->shape == std::vector<int64_t>{4, 3});
  CHECK(out->byte_size == 48);
  CHECK(out->bytes_transformed);
  CHECK_FALSE(out->stored_crc32c.has_value());
  CHECK(out->data_offset == 0);
  REQUIRE(out->notes().size() == 1);
  CHECK(out->notes()[0].second == "permute [1, 0] from [3, 4]");
  // Row r of the transpose is column r of the input: r, r+4, r+8.
  const std::vector<uint32_t> expected = {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11};
  for (uint64_t window : {48u, 4u, 7u, 1u}) CHECK(ReadAll(*out, window) == expected);
}

TEST_CASE("transform: 4-D permute, cached and direct gathering agree with index arithmetic") {
  const std::vector<int64_t> shape = {2, 3, 4, 5};  // like an HWIO kernel
  const std::vector<int> perm = {3, 2, 0, 1};       // HWIO -> OIHW
  std::vector<uint32_t> expected;
  // out[o][i][h][w] = in[h][w][i][o]
  for (int64_t o = 0; o < 5; ++o)
    for (int64_t i = 0; i < 4; ++i)
      for (int64_t h = 0; h < 2; ++h)
        for (int64_t w = 0; w < 3; ++w)
          expected.push_back(static_cast<uint32_t>(((h * 3 + w) * 4 + i) * 5 + o));
  for (uint64_t cache_limit : {uint64_t{1} << 20, uint64_t{0}}) {
    CAPTURE(cache_limit);
    auto out = PermuteEntry(Iota("k", shape), perm, cache_limit);
    REQUIRE(out.ok());
    CHECK(out->shape == std::vector<int64_t>{5, 4, 2, 3});
    for (uint64_t window : {480u, 64u, 6u}) CHECK(ReadAll(*out, window) == expected);
  }
}

TEST_CASE("transform: identity permutations leave the entry alone") {
  const TensorEntry in = Iota("v", {6});
  auto out = PermuteEntry(in, {0});
  REQUIRE(out.ok());
  CHECK_FALSE(out->bytes_transformed);
  CHECK(out->data == in.data);
  CHECK(out->stored_crc32c == in.stored_crc32c);
}

TEST_CASE("transform: what cannot be permuted is refused with a reason") {
  CHECK(*WhyNotPermutable(Iota("b", {4}), {1, 0}) ==
        "transpose needs a 2-D tensor, found shape [4]");
  CHECK(*WhyNotPermutable(Iota("k", {2, 2, 2}), {0, 0, 1}) ==
        "permute [0, 0, 1] is not a permutation of 0..2");
  TensorEntry s = Iota("s", {2, 2});
  s.dtype = DType::kString;
  CHECK(*WhyNotPermutable(s, {1, 0}) == "transpose needs fixed-size elements, found dtype string");
  TensorEntry p = Iota("p", {2, 2});
  p.kind = EntryKind::kPartitioned;
  CHECK(WhyNotPermutable(p, {1, 0})->find("partitioned variable") != std::string::npos);
  TensorEntry missing = Iota("m", {2, 2});
  missing.data.reset();
  missing.set_data_error("data shard 1 is missing");
  CHECK(*WhyNotPermutable(missing, {1, 0}) ==
        "transpose: its data cannot be read (data shard 1 is missing)");
  auto err = PermuteEntry(Iota("b", {4}), {1, 0});
  REQUIRE_FALSE(err.ok());
  CHECK(err.status().message() == "\"b\": transpose needs a 2-D tensor, found shape [4]");
}

TEST_CASE("rename plan: transforms travel with changes and are validated against the store") {
  auto map = RenameMap::ParseJson(R"({"rules": [
      {"name": "dense/kernel", "to": "fc.weight", "transpose": true},
      {"name": "dense/bias", "to": "fc.bias", "transpose": true},
      {"name": "conv/kernel", "to": "conv/kernel", "permute": [3, 2, 0, 1]}]})",
                                  "map.json");
  REQUIRE(map.ok());
  TensorStore store;
  REQUIRE(store.Add(Iota("dense/kernel", {3, 4})).ok());
  REQUIRE(store.Add(Iota("dense/bias", {4})).ok());
  REQUIRE(store.Add(Iota("conv/kernel", {2, 3, 4, 5})).ok());

  const RenamePlan plan = PlanStoreRename(store, *map, {});
  REQUIRE(plan.changes.size() == 3);
  // A transform-only rule is a change even though the name stays.
  const RenameChange* conv = plan.FindChange("conv/kernel");
  REQUIRE(conv != nullptr);
  CHECK(conv->new_name == "conv/kernel");
  CHECK(conv->permute == std::vector<int>{3, 2, 0, 1});
  REQUIRE(plan.errors.size() == 1);
  CHECK(plan.errors[0] ==
        "\"dense/bias\" (map.json: rule #2): transpose needs a 2-D tensor, found shape [4]");

  store.Remove("dense/bias");
  PlanOptions allow_unmatched;  // rule #2 now matches nothing
  allow_unmatched.allow_unmatched = true;
  const RenamePlan good = PlanStoreRename(store, *map, allow_unmatched);
  REQUIRE(good.ok());
  const TensorStore out = ApplyPlan(store, good);
  const TensorEntry* fc = out.Find("fc.weight");
  REQUIRE(fc != nullptr);
  CHECK(fc->SourceName() == "dense/kernel");
  CHECK(fc->shape == std::vector<int64_t>{4, 3});
  CHECK(ReadAll(*fc, 48) == std::vector<uint32_t>{0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11});
  CHECK(out.Find("conv/kernel")->shape == std::vector<int64_t>{5, 4, 2, 3});
}

TEST_CASE("rename plan: optimizer slots are transposed with their variable") {
  auto map = RenameMap::ParseJson(
      R"({"rules": [{"name": "dense/kernel", "to": "fc/weight", "transpose": true}]})", "map.json");
  REQUIRE(map.ok());
  TensorStore store;
  REQUIRE(store.Add(Iota("dense/kernel", {3, 4})).ok());
  REQUIRE(store.Add(Iota("training/dense/kernel/Adam", {3, 4})).ok());
  const RenamePlan plan = PlanStoreRename(store, *map, {});
  REQUIRE(plan.ok());
  const TensorStore out = ApplyPlan(store, plan);
  const TensorEntry* slot = out.Find("training/fc/weight/Adam");
  REQUIRE(slot != nullptr);
  CHECK(slot->shape == std::vector<int64_t>{4, 3});
  CHECK(ReadAll(*slot, 48) == std::vector<uint32_t>{0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11});

  // A slot of another shape than its variable cannot take the variable's transpose.
  REQUIRE(store.Add(Iota("dense/kernel/Momentum", {2, 6})).ok());
  const RenamePlan bad = PlanStoreRename(store, *map, {});
  CHECK(bad.errors == std::vector<std::string>{
                          "\"dense/kernel/Momentum\" (map.json: rule #1, following "
                          "\"dense/kernel\"): shape [2, 6] differs from its variable's [3, 4], "
                          "so the rule's transform cannot be applied to it (add a rule for it)"});
}

TEST_CASE("rename plan: a transform-only change still conflicts with a rename onto its name") {
  auto map = RenameMap::ParseJson(R"({"rules": [
      {"name": "a", "to": "a", "transpose": true}, {"name": "b", "to": "a"}]})",
                                  "map.json");
  REQUIRE(map.ok());
  const RenamePlan plan = PlanRename({"a", "b"}, *map, {});
  REQUIRE(plan.errors.size() == 1);
  CHECK(plan.errors[0] ==
        "\"a\" (map.json: rule #1) and \"b\" (map.json: rule #2) would both be renamed to \"a\"");
}
