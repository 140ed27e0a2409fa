// SPDX-License-Identifier: Apache-2.0
// Tests of the shared "cannot be written" message: the cut after the limit and the count of
// what was left out, with the expected text written out by hand.
#include "formats/unwritable_tensors.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace rescope;

TEST_CASE("ListedProblems lists up to the limit and counts the rest") {
  const std::vector<std::string> lines = {"a", "b", "c", "d", "e"};
  CHECK(ListedProblems(lines, 5) == "\n  a\n  b\n  c\n  d\n  e");
  CHECK(ListedProblems(lines, 2) == "\n  a\n  b\n  ... and 3 more");
  CHECK(ListedProblems({}, 2).empty());
}

TEST_CASE("UnwritableTensorsError names path, count and format") {
  const Status one = UnwritableTensorsError("o.gguf", "GGUF", {TensorProblem("m", "why")});
  CHECK(one.code() == StatusCode::kNotSupported);
  CHECK(one.message() == "o.gguf: 1 tensor cannot be written as GGUF:\n  \"m\": why");
  std::vector<std::string> many;
  for (int i = 0; i < 23; ++i) many.push_back(TensorProblem("t" + std::to_string(i), "x"));
  const std::string text = UnwritableTensorsError("o.st", "safetensors", many).message();
  CHECK(text.starts_with("o.st: 23 tensors cannot be written as safetensors:\n  \"t0\": x\n"));
  CHECK(text.ends_with("\n  \"t19\": x\n  ... and 3 more"));
}
