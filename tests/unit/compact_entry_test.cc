// SPDX-License-Identifier: Apache-2.0
// Tests of the compact TensorEntry: the inline Shape, the source name kept only after a
// rename, and the rare fields behind one deep-copied pointer.
#include <doctest/doctest.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/store/shape.h"
#include "core/store/tensor_store.h"

using namespace rescope;

TEST_CASE("Shape holds dims inline and on the heap like a vector") {
  Shape s;
  CHECK(s.empty());
  CHECK(s == std::vector<int64_t>{});
  std::vector<int64_t> want;
  // Past the inline capacity and through two more growths.
  for (int64_t d = 1; d <= 11; ++d) {
    s.push_back(d * 10);
    want.push_back(d * 10);
    REQUIRE(s.size() == want.size());
    CHECK(s == want);
    CHECK(s.back() == d * 10);
  }
  CHECK(static_cast<std::vector<int64_t>>(s) == want);
  CHECK(std::vector<int64_t>(s.rbegin(), s.rend()) ==
        std::vector<int64_t>(want.rbegin(), want.rend()));

  Shape copy = s;  // heap copy is independent
  copy[0] = -1;
  CHECK(s[0] == 10);
  Shape moved = std::move(copy);
  CHECK(moved[0] == -1);
  CHECK(moved.size() == 11);
  CHECK(copy.empty());  // NOLINT(bugprone-use-after-move): a moved-from Shape is empty

  Shape small = {3, 4};
  Shape small_moved = std::move(small);
  CHECK(small_moved == Shape{3, 4});
  small_moved = moved;  // inline <- heap
  CHECK(small_moved == moved);
  small_moved = Shape{7};  // heap <- inline
  CHECK(small_moved == std::vector<int64_t>{7});
  CHECK(small_moved != Shape{7, 1});
  CHECK(Shape{} != Shape{0});
  CHECK(ShapeToString(Shape{2, 3}) == "[2, 3]");
  CHECK(ShapeNumElements(Shape{2, 3, 0}) == 0u);
  CHECK(!ShapeNumElements(Shape{2, -1}).has_value());

  Shape grown;
  grown.resize(6, 1);
  CHECK(grown == std::vector<int64_t>(6, 1));
}

TEST_CASE("an entry keeps its file's name through renames") {
  TensorEntry e;
  e.name = "dense/kernel";
  CHECK(e.SourceName() == "dense/kernel");
  e.Rename("fc/weight");
  CHECK(e.name == "fc/weight");
  CHECK(e.SourceName() == "dense/kernel");
  e.Rename("fc2/weight");  // a second rename keeps the first name
  CHECK(e.SourceName() == "dense/kernel");
  e.Rename("dense/kernel");  // back where it started
  CHECK(e.SourceName() == "dense/kernel");

  // An empty file name is a name like any other.
  TensorEntry unnamed;
  unnamed.Rename("x");
  CHECK(unnamed.SourceName().empty());
  CHECK(unnamed.name == "x");

  TensorEntry set;
  set.name = "new";
  set.SetSourceName("old");
  CHECK(set.SourceName() == "old");
  TensorEntry copy = set;
  CHECK(copy.SourceName() == "old");
  set.SetSourceName("new");
  CHECK(set.SourceName() == "new");
}

TEST_CASE("rare entry fields are empty until set and copied deeply") {
  TensorEntry e;
  CHECK(e.data_error().empty());
  CHECK(e.slices().empty());
  CHECK(e.partitioned_name().empty());
  CHECK(e.slice().empty());
  CHECK(e.notes().empty());
  CHECK(e.Where() == "(no data)");

  e.set_data_error("shard missing");
  e.mutable_notes().emplace_back("shard", "a.safetensors");
  e.mutable_slices().push_back({SliceExtent{0, 2}});
  e.set_partitioned_name("emb");
  e.set_slice({SliceExtent{0, 1}, SliceExtent{}});
  CHECK(e.Where() == "shard missing");

  TensorEntry copy = e;
  copy.mutable_notes()[0].second = "b.safetensors";
  copy.set_data_error("other");
  CHECK(e.notes()[0].second == "a.safetensors");
  CHECK(e.data_error() == "shard missing");
  CHECK(copy.slices() == e.slices());
  CHECK(copy.partitioned_name() == "emb");
  CHECK(copy.slice() == TensorSlice{SliceExtent{0, 1}, SliceExtent{}});

  TensorEntry assigned;
  assigned = copy;
  CHECK(assigned.data_error() == "other");
  TensorEntry moved = std::move(assigned);
  CHECK(moved.notes()[0].second == "b.safetensors");
}
