// SPDX-License-Identifier: Apache-2.0
// Every dtype of safetensors 0.8.0 (the `Dtype` enum and `bitsize()` of its
// safetensors/src/tensor.rs, written out here by hand): header parsing, sizes, the DType it
// becomes, the float8_e8m0fnu decoding, and the targets that cannot hold a packed type.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/values/small_floats.h"
#include "core/values/tensor_values.h"
#include "formats/pytorch/pytorch_writer.h"
#include "formats/safetensors/safetensors_dtype.h"
#include "formats/safetensors/safetensors_reader.h"
#include "formats/tf_bundle/tf_bundle_writer.h"
#include "tests/unit/safetensors_test_util.h"
#include "tests/unit/value_test_util.h"

using namespace rescope;
using rescope::safetensors_test::Pack;
using rescope::safetensors_test::Source;

namespace {

struct Expected {
  const char* name;
  unsigned bits;
  const char* dtype;  // rescope's DTypeName
};

// The upstream declaration order, which is also the writer's sort rank.
const std::vector<Expected> kSafetensorsDtypes = {
    {"BOOL", 8, "bool"},
    {"F4", 4, "float4_e2m1fn_x2"},
    {"F6_E2M3", 6, "float6_e2m3fn"},
    {"F6_E3M2", 6, "float6_e3m2fn"},
    {"U8", 8, "uint8"},
    {"I8", 8, "int8"},
    {"F8_E5M2", 8, "float8_e5m2"},
    {"F8_E4M3", 8, "float8_e4m3fn"},
    {"F8_E8M0", 8, "float8_e8m0fnu"},
    {"F8_E4M3FNUZ", 8, "float8_e4m3fnuz"},
    {"F8_E5M2FNUZ", 8, "float8_e5m2fnuz"},
    {"I16", 16, "int16"},
    {"U16", 16, "uint16"},
    {"F16", 16, "float16"},
    {"BF16", 16, "bfloat16"},
    {"I32", 32, "int32"},
    {"U32", 32, "uint32"},
    {"F32", 32, "float32"},
    {"C64", 64, "complex64"},
    {"F64", 64, "float64"},
    {"I64", 64, "int64"},
    {"U64", 64, "uint64"},
};

std::string OneTensorHeader(const std::string& dtype, const std::string& shape, uint64_t bytes) {
  return "{\"t\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[0," +
         std::to_string(bytes) + "]}}";
}

}  // namespace

TEST_CASE("safetensors dtypes: every 0.8.0 dtype parses, sizes by bits and maps to a DType") {
  int rank = 0;
  for (const Expected& x : kSafetensorsDtypes) {
    CAPTURE(x.name);
    // 8 elements: a whole number of bytes for every width (4 bits: 4 bytes, 6 bits: 6).
    const uint64_t bytes = 8 * x.bits / 8;
    const std::string header = OneTensorHeader(x.name, "[2,4]", bytes);
    auto ckpt = safetensors::OpenSafetensorsSource(Source(Pack(header, std::string(bytes, '\1'))));
    REQUIRE_MESSAGE(ckpt.ok(), ckpt.status().message());
    const TensorEntry* e = ckpt->store.Find("t");
    REQUIRE(e != nullptr);
    CHECK(DTypeName(e->dtype) == x.dtype);
    CHECK(e->byte_size == bytes);
    CHECK(e->shape == std::vector<int64_t>{2, 4});
    // The DType's own layout agrees with safetensors' bit width, so sizes survive a convert.
    CHECK(DTypeStoredBytes(e->dtype, 8) == bytes);
    const safetensors::DtypeInfo* info = safetensors::FindDtypeByName(x.name);
    REQUIRE(info != nullptr);
    CHECK(info->bits == x.bits);
    CHECK(info->rank == rank++);
    CHECK(safetensors::FindDtypeFor(e->dtype) == info);  // written back under the same name
  }
  CHECK(safetensors::FindDtypeByName("F8_E4M3FN") == nullptr);  // torch's name, not the format's
  // TF's one-value-per-byte float4 is not safetensors' packed F4.
  CHECK(safetensors::FindDtypeFor(DType::kFloat4E2M1FN) == nullptr);
}

