// SPDX-License-Identifier: Apache-2.0
// Flat JSON arrays of tensor values.
#include "core/values/value_json.h"

#include <cmath>

#include "core/values/float_repr.h"
#include "core/values/tensor_values.h"

namespace rescope {
namespace {

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t extra;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      extra = 1, cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      extra = 2, cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      extra = 3, cp = c & 0x07;
    } else {
      return false;
    }
    if (extra > s.size() - i - 1) return false;  // truncated sequence
    for (size_t k = 1; k <= extra; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    // Reject overlong forms, surrogates and values past U+10FFFF.
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[extra] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += extra + 1;
  }
  return true;
}

nlohmann::json StringToJson(std::string_view s) {
  if (IsValidUtf8(s)) return std::string(s);
  static const char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(s.size() * 2);
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    hex += kHex[c >> 4];
    hex += kHex[c & 15];
  }
  return nlohmann::json{{"hex", hex}};
}

Status AppendNumbers(const TensorEntry& entry, ValueClass cls, nlohmann::json& out) {
  RESCOPE_ASSIGN_OR_RETURN(ElementReader reader, ElementReader::Open(entry));
  constexpr size_t kChunk = 1 << 14;
  std::vector<double> d(kChunk * 2);
  std::vector<int64_t> s(kChunk);
  std::vector<uint64_t> u(kChunk);
  const DType part = entry.dtype == DType::kComplex64 ? DType::kFloat32 : DType::kFloat64;
  while (true) {
    Result<size_t> got = size_t{0};
    if (cls == ValueClass::kSigned) {
      got = reader.ReadInt64(s.data(), kChunk);
      for (size_t i = 0; got.ok() && i < *got; ++i) out.push_back(s[i]);
    } else if (cls == ValueClass::kUnsigned) {
      got = reader.ReadUInt64(u.data(), kChunk);
      for (size_t i = 0; got.ok() && i < *got; ++i) out.push_back(u[i]);
    } else if (cls == ValueClass::kBool) {
      got = reader.ReadInt64(s.data(), kChunk);
      for (size_t i = 0; got.ok() && i < *got; ++i) out.push_back(s[i] != 0);
    } else if (cls == ValueClass::kComplex) {
      got = reader.ReadDoubles(d.data(), kChunk);
      for (size_t i = 0; got.ok() && i < *got; ++i) {
        out.push_back({FloatToJson(d[2 * i], part), FloatToJson(d[2 * i + 1], part)});
      }
    } else {
      got = reader.ReadDoubles(d.data(), kChunk);
      for (size_t i = 0; got.ok() && i < *got; ++i)
        out.push_back(FloatToJson(d[i], ValueDType(entry.dtype)));
    }
    if (!got.ok()) return got.status();
    if (*got == 0) return Status::Ok();
  }
}

}  // namespace

nlohmann::json FloatToJson(double value, DType dtype) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
  return ShortestAsDouble(value, dtype);
}

Result<nlohmann::json> ValuesToJson(const TensorEntry& entry) {
  const std::optional<ValueClass> cls = ValueClassOf(entry.dtype);
  if (!cls) return CannotDecodeStatus(entry);
  nlohmann::json out = nlohmann::json::array();
  if (*cls != ValueClass::kString) {
    RESCOPE_RETURN_IF_ERROR(AppendNumbers(entry, *cls, out));
    return out;
  }
  RESCOPE_ASSIGN_OR_RETURN(StringReader reader, StringReader::Open(entry));
  std::string_view s;
  while (true) {
    RESCOPE_ASSIGN_OR_RETURN(const bool more, reader.Next(&s));
    if (!more) return out;
    out.push_back(StringToJson(s));
  }
}

}  // namespace rescope
