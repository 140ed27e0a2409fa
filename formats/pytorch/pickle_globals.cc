// SPDX-License-Identifier: Apache-2.0
// The GLOBAL allowlist, Python-2 name mapping and torch dtype tables of PYTORCH.md §3.2, §3.6.
#include "formats/pytorch/pickle_globals.h"

#include <array>
#include <string_view>
#include <unordered_set>

namespace rescope::pytorch {
namespace {

struct TorchDTypeRow {
  const char* storage;  // legacy storage class, or "" for the "new" dtypes
  const char* dtype;
  DType value;
};

// PYTORCH.md §3.6. complex32, bits* and quantized types have no DType.
constexpr std::array<TorchDTypeRow, 21> kDTypes = {{
    {"DoubleStorage", "float64", DType::kFloat64},
    {"FloatStorage", "float32", DType::kFloat32},
    {"HalfStorage", "float16", DType::kFloat16},
    {"BFloat16Storage", "bfloat16", DType::kBFloat16},
    {"LongStorage", "int64", DType::kInt64},
    {"IntStorage", "int32", DType::kInt32},
    {"ShortStorage", "int16", DType::kInt16},
    {"CharStorage", "int8", DType::kInt8},
    {"ByteStorage", "uint8", DType::kUInt8},
    {"BoolStorage", "bool", DType::kBool},
    {"ComplexFloatStorage", "complex64", DType::kComplex64},
    {"ComplexDoubleStorage", "complex128", DType::kComplex128},
    {"", "float8_e5m2", DType::kFloat8E5M2},
    {"", "float8_e4m3fn", DType::kFloat8E4M3FN},
    {"", "float8_e4m3fnuz", DType::kFloat8E4M3FNUZ},
    {"", "float8_e5m2fnuz", DType::kFloat8E5M2FNUZ},
    {"", "float8_e8m0fnu", DType::kFloat8E8M0FNU},
    {"", "float4_e2m1fn_x2", DType::kFloat4E2M1FNX2},
    {"", "uint16", DType::kUInt16},
    {"", "uint32", DType::kUInt32},
    {"", "uint64", DType::kUInt64},
}};

// torch dtype names allowed as GLOBAL torch <name> (current allowlist, §3.2).
const std::unordered_set<std::string_view>& TorchDTypeGlobals() {
  static const std::unordered_set<std::string_view> names = {"float64",
                                                             "float32",
                                                             "float16",
                                                             "bfloat16",
                                                             "int64",
                                                             "int32",
                                                             "int16",
                                                             "int8",
                                                             "uint8",
                                                             "bool",
                                                             "complex32",
                                                             "complex64",
                                                             "complex128",
                                                             "float8_e5m2",
                                                             "float8_e4m3fn",
                                                             "float8_e5m2fnuz",
                                                             "float8_e4m3fnuz",
                                                             "float8_e8m0fnu",
                                                             "float4_e2m1fn_x2",
                                                             "uint16",
                                                             "uint32",
                                                             "uint64",
                                                             "bits8",
                                                             "bits16",
                                                             "bits1x8",
                                                             "bits2x4",
                                                             "bits4x2",
                                                             "qint8",
                                                             "quint8",
                                                             "qint32",
                                                             "quint4x2",
                                                             "quint2x4",
                                                             "double",
                                                             "float",
                                                             "half",
                                                             "long",
                                                             "int",
                                                             "short",
                                                             "cfloat",
                                                             "cdouble",
                                                             "chalf",
                                                             "int1",
                                                             "int2",
                                                             "int3",
                                                             "int4",
                                                             "int5",
                                                             "int6",
                                                             "int7",
                                                             "uint1",
                                                             "uint2",
                                                             "uint3",
                                                             "uint4",
                                                             "uint5",
                                                             "uint6",
                                                             "uint7"};
  return names;
}

const std::unordered_set<std::string_view>& TorchClassPrefixes() {
  static const std::unordered_set<std::string_view> prefixes = {
      "Double", "Float",  "Half",   "BFloat16", "Long",         "Int",
      "Short",  "Char",   "Byte",   "Bool",     "ComplexFloat", "ComplexDouble",
      "QInt8",  "QUInt8", "QInt32", "QUInt4x2", "QUInt2x4"};
  return prefixes;
}

bool StripSuffix(std::string_view name, std::string_view suffix, std::string_view* stem) {
  if (name.size() <= suffix.size() || name.substr(name.size() - suffix.size()) != suffix) {
    return false;
  }
  *stem = name.substr(0, name.size() - suffix.size());
  return true;
}

}  // namespace

bool IsAllowedGlobal(std::string_view module, std::string_view name) {
  static const std::unordered_set<std::string_view> rebuilds = {
      "_rebuild_parameter",
      "_rebuild_parameter_with_state",
      "_rebuild_qtensor",
      "_rebuild_tensor",
      "_rebuild_tensor_v2",
      "_rebuild_tensor_v3",
      "_rebuild_sparse_tensor",
      "_rebuild_meta_tensor_no_storage",
      "_rebuild_wrapper_subclass",
      "_rebuild_device_tensor_from_numpy",
      "_rebuild_device_tensor_from_cpu_tensor",
      "_rebuild_sparse_csr_tensor"};
  if (module == "torch._utils") return rebuilds.count(name) > 0;
  if (module == "torch._tensor") return name == "_rebuild_from_type_v2";
  if (module == "collections") return name == "OrderedDict" || name == "Counter";
  if (module == "builtins") {
    return name == "set" || name == "frozenset" || name == "bytearray" || name == "complex";
  }
  if (module == "_codecs") return name == "encode";
  if (module == "torch.storage") return name == "TypedStorage" || name == "UntypedStorage";
  if (module == "torch.nn.parameter") return name == "Parameter";
  if (module == "torch.serialization") return name == "_get_layout";
  if (module != "torch") return false;
  if (name == "Size" || name == "device" || name == "Tensor") return true;
  if (name.starts_with("per_tensor_") || name.starts_with("per_channel_")) return true;
  if (TorchDTypeGlobals().count(name) > 0) return true;
  std::string_view stem;
  if (StripSuffix(name, "Storage", &stem) || StripSuffix(name, "Tensor", &stem)) {
    return TorchClassPrefixes().count(stem) > 0;
  }
  return false;
}

// Python-2 names as torch maps them (_compat_pickle's IMPORT_MAPPING / NAME_MAPPING subset).
std::pair<std::string, std::string> MapPython2Name(std::string module, std::string name) {
  if (module == "__builtin__") {
    if (name == "xrange") return {"builtins", "range"};
    if (name == "unicode") return {"builtins", "str"};
    if (name == "long") return {"builtins", "int"};
    if (name == "basestring") return {"builtins", "str"};
    return {"builtins", name};
  }
  if (module == "exceptions") return {"builtins", name};
  static const std::array<std::pair<const char*, const char*>, 9> modules = {{
      {"copy_reg", "copyreg"},
      {"Queue", "queue"},
      {"repr", "reprlib"},
      {"_abcoll", "collections.abc"},
      {"UserDict", "collections"},
      {"UserList", "collections"},
      {"UserString", "collections"},
      {"whichdb", "dbm"},
      {"StringIO", "io"},
  }};
  for (const auto& [from, to] : modules) {
    if (module == from) return {to, name};
  }
  if (module == "cStringIO") return {"io", name};
  return {std::move(module), std::move(name)};
}

DType DTypeForTorchName(const std::string& name) {
  for (const TorchDTypeRow& row : kDTypes) {
    if (name == row.storage || name == row.dtype) return row.value;
  }
  return DType::kInvalid;
}

std::string TorchDTypeName(DType dtype) {
  for (const TorchDTypeRow& row : kDTypes) {
    if (row.value == dtype) return row.dtype;
  }
  return {};
}

std::string StorageClassName(DType dtype) {
  for (const TorchDTypeRow& row : kDTypes) {
    if (row.value == dtype) return row.storage;
  }
  return {};
}

std::optional<TorchLayout> TorchLayoutOf(DType dtype) {
  if (TorchDTypeName(dtype).empty()) return std::nullopt;
  if (dtype == DType::kFloat4E2M1FNX2) return TorchLayout{1, 2};
  const std::optional<uint32_t> size = DTypeElementSize(dtype);
  if (!size) return std::nullopt;
  return TorchLayout{*size, 1};
}

}  // namespace rescope::pytorch
