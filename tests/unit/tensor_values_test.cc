// SPDX-License-Identifier: Apache-2.0
// Tests of element decoding (core/tensor_values, core/small_floats, core/float_repr) and
// statistics (core/tensor_stats) on tensors built in memory.
#include "core/values/tensor_values.h"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "core/values/float_repr.h"
#include "core/values/small_floats.h"
#include "core/values/tensor_stats.h"
#include "tests/unit/value_test_util.h"

using namespace rescope;
using namespace rescope::testing;

namespace {

std::vector<double> AllDoubles(const TensorEntry& e) {
  std::vector<double> out;
  const Status st = ForEachDoubleWindow(e, [&](uint64_t first, const double* v, size_t n) {
    CHECK(first * (IsComplexDType(e.dtype) ? 2 : 1) == out.size());
    out.insert(out.end(), v, v + n * (IsComplexDType(e.dtype) ? 2 : 1));
    return Status::Ok();
  });
  REQUIRE(st.ok());
  return out;
}

}  // namespace

TEST_CASE("values: float16 bit patterns decode exactly") {
  CHECK(DecodeFloat16(0x3c00) == 1.0);
  CHECK(DecodeFloat16(0xc000) == -2.0);
  CHECK(DecodeFloat16(0x7c00) == std::numeric_limits<double>::infinity());
  CHECK(DecodeFloat16(0xfc00) == -std::numeric_limits<double>::infinity());
  CHECK(std::isnan(DecodeFloat16(0x7e00)));
  CHECK(std::isnan(DecodeFloat16(0x7c01)));
  CHECK(DecodeFloat16(0x0001) == std::ldexp(1.0, -24));         // smallest subnormal 5.96e-8
  CHECK(DecodeFloat16(0x03ff) == 1023 * std::ldexp(1.0, -24));  // largest subnormal
  CHECK(DecodeFloat16(0x0400) == std::ldexp(1.0, -14));         // smallest normal
  CHECK(DecodeFloat16(0x7bff) == 65504.0);
  CHECK(DecodeFloat16(0x3555) == 0.333251953125);
  CHECK(DecodeFloat16(0x8000) == 0.0);
  CHECK(std::signbit(DecodeFloat16(0x8000)));
}

TEST_CASE("values: bfloat16 and float8 bit patterns decode exactly") {
  CHECK(DecodeBFloat16(0x3f80) == 1.0);
  CHECK(DecodeBFloat16(0xc000) == -2.0);
  CHECK(DecodeBFloat16(0x3dcc) == 0.099609375);  // 1.59375 * 2^-4
  CHECK(DecodeBFloat16(0x0001) == std::ldexp(1.0, -133));
  CHECK(DecodeBFloat16(0x7f7f) == 255 * std::ldexp(1.0, 120));
  CHECK(DecodeBFloat16(0x7f80) == std::numeric_limits<double>::infinity());
  // float8_e4m3fn: bias 7, no infinities, S.1111.111 is NaN.
  CHECK(DecodeFloat8(DType::kFloat8E4M3FN, 0x38) == 1.0);
  CHECK(DecodeFloat8(DType::kFloat8E4M3FN, 0xb8) == -1.0);
  CHECK(DecodeFloat8(DType::kFloat8E4M3FN, 0x7e) == 448.0);
  CHECK(DecodeFloat8(DType::kFloat8E4M3FN, 0x78) == 256.0);
  CHECK(std::isnan(DecodeFloat8(DType::kFloat8E4M3FN, 0x7f)));
  CHECK(std::isnan(DecodeFloat8(DType::kFloat8E4M3FN, 0xff)));
  CHECK(DecodeFloat8(DType::kFloat8E4M3FN, 0x01) == std::ldexp(1.0, -9));
  CHECK(DecodeFloat8(DType::kFloat8E4M3FN, 0x08) == std::ldexp(1.0, -6));
  // float8_e5m2: bias 15, IEEE-style infinities and NaNs.
  CHECK(DecodeFloat8(DType::kFloat8E5M2, 0x3c) == 1.0);
  CHECK(DecodeFloat8(DType::kFloat8E5M2, 0x7b) == 57344.0);
  CHECK(DecodeFloat8(DType::kFloat8E5M2, 0x7c) == std::numeric_limits<double>::infinity());
  CHECK(DecodeFloat8(DType::kFloat8E5M2, 0xfc) == -std::numeric_limits<double>::infinity());
  CHECK(std::isnan(DecodeFloat8(DType::kFloat8E5M2, 0x7d)));
  CHECK(DecodeFloat8(DType::kFloat8E5M2, 0x01) == std::ldexp(1.0, -16));
  // fnuz: 0x80 is the NaN, not -0.
  CHECK(std::isnan(DecodeFloat8(DType::kFloat8E4M3FNUZ, 0x80)));
  CHECK(DecodeFloat8(DType::kFloat8E4M3FNUZ, 0x40) == 1.0);  // 0.1000.000, bias 8
}

