// SPDX-License-Identifier: Apache-2.0
// Tests of core/ basics: dtype names, shapes, the tensor store.
#include <doctest/doctest.h>

#include <iterator>
#include <string>
#include <vector>

#include "core/store/dtype.h"
#include "core/store/edit_distance.h"
#include "core/store/tensor_store.h"

using namespace rescope;

TEST_CASE("dtype names follow TF enum values") {
  CHECK(DTypeName(DType::kFloat32) == "float32");
  CHECK(DTypeName(DType::kBFloat16) == "bfloat16");
  CHECK(DTypeName(DType::kFloat16) == "float16");
  CHECK(DTypeName(DType::kFloat8E4M3FN) == "float8_e4m3fn");
  CHECK(DTypeName(DType::kQInt8) == "qint8");
  CHECK(DTypeName(static_cast<DType>(101)) == "float32_ref");
  CHECK(DTypeName(static_cast<DType>(77)) == "dtype<77>");
  CHECK(ParseDTypeName("dtype<77>") == static_cast<DType>(77));
  CHECK(ParseDTypeName("int64") == DType::kInt64);
  CHECK(!ParseDTypeName("int65").has_value());
  CHECK(DTypeElementSize(DType::kComplex128) == 16u);
  CHECK(!DTypeElementSize(DType::kString).has_value());
  CHECK(!DTypeElementSize(static_cast<DType>(77)).has_value());
}

TEST_CASE("shape element counts detect overflow") {
  CHECK(ShapeNumElements(Shape{}) == 1u);
  CHECK(ShapeNumElements(Shape{2, 0, 3}) == 0u);
  CHECK(ShapeNumElements(Shape{1LL << 40, 1LL << 40}) == std::nullopt);
  CHECK(ShapeNumElements(Shape{-1}) == std::nullopt);
  CHECK(ShapeToString(Shape{3, 100}) == "[3, 100]");
}

TEST_CASE("scope iteration matches whole path segments") {
  TensorStore store;
  for (const char* n : {"layer_a", "layer_a/w", "layer_a/b", "layer_ab/w", "layer_a0", "z"}) {
    TensorEntry e;
    e.name = n;
    CHECK(store.Add(e).ok());
  }
  TensorEntry dup;
  dup.name = "z";
  CHECK(store.Add(dup).code() == StatusCode::kConflict);
  std::vector<std::string> seen;
  store.ForEachInScope("layer_a/", [&](const TensorEntry& e) { seen.push_back(e.name); });
  CHECK(seen == std::vector<std::string>{"layer_a", "layer_a/b", "layer_a/w"});
  CHECK(store.Suggest("layer_a/x").front().rfind("layer_a", 0) == 0);
}

TEST_CASE("the store stays sorted by name through out-of-order adds, puts and removes") {
  // Names short enough for the string's inline buffer and long ones: the store orders
  // entries by their own name, which must stay valid as entries move into it.
  const std::string long_b(40, 'b');
  TensorStore store;
  for (const std::string& n : {std::string("m"), long_b, std::string("a"), std::string("z")}) {
    TensorEntry e;
    e.name = n;
    e.byte_size = n.size();
    REQUIRE(store.Add(e).ok());
  }
  TensorEntry dup;
  dup.name = long_b;
  CHECK(store.Add(dup).code() == StatusCode::kConflict);  // a duplicate added out of order

  TensorEntry replacement;
  replacement.name = "m";
  replacement.byte_size = 99;
  store.Put(replacement);  // replaces in place
  TensorEntry later;
  later.name = "c";
  store.Put(later);  // inserted out of order
  CHECK(store.Remove("z"));
  CHECK_FALSE(store.Remove("z"));

  std::vector<std::string> names;
  for (const auto& [name, entry] : store) {
    CHECK(name == entry.name);
    names.push_back(name);
  }
  CHECK(names == std::vector<std::string>{"a", long_b, "c", "m"});
  CHECK(store.size() == 4);
  CHECK(store.begin()->first == "a");
  CHECK(std::prev(store.end())->second.byte_size == 99);
  CHECK(store.Find("m")->SourceName() == "m");

  TensorEntry* found = store.FindMutable(long_b);
  REQUIRE(found != nullptr);
  found->byte_size = 7;
  CHECK(store.Find(long_b)->byte_size == 7);
  CHECK(store.FindMutable("missing") == nullptr);
}

TEST_CASE("edit distance") {
  CHECK(EditDistance("kitten", "sitting") == 3);
  CHECK(EditDistance("", "abc") == 3);
  CHECK(EditDistance("dense/kernal", "dense/kernel") == 1);
}
