// SPDX-License-Identifier: Apache-2.0
// GGML dequantization (core/ggml_dequant) on hand-built blocks. Expected values are worked
// out by hand from the block layouts of ggml-common.h (docs/FORMATS-ggml-blocks.md), not
// taken from rescope's output; tests/judges/test_ggml_dequant.py compares every type with
// the gguf package's numpy dequantizers on random blocks.
#include "core/values/ggml_dequant.h"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "core/values/tensor_stats.h"
#include "core/values/tensor_values.h"
#include "core/values/value_format.h"
#include "tests/unit/value_test_util.h"

using namespace rescope;
using namespace rescope::testing;

namespace {

std::vector<float> Dequantize(DType dtype, const std::vector<uint8_t>& bytes) {
  const DTypeBlockLayout block = *DTypeBlock(dtype);
  REQUIRE(bytes.size() % block.block_bytes == 0);
  const size_t blocks = bytes.size() / block.block_bytes;
  std::vector<float> out(blocks * block.block_elements, -12345.0f);
  const GgmlDequantizeFn fn = GgmlDequantizer(dtype);
  REQUIRE(HasGgmlDequantizer(dtype));
  fn(bytes.data(), blocks, out.data());
  return out;
}

// A q8_0 block: f16 scale 0.5 (0x3800), then 32 int8 values.
std::vector<uint8_t> Q8Block(uint16_t d, const std::vector<int8_t>& qs) {
  std::vector<uint8_t> b(34, 0);
  b[0] = static_cast<uint8_t>(d & 0xff);
  b[1] = static_cast<uint8_t>(d >> 8);
  for (size_t i = 0; i < qs.size(); ++i) b[2 + i] = static_cast<uint8_t>(qs[i]);
  return b;
}

}  // namespace

TEST_CASE("ggml: float16 scales convert exactly") {
  CHECK(GgmlHalfToFloat(0x3c00) == 1.0f);
  CHECK(GgmlHalfToFloat(0xc000) == -2.0f);
  CHECK(GgmlHalfToFloat(0x3555) == 0.333251953125f);
  CHECK(GgmlHalfToFloat(0x0001) == std::ldexp(1.0f, -24));
  CHECK(GgmlHalfToFloat(0x03ff) == 1023 * std::ldexp(1.0f, -24));
  CHECK(GgmlHalfToFloat(0x0400) == std::ldexp(1.0f, -14));
  CHECK(GgmlHalfToFloat(0x7bff) == 65504.0f);
  CHECK(GgmlHalfToFloat(0x7c00) == std::numeric_limits<float>::infinity());
  CHECK(std::isnan(GgmlHalfToFloat(0x7e00)));
  CHECK(GgmlHalfToFloat(0x8000) == 0.0f);
  CHECK(std::signbit(GgmlHalfToFloat(0x8000)));
}

TEST_CASE("ggml: q8_0 is int8 times the block scale") {
  const std::vector<float> y = Dequantize(DType::kGgmlQ8_0, Q8Block(0x3800, {1, -2, 127, -128}));
  REQUIRE(y.size() == 32);
  CHECK(y[0] == 0.5f);
  CHECK(y[1] == -1.0f);
  CHECK(y[2] == 63.5f);
  CHECK(y[3] == -64.0f);
  for (size_t i = 4; i < 32; ++i) CHECK(y[i] == 0.0f);
}

TEST_CASE("ggml: q4_0 low nibbles are elements 0-15, high nibbles 16-31, offset 8") {
  std::vector<uint8_t> b(18, 0x88);  // nibble 8 -> 0
  b[0] = 0x00, b[1] = 0x40;          // d = 2.0
  b[2] = 0x1F;                       // element 0: 15, element 16: 1
  b[3] = 0x80;                       // element 1: 0, element 17: 8
  b[17] = 0xF0;                      // element 15: 0, element 31: 15
  const std::vector<float> y = Dequantize(DType::kGgmlQ4_0, b);
  CHECK(y[0] == 14.0f);    // (15 - 8) * 2
  CHECK(y[16] == -14.0f);  // (1 - 8) * 2
  CHECK(y[1] == -16.0f);   // (0 - 8) * 2
  CHECK(y[17] == 0.0f);
  CHECK(y[15] == -16.0f);
  CHECK(y[31] == 14.0f);
  CHECK(y[2] == 0.0f);
}