TEST_CASE("values: shortest text is relative to the value's own dtype") {
  CHECK(ShortestText(static_cast<double>(0.1f), DType::kFloat32) == "0.1");
  CHECK(ShortestText(static_cast<double>(0.1f), DType::kFloat64) == "0.10000000149011612");
  CHECK(ShortestText(0.333251953125, DType::kFloat16) == "0.3333");
  CHECK(ShortestText(0.099609375, DType::kBFloat16) == "0.0996");
  CHECK(ShortestText(0.10009765625, DType::kBFloat16) == "0.1");
  CHECK(ShortestText(1e-8, DType::kFloat64) == "1e-08");
  CHECK(ShortestText(2.0, DType::kFloat64) == "2.0");
  CHECK(ShortestText(-1.5e20, DType::kFloat64) == "-1.5e+20");
  CHECK(ShortestText(std::nan(""), DType::kFloat32) == "nan");
  CHECK(ShortestText(-INFINITY, DType::kFloat32) == "-inf");
  CHECK(ShortestAsDouble(static_cast<double>(0.1f), DType::kFloat32) == 0.1);
  CHECK(RoundToFloatSpec(1.0 + std::ldexp(1.0, -8), *FloatSpecOf(DType::kBFloat16)) == 1.0);
  CHECK(RoundToFloatSpec(1.0 + 3 * std::ldexp(1.0, -8), *FloatSpecOf(DType::kBFloat16)) ==
        1.0 + std::ldexp(1.0, -6));  // tie rounds to even
}

TEST_CASE("values: numeric classes decode through ElementReader") {
  SUBCASE("float32 row-major with offset") {
    const TensorEntry e =
        MakeEntry("w", DType::kFloat32, {2, 2}, LEBytes<float>({1.f, -2.f, 0.5f, 3.25f}));
    CHECK(AllDoubles(e) == std::vector<double>{1, -2, 0.5, 3.25});
  }
  SUBCASE("float16 and bfloat16 from raw bits") {
    const TensorEntry h =
        MakeEntry("h", DType::kFloat16, {3}, LEBytes<uint16_t>({0x3c00, 0xc000, 0x0001}));
    CHECK(AllDoubles(h) == std::vector<double>{1, -2, std::ldexp(1.0, -24)});
    const TensorEntry b =
        MakeEntry("b", DType::kBFloat16, {2}, LEBytes<uint16_t>({0x3f80, 0xc000}));
    CHECK(AllDoubles(b) == std::vector<double>{1, -2});
  }
  SUBCASE("complex64 as pairs") {
    const TensorEntry c = MakeEntry("c", DType::kComplex64, {2}, LEBytes<float>({1, 2, 3, -4}));
    CHECK(AllDoubles(c) == std::vector<double>{1, 2, 3, -4});
  }
  SUBCASE("int64 stays exact beyond 2^53") {
    const int64_t big = (int64_t{1} << 53) + 1;
    const TensorEntry e =
        MakeEntry("i", DType::kInt64, {3}, LEBytes<int64_t>({big, -1, INT64_MIN}));
    auto r = ElementReader::Open(e);
    REQUIRE(r.ok());
    int64_t out[4] = {};
    auto n = r->ReadInt64(out, 4);
    REQUIRE(n.ok());
    CHECK(*n == 3);
    CHECK(out[0] == big);
    CHECK(out[1] == -1);
    CHECK(out[2] == INT64_MIN);
    CHECK(r->ReadInt64(out, 4).value() == 0);
  }
  SUBCASE("unsigned, quantized and bool") {
    const TensorEntry u = MakeEntry("u", DType::kUInt64, {1}, LEBytes<uint64_t>({UINT64_MAX}));
    auto ru = ElementReader::Open(u);
    uint64_t out = 0;
    REQUIRE(ru->ReadUInt64(&out, 1).value() == 1);
    CHECK(out == UINT64_MAX);
    CHECK(AllDoubles(MakeEntry("q", DType::kQInt8, {2}, {0xff, 0x7f})) ==
          std::vector<double>{-1, 127});
    CHECK(AllDoubles(MakeEntry("q", DType::kQUInt16, {1}, {0xff, 0xff})) ==
          std::vector<double>{65535});
    CHECK(AllDoubles(MakeEntry("b", DType::kBool, {3}, {0, 1, 2})) == std::vector<double>{0, 1, 1});
    CHECK(AllDoubles(MakeEntry("f8", DType::kFloat8E4M3FN, {2}, {0x38, 0x7e})) ==
          std::vector<double>{1, 448});
  }
  SUBCASE("seek") {
    const TensorEntry e = MakeEntry("s", DType::kInt16, {4}, LEBytes<int16_t>({10, 20, -30, 40}));
    auto r = ElementReader::Open(e);
    r->Seek(2);
    int64_t out[2];
    REQUIRE(r->ReadInt64(out, 2).value() == 2);
    CHECK(out[0] == -30);
    CHECK(out[1] == 40);
  }
}

