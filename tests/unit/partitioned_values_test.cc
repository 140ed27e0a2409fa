// SPDX-License-Identifier: Apache-2.0
// Tests of the tiling check and of assembling partitioned variables from hand-built slices
// (core/partitioned_values). Expected values are worked out by hand: the full tensor holds
// 0, 1, 2, ... in row-major order, and each slice holds the numbers of its own elements.
#include "core/values/partitioned_values.h"

#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "core/values/tensor_values.h"
#include "tests/unit/value_test_util.h"

using namespace rescope;
using namespace rescope::testing;

namespace {

SliceExtent Part(int64_t start, int64_t length) { return {start, length}; }
const SliceExtent kAll{};  // start 0, length -1: the whole dimension

bool Contains(const Status& st, const std::string& text) {
  return st.message().find(text) != std::string::npos;
}

// A kSlice entry of `variable` holding `values` (int32) for `slice`.
TensorEntry SliceEntry(const std::string& variable, const TensorSlice& slice,
                       std::vector<int64_t> shape, const std::vector<int32_t>& values) {
  TensorEntry e;
  e.name = variable + "@" + SliceToString(slice);  // any unique name; readers use the slice key
  e.kind = EntryKind::kSlice;
  e.set_partitioned_name(variable);
  e.set_slice(slice);
  e.dtype = DType::kInt32;
  e.shape = std::move(shape);
  std::vector<uint8_t> bytes = LEBytes(values);
  e.byte_size = bytes.size();
  e.data = std::make_shared<MemoryByteSource>(e.name, std::move(bytes));
  return e;
}

TensorEntry Variable(const std::string& name, std::vector<int64_t> shape,
                     std::vector<TensorSlice> slices) {
  TensorEntry e;
  e.name = name;
  e.kind = EntryKind::kPartitioned;
  e.dtype = DType::kInt32;
  e.shape = std::move(shape);
  e.mutable_slices() = std::move(slices);
  return e;
}

std::vector<int64_t> AllInts(const TensorEntry& e) {
  auto reader = ElementReader::Open(e);
  REQUIRE(reader.ok());
  std::vector<int64_t> out(reader->num_elements());
  auto n = reader->ReadInt64(out.data(), out.size());
  REQUIRE(n.ok());
  CHECK(*n == out.size());
  return out;
}

}  // namespace

TEST_CASE("partitioned: slices that tile the shape exactly pass") {
  // axis 0 of [6, 4] in 3 (fixed_size_partitioner(3)), axis 1 of [3, 5] in 2 (3 + 2 columns)
  CHECK(CheckSlicesTile("v", {6, 4}, {{Part(0, 2), kAll}, {Part(2, 2), kAll}, {Part(4, 2), kAll}})
            .ok());
  CHECK(CheckSlicesTile("v", {3, 5}, {{kAll, Part(0, 3)}, {kAll, Part(3, 2)}}).ok());
  // a 2 x 2 grid of blocks, listed out of order
  CHECK(CheckSlicesTile("v", {4, 4},
                        {{Part(2, 2), Part(0, 2)},
                         {Part(0, 2), Part(0, 2)},
                         {Part(0, 2), Part(2, 2)},
                         {Part(2, 2), Part(2, 2)}})
            .ok());
}

TEST_CASE("partitioned: a gap is refused, naming the variable and the count covered") {
  // rows 2..3 of [6, 4] are in no slice: 16 of 24 elements covered
  const Status st = CheckSlicesTile("emb", {6, 4}, {{Part(0, 2), kAll}, {Part(4, 2), kAll}});
  REQUIRE(!st.ok());
  CHECK(st.code() == StatusCode::kCorruption);
  CHECK(Contains(st, "\"emb\""));
  CHECK(Contains(st, "cover 16 of 24 elements"));
}

TEST_CASE("partitioned: overlapping slices are refused, naming both") {
  // rows [0, 3) and [2, 6) share row 2; their volumes (12 + 16) exceed 24, but the check
  // must name the overlap, not a count
  const Status st = CheckSlicesTile("emb", {6, 4}, {{Part(0, 3), kAll}, {Part(2, 4), kAll}});
  REQUIRE(!st.ok());
  CHECK(Contains(st, "\"emb\""));
  CHECK(Contains(st, "0,3:- and 2,4:- overlap"));
  // same volume as the shape yet overlapping: [0, 4) x [0, 2) and [2, 4) x [0, 4) on [4, 4]
  // would cover 8 + 8 = 16 elements with an overlap and a gap; refused as an overlap
  const Status both =
      CheckSlicesTile("w", {4, 4}, {{Part(0, 4), Part(0, 2)}, {Part(2, 2), Part(0, 4)}});
  REQUIRE(!both.ok());
  CHECK(Contains(both, "overlap"));
}