TEST_CASE("ggml: q4_1 and q5_0 by hand") {
  // q4_1: d = 0.5, m = -1; element 0 nibble 3 -> 0.5, element 16 nibble 15 -> 6.5.
  std::vector<uint8_t> q41(20, 0);
  q41[0] = 0x00, q41[1] = 0x38, q41[2] = 0x00, q41[3] = 0xBC;
  q41[4] = 0xF3;
  const std::vector<float> a = Dequantize(DType::kGgmlQ4_1, q41);
  CHECK(a[0] == 0.5f);
  CHECK(a[16] == 6.5f);
  CHECK(a[1] == -1.0f);
  // q5_0: d = 1; qh bit 0 and bit 16 set. Element 0: (0x1 | 16) - 16 = 1;
  // element 16: (0x2 | 16) - 16 = 2; element 1: 0 - 16 = -16.
  std::vector<uint8_t> q50(22, 0);
  q50[1] = 0x3C, q50[2] = 0x01, q50[4] = 0x01;
  q50[6] = 0x21;
  const std::vector<float> c = Dequantize(DType::kGgmlQ5_0, q50);
  CHECK(c[0] == 1.0f);
  CHECK(c[16] == 2.0f);
  CHECK(c[1] == -16.0f);
}

TEST_CASE("ggml: q4_k unpacks its 6-bit scales and mins") {
  std::vector<uint8_t> b(144, 0);
  b[0] = 0x00, b[1] = 0x3C;  // d = 1
  b[2] = 0x00, b[3] = 0x38;  // dmin = 0.5
  uint8_t* scales = b.data() + 4;
  scales[0] = 0x43;  // group 0 scale 3; bits 6-7 (01) are group 4's scale bits 4-5
  scales[4] = 0x82;  // group 0 min 2; bits 6-7 (10) are group 4's min bits 4-5
  scales[8] = 0x51;  // group 4: scale low 1, min low 5 -> scale 17, min 37
  scales[1] = 0x0A;  // group 1 scale 10
  scales[5] = 0x01;  // group 1 min 1
  uint8_t* qs = b.data() + 16;
  qs[0] = 0x72;   // element 0 (group 0): 2; element 32 (group 1): 7
  qs[64] = 0x0F;  // element 128 (group 4): 15; element 160 (group 5): 0
  const std::vector<float> y = Dequantize(DType::kGgmlQ4_K, b);
  REQUIRE(y.size() == 256);
  CHECK(y[0] == 5.0f);      // 1*3 * 2 - 0.5*2
  CHECK(y[1] == -1.0f);     // 1*3 * 0 - 0.5*2
  CHECK(y[32] == 69.5f);    // 1*10 * 7 - 0.5*1
  CHECK(y[33] == -0.5f);    // 1*10 * 0 - 0.5*1
  CHECK(y[128] == 236.5f);  // 1*17 * 15 - 0.5*37
  CHECK(y[129] == -18.5f);
  CHECK(y[160] == 0.0f);  // group 5: scale 0, min 0
  CHECK(y[255] == 0.0f);
}