TEST_CASE("safetensors dtypes: packed types whose element count is not a whole byte") {
  auto f4 = safetensors::OpenSafetensorsSource(Source(Pack(OneTensorHeader("F4", "[3]", 2), "ab")));
  REQUIRE_FALSE(f4.ok());
  CHECK(f4.status().message().find("12 bits, not a whole number of bytes") != std::string::npos);
  auto f6 =
      safetensors::OpenSafetensorsSource(Source(Pack(OneTensorHeader("F6_E3M2", "[2]", 2), "ab")));
  REQUIRE_FALSE(f6.ok());
  CHECK(f6.status().message().find("12 bits, not a whole number of bytes") != std::string::npos);
}

TEST_CASE("safetensors dtypes: float8_e8m0fnu is 2^(bits - 127) with 0xff NaN") {
  CHECK(DecodeFloat8(DType::kFloat8E8M0FNU, 0x7f) == 1.0);
  CHECK(DecodeFloat8(DType::kFloat8E8M0FNU, 0x80) == 2.0);
  CHECK(DecodeFloat8(DType::kFloat8E8M0FNU, 0x7e) == 0.5);
  CHECK(DecodeFloat8(DType::kFloat8E8M0FNU, 0x00) == std::ldexp(1.0, -127));
  CHECK(DecodeFloat8(DType::kFloat8E8M0FNU, 0xfe) == std::ldexp(1.0, 127));
  CHECK(std::isnan(DecodeFloat8(DType::kFloat8E8M0FNU, 0xff)));
  const TensorEntry e = testing::MakeEntry("scale", DType::kFloat8E8M0FNU, {3}, {0x7f, 0x81, 0x7d});
  std::vector<double> values;
  const Status st = ForEachDoubleWindow(e, [&](uint64_t, const double* v, size_t n) {
    values.insert(values.end(), v, v + n);
    return Status::Ok();
  });
  REQUIRE(st.ok());
  CHECK(values == std::vector<double>{1.0, 4.0, 0.25});
}

TEST_CASE("safetensors dtypes: packed values are not decoded, and the message says why") {
  const TensorEntry e = testing::MakeEntry("w", DType::kFloat4E2M1FNX2, {4}, {0x12, 0x34});
  auto reader = ElementReader::Open(e);
  REQUIRE_FALSE(reader.ok());
  CHECK(reader.status().message() ==
        "tensor \"w\": float4_e2m1fn_x2: packed sub-byte values are not decoded (the format does "
        "not define the element order inside a byte); the bytes are listed, renamed and "
        "converted unchanged");
}

TEST_CASE("safetensors dtypes: targets that cannot hold a dtype say so") {
  // torch.float4_e2m1fn_x2 holds two values per element: the last dimension must be even.
  CHECK_FALSE(
      pytorch::WhyNotWritable(testing::MakeEntry("w", DType::kFloat4E2M1FNX2, {2, 4}, {1, 2, 3, 4}))
          .has_value());
  CHECK(pytorch::WhyNotWritable(testing::MakeEntry("w", DType::kFloat4E2M1FNX2, {4, 1}, {1, 2})) ==
        "float4_e2m1fn_x2 [4, 1]: PyTorch stores 2 values per element, so the last dimension "
        "must be a multiple of 2");
  CHECK(pytorch::WhyNotWritable(testing::MakeEntry("w", DType::kFloat6E2M3FN, {4}, {1, 2, 3})) ==
        "dtype float6_e2m3fn has no PyTorch equivalent");
  CHECK_FALSE(pytorch::WhyNotWritable(testing::MakeEntry("s", DType::kFloat8E8M0FNU, {1}, {1}))
                  .has_value());
  // A tensor bundle names dtypes by TF DataType, which has none of these.
  Checkpoint source;
  source.format = "safetensors";
  for (DType d : {DType::kFloat8E8M0FNU, DType::kFloat4E2M1FNX2, DType::kFloat6E3M2FN}) {
    CAPTURE(DTypeName(d));
    TensorStore store;
    store.Put(testing::MakeEntry("w", d, {4}, std::vector<uint8_t>(*DTypeStoredBytes(d, 4), 1)));
    const Status st = tfbundle::CheckTfBundleWrite(source, store);
    CHECK(st.message() == "tensor \"w\": dtype " + DTypeName(d) +
                              " cannot be written to a tensor bundle (TensorFlow has no such "
                              "DataType)");
  }
}