TEST_CASE("partitioned: extents outside the shape, wrong rank, odd whole dims are refused") {
  CHECK(Contains(CheckSlicesTile("v", {6, 4}, {{Part(4, 3), kAll}}), "outside"));
  CHECK(Contains(CheckSlicesTile("v", {6, 4}, {{Part(-1, 2), kAll}}), "outside"));
  CHECK(Contains(CheckSlicesTile("v", {6, 4}, {{Part(0, 6)}}), "rank is 2"));
  CHECK(Contains(CheckSlicesTile("v", {6, 4}, {{Part(3, -1), kAll}}), "marked whole"));
  CHECK(Contains(CheckSlicesTile("v", {6, 4}, {}), "no slices"));
}

TEST_CASE("partitioned: axis-1 slices assemble into the row-major whole") {
  // [3, 4] = 0..11; columns [0, 1) hold 0, 4, 8 and columns [1, 4) hold the rest row by row
  TensorStore store;
  const TensorSlice left{kAll, Part(0, 1)}, right{kAll, Part(1, 3)};
  REQUIRE(store.Add(Variable("w", {3, 4}, {right, left})).ok());
  REQUIRE(store.Add(SliceEntry("w", left, {3, 1}, {0, 4, 8})).ok());
  REQUIRE(store.Add(SliceEntry("w", right, {3, 3}, {1, 2, 3, 5, 6, 7, 9, 10, 11})).ok());
  auto whole = AssemblePartitioned(store, *store.Find("w"));
  REQUIRE(whole.ok());
  CHECK(whole->kind == EntryKind::kTensor);
  CHECK(whole->shape == std::vector<int64_t>{3, 4});
  CHECK(AllInts(*whole) == std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
}

TEST_CASE("partitioned: a 3-d block grid with whole trailing dims assembles") {
  // [2, 2, 2] = 0..7 split along axis 0 (each half contiguous) and axis 1 (two runs of 2)
  TensorStore store;
  const TensorSlice a{Part(0, 1), kAll, kAll};
  const TensorSlice b{Part(1, 1), Part(0, 1), kAll};
  const TensorSlice c{Part(1, 1), Part(1, 1), kAll};
  REQUIRE(store.Add(Variable("t", {2, 2, 2}, {a, b, c})).ok());
  REQUIRE(store.Add(SliceEntry("t", a, {1, 2, 2}, {0, 1, 2, 3})).ok());
  REQUIRE(store.Add(SliceEntry("t", b, {1, 1, 2}, {4, 5})).ok());
  REQUIRE(store.Add(SliceEntry("t", c, {1, 1, 2}, {6, 7})).ok());
  auto whole = AssemblePartitioned(store, *store.Find("t"));
  REQUIRE(whole.ok());
  CHECK(AllInts(*whole) == std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6, 7});
}

TEST_CASE("partitioned: missing slice, wrong slice shape, size limit and strings refused") {
  const TensorSlice top{Part(0, 1), kAll}, bottom{Part(1, 1), kAll};
  TensorStore store;
  REQUIRE(store.Add(Variable("w", {2, 2}, {top, bottom})).ok());
  REQUIRE(store.Add(SliceEntry("w", top, {1, 2}, {0, 1})).ok());
  auto missing = AssemblePartitioned(store, *store.Find("w"));
  REQUIRE(!missing.ok());
  CHECK(Contains(missing.status(), "slice 1,1:- is listed but not stored"));

  REQUIRE(store.Add(SliceEntry("w", bottom, {2, 1}, {2, 3})).ok());  // transposed
  auto wrong = AssemblePartitioned(store, *store.Find("w"));
  REQUIRE(!wrong.ok());
  CHECK(Contains(wrong.status(), "expected int32 [1, 2]"));

  // 4 int32 = 16 bytes: refused under a 15-byte limit
  store.Put(SliceEntry("w", bottom, {1, 2}, {2, 3}));  // replaces the transposed one
  CHECK(AssemblePartitioned(store, *store.Find("w"), 16).ok());
  auto big = AssemblePartitioned(store, *store.Find("w"), 15);
  REQUIRE(!big.ok());
  CHECK(big.status().code() == StatusCode::kNotSupported);

  TensorEntry text = Variable("s", {2}, {{Part(0, 1)}, {Part(1, 1)}});
  text.dtype = DType::kString;
  auto strings = AssemblePartitioned(store, text);
  REQUIRE(!strings.ok());
  CHECK(strings.status().code() == StatusCode::kNotSupported);
}