TEST_CASE("ggml: q6_k and q2_k by hand") {
  // q6_k: d = 0.5; scale of group 0 = -2, of group 2 = 3. Element 0: ql low 1 | qh bits
  // 0-1 (2) << 4 = 33 -> 1; element 32: ql[32] low 0 | qh bits 2-3 (1) << 4 = 16 -> -16.
  std::vector<uint8_t> q6(210, 0);
  q6[0] = 0x01;
  q6[128] = 0x06;  // qh[0]: bits 0-1 = 2, bits 2-3 = 1
  q6[192] = 0xFE;  // scales[0] = -2
  q6[194] = 0x03;  // scales[2] = 3
  q6[208] = 0x00, q6[209] = 0x38;
  const std::vector<float> y6 = Dequantize(DType::kGgmlQ6_K, q6);
  CHECK(y6[0] == -1.0f);    // 0.5 * -2 * (33 - 32)
  CHECK(y6[32] == -24.0f);  // 0.5 * 3 * (16 - 32)
  CHECK(y6[1] == 32.0f);    // 0.5 * -2 * (0 - 32)
  // q2_k: group 0 scale byte 0x21 (scale 1, min 2); d = 2, dmin = 0.25; qs[0] = 0b11 in
  // bits 0-1 -> element 0 = 2*1*3 - 0.25*2 = 5.5; bits 2-3 belong to element 32 (group 2).
  std::vector<uint8_t> q2(84, 0);
  q2[0] = 0x21;
  q2[2] = 0x01;  // group 2: scale 1, min 0
  q2[16] = 0x07;
  q2[80] = 0x00, q2[81] = 0x40;
  q2[82] = 0x00, q2[83] = 0x34;
  const std::vector<float> y2 = Dequantize(DType::kGgmlQ2_K, q2);
  CHECK(y2[0] == 5.5f);
  CHECK(y2[1] == -0.5f);
  CHECK(y2[32] == 2.0f);  // 2*1*1 - 0
}

TEST_CASE("ggml: values read through ElementReader in whole blocks") {
  std::vector<uint8_t> bytes = Q8Block(0x3c00, {1, 2, 3});
  const std::vector<uint8_t> second = Q8Block(0x4000, {5, 6, 7});
  bytes.insert(bytes.end(), second.begin(), second.end());
  const TensorEntry e = MakeEntry("blk.0.w", DType::kGgmlQ8_0, {2, 32}, bytes);
  CHECK(ValueClassOf(e.dtype) == ValueClass::kFloat);
  CHECK(ValueDType(e.dtype) == DType::kFloat32);
  // A one-block window: reads never cross a block boundary, and a seek lands mid-block.
  auto reader = ElementReader::Open(e, 34);
  REQUIRE(reader.ok());
  std::vector<double> v(64, -1);
  CHECK(*reader->ReadDoubles(v.data(), 64) == 32);
  CHECK(v[0] == 1.0);
  CHECK(v[2] == 3.0);
  reader->Seek(31);
  CHECK(*reader->ReadDoubles(v.data(), 3) == 1);  // the rest of block 0
  CHECK(*reader->ReadDoubles(v.data() + 1, 3) == 3);
  CHECK(v[0] == 0.0);
  CHECK(v[1] == 10.0);  // 5 * 2
  CHECK(v[3] == 14.0);
  reader->Seek(64);
  CHECK(*reader->ReadDoubles(v.data(), 3) == 0);

  const auto stats = ComputeStats(e);
  REQUIRE(stats.ok());
  CHECK(stats->count == 64);
  CHECK(stats->max == 14.0);
  CHECK(stats->zero_count == 58);
  const auto text = FormatTensor(e);
  REQUIRE(text.ok());
  CHECK(text->substr(0, 13) == "[[ 1.  2.  3.");
}

TEST_CASE("ggml: block tensors without a dequantizer or with a bad size are refused") {
  const TensorEntry iq =
      MakeEntry("blk.0.ffn", DType::kGgmlIQ2_XXS, {256}, std::vector<uint8_t>(66));
  CHECK_FALSE(ValueClassOf(iq.dtype).has_value());
  CHECK(ElementReader::Open(iq).status().code() == StatusCode::kNotSupported);
  CHECK(ElementReader::Open(iq).status().message() ==
        "tensor \"blk.0.ffn\": iq2_xxs: values are not decoded (rescope has no dequantizer for "
        "this GGML block type); ls shows its size");
  CHECK(ComputeStats(iq).status().code() == StatusCode::kNotSupported);

  const TensorEntry short_q = MakeEntry("w", DType::kGgmlQ4_0, {32}, std::vector<uint8_t>(17));
  CHECK(ElementReader::Open(short_q).status().message() ==
        "mem: tensor \"w\": byte size 0x11 does not match q4_0 [32] (expected 0x12)");
  const TensorEntry ragged = MakeEntry("r", DType::kGgmlQ4_0, {40}, std::vector<uint8_t>(18));
  CHECK(ElementReader::Open(ragged).status().message() ==
        "mem: tensor \"r\": byte size 0x12 does not match q4_0 [40] (expected a multiple of 32 "
        "elements)");
}