TEST_CASE("values: errors name the tensor") {
  TensorEntry unknown = MakeEntry("x", static_cast<DType>(77), {1}, {0});
  CHECK(ElementReader::Open(unknown).status().code() == StatusCode::kNotSupported);
  CHECK(ElementReader::Open(unknown).status().message() ==
        "tensor \"x\": dtype<77>: cannot decode values");
  TensorEntry variant = MakeEntry("v", DType::kVariant, {1}, {0});
  CHECK(StringReader::Open(variant).status().message() ==
        "tensor \"v\": variant: cannot decode values");

  TensorEntry missing = MakeEntry("m", DType::kFloat32, {1}, LEBytes<float>({1}));
  missing.data = nullptr;
  missing.set_data_error("ckpt.data-00001-of-00002: data shard not found");
  CHECK(ElementReader::Open(missing).status().code() == StatusCode::kNotFound);
  CHECK(ElementReader::Open(missing).status().message() ==
        "tensor \"m\": bytes unavailable (ckpt.data-00001-of-00002: data shard not found)");

  const TensorEntry short_bytes = MakeEntry("w", DType::kFloat32, {2}, {0, 0, 0, 0, 0});
  CHECK(ElementReader::Open(short_bytes).status().message() ==
        "mem: tensor \"w\": byte size 0x5 does not match float32 [2] (expected 0x8)");

  TensorEntry past_end = MakeEntry("p", DType::kFloat32, {1}, LEBytes<float>({1}));
  past_end.data_offset = 2;
  past_end.byte_size = 8;
  past_end.shape = {2};
  CHECK(ElementReader::Open(past_end).status().message() ==
        "mem: tensor \"p\": bytes [0x2, 0xa) run past end (0x7)");
}

TEST_CASE("values: string tensors decode without the checksum") {
  const std::vector<std::string> strings = {"", "ab", std::string("c\0d", 3),
                                            std::string(300, 'z')};
  const TensorEntry e = MakeEntry("s", DType::kString, {2, 2}, StringTensorBytes(strings));
  auto r = StringReader::Open(e, 64);  // small window: the 300-byte string exceeds it
  REQUIRE(r.ok());
  std::vector<std::string> got;
  std::string_view s;
  while (r->Next(&s).value()) got.emplace_back(s);
  CHECK(got == strings);

  // Zero strings: the data is only the masked CRC of nothing, d8 ea 82 a2 (FORMATS.md).
  const TensorEntry empty = MakeEntry("e", DType::kString, {0}, {0xd8, 0xea, 0x82, 0xa2});
  CHECK(StringReader::Open(empty).ok());

  std::vector<uint8_t> bad = StringTensorBytes({"abc"});
  bad.pop_back();
  CHECK(StringReader::Open(MakeEntry("t", DType::kString, {1}, bad)).status().message() ==
        "mem: tensor \"t\": string lengths need 0x8 bytes, entry has 0x7");
  CHECK(StringReader::Open(MakeEntry("t", DType::kString, {1}, {0x64, 0, 0, 0, 0}))
            .status()
            .message() ==
        "mem: tensor \"t\": string #0 of length 0x64 runs past the entry (0x5 bytes)");
  CHECK(StringReader::Open(MakeEntry("t", DType::kString, {2}, {0x80})).status().message() ==
        "mem: tensor \"t\": 2 strings cannot fit in 0x1 bytes");
  CHECK(StringReader::Open(MakeEntry("t", DType::kString, {1}, {0x80, 0x80})).status().message() ==
        "mem: tensor \"t\": length of string #0 @0x3: truncated or over-long varint");
}

TEST_CASE("values: a 10 MB tensor is read in windows of at most 1 MiB") {
  const size_t n = 10 * 1000 * 1000 / 4;
  std::vector<uint8_t> bytes;
  bytes.reserve(n * 4);
  for (size_t i = 0; i < n; ++i) AppendLE(bytes, static_cast<float>(i % 1000));
  auto source = std::make_shared<CountingByteSource>("big", std::move(bytes));
  TensorEntry e;
  e.name = "big";
  e.dtype = DType::kFloat32;
  e.shape = {static_cast<int64_t>(n)};
  e.byte_size = n * 4;
  e.data = source;
  double sum = 0;
  uint64_t seen = 0;
  REQUIRE(ForEachDoubleWindow(e, [&](uint64_t, const double* v, size_t k) {
            for (size_t i = 0; i < k; ++i) sum += v[i];
            seen += k;
            return Status::Ok();
          }).ok());
  CHECK(seen == n);
  CHECK(sum == 2500.0 * (999.0 * 1000 / 2));  // 2500 repetitions of 0..999
  CHECK(source->max_read() <= kValueWindowBytes);
  CHECK(source->reads() >= 10);

  auto stats = ComputeStats(e);
  REQUIRE(stats.ok());
  CHECK(stats->max == 999.0);
  CHECK(source->max_read() <= kValueWindowBytes);
}

TEST_CASE("stats: hand-computed mean and population std") {
  // 2 4 4 4 5 5 7 9: mean 5, squared deviations sum 32, variance 4, std 2.
  const TensorEntry e =
      MakeEntry("x", DType::kInt32, {8}, LEBytes<int32_t>({2, 4, 4, 4, 5, 5, 7, 9}));
  auto st = ComputeStats(e);
  REQUIRE(st.ok());
  CHECK(st->count == 8);
  CHECK(st->mean == 5.0);
  CHECK(st->std == 2.0);
  CHECK(st->min == 2.0);
  CHECK(st->max == 9.0);
  CHECK(st->zero_count == 0);

  // Finite values 1, 0, -0, 3: mean 1, variance (0 + 1 + 1 + 4) / 4 = 1.5.
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  const TensorEntry f =
      MakeEntry("f", DType::kFloat64, {7}, LEBytes<double>({1, nan, inf, -inf, 0, -0.0, 3}));
  auto sf = ComputeStats(f);
  REQUIRE(sf.ok());
  CHECK(sf->count == 7);
  CHECK(sf->finite_count == 4);
  CHECK(sf->nan_count == 1);
  CHECK(sf->inf_count == 2);
  CHECK(sf->zero_count == 2);
  CHECK(sf->mean == 1.0);
  CHECK(sf->std == doctest::Approx(std::sqrt(1.5)).epsilon(1e-15));
  CHECK(sf->max == 3.0);

  CHECK(ComputeStats(MakeEntry("s", DType::kString, {0}, {0xd8, 0xea, 0x82, 0xa2}))
            .status()
            .message() == "tensor \"s\": string: no statistics for this dtype");
}
