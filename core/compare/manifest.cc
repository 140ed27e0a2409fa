// SPDX-License-Identifier: Apache-2.0
// Manifest JSON rendering, strict parsing and comparison.
#include "core/compare/manifest.h"

#include <nlohmann/json.hpp>

namespace rescope {
namespace {

using Json = nlohmann::ordered_json;

std::string ShapeText(const std::vector<int64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

bool IsSha256Hex(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// Errors carry the JSON path of the offending value.
struct Invalid {
  std::string message;
};

const Json& Member(const Json& object, const char* key, const std::string& where) {
  const auto it = object.find(key);
  if (it == object.end()) throw Invalid{where + ": missing \"" + key + "\""};
  return *it;
}

std::string Sha256Member(const Json& object, const std::string& where) {
  const Json& v = Member(object, "sha256", where);
  if (!v.is_string() || !IsSha256Hex(v.get<std::string>())) {
    throw Invalid{where + ".sha256: expected 64 lowercase hex digits, found " + v.dump()};
  }
  return v.get<std::string>();
}

std::string Quoted(const std::string& key) { return "\"" + key + "\""; }

Manifest ParseValidated(const Json& j) {
  if (!j.is_object()) throw Invalid{"top level: expected a JSON object"};
  const Json& version = Member(j, "schema_version", "top level");
  if (!version.is_number_integer() || version.get<int64_t>() != kManifestSchemaVersion) {
    throw Invalid{"schema_version: this rescope reads version " +
                  std::to_string(kManifestSchemaVersion) + ", found " + version.dump()};
  }
  const Json& algorithm = Member(j, "algorithm", "top level");
  if (algorithm != "sha256") {
    throw Invalid{"algorithm: only \"sha256\" is supported, found " + algorithm.dump()};
  }
  Manifest m;
  if (auto it = j.find("checkpoint"); it != j.end() && it->is_string()) m.checkpoint = *it;
  if (auto it = j.find("format"); it != j.end() && it->is_string()) m.format = *it;
  const Json& files = Member(j, "files", "top level");
  if (!files.is_object()) throw Invalid{"files: expected an object of path -> digest"};
  for (const auto& [path, entry] : files.items()) {
    const std::string where = "files." + Quoted(path);
    if (!entry.is_object()) throw Invalid{where + ": expected an object {sha256, size}"};
    FileDigest d;
    d.sha256 = Sha256Member(entry, where);
    const Json& size = Member(entry, "size", where);
    if (!size.is_number_unsigned()) {
      throw Invalid{where + ".size: expected a non-negative integer, found " + size.dump()};
    }
    d.size = size.get<uint64_t>();
    m.files.emplace(path, std::move(d));
  }
  const Json& tensors = Member(j, "tensors", "top level");
  if (!tensors.is_object()) throw Invalid{"tensors: expected an object of name -> digest"};
  for (const auto& [name, entry] : tensors.items()) {
    const std::string where = "tensors." + Quoted(name);
    if (!entry.is_object()) throw Invalid{where + ": expected an object {sha256, dtype, shape}"};
    TensorDigest d;
    d.sha256 = Sha256Member(entry, where);
    const Json& dtype = Member(entry, "dtype", where);
    if (!dtype.is_string() || dtype.get<std::string>().empty()) {
      throw Invalid{where + ".dtype: expected a dtype name, found " + dtype.dump()};
    }
    d.dtype = dtype.get<std::string>();
    const Json& shape = Member(entry, "shape", where);
    if (!shape.is_array())
      throw Invalid{where + ".shape: expected an array, found " + shape.dump()};
    for (const Json& dim : shape) {
      if (!dim.is_number_integer() || dim.get<int64_t>() < 0) {
        throw Invalid{where + ".shape: expected non-negative integers, found " + shape.dump()};
      }
      d.shape.push_back(dim.get<int64_t>());
    }
    m.tensors.emplace(name, std::move(d));
  }
  return m;
}

}  // namespace

std::string ManifestToJson(const Manifest& manifest) {
  Json j;
  j["schema_version"] = kManifestSchemaVersion;
  j["algorithm"] = "sha256";
  j["tensor_bytes"] = kManifestTensorBytes;
  j["checkpoint"] = manifest.checkpoint;
  j["format"] = manifest.format;
  j["files"] = Json::object();
  for (const auto& [path, d] : manifest.files) {
    j["files"][path] = {{"sha256", d.sha256}, {"size", d.size}};
  }
  j["tensors"] = Json::object();
  for (const auto& [name, d] : manifest.tensors) {
    j["tensors"][name] = {{"sha256", d.sha256}, {"dtype", d.dtype}, {"shape", d.shape}};
  }
  return j.dump(2, ' ', false, Json::error_handler_t::replace) + "\n";
}

Result<Manifest> ParseManifest(std::string_view text, const std::string& source) {
  Json j;
  try {
    j = Json::parse(text);
  } catch (const Json::parse_error& e) {
    return Status::Corruption(source + ": not a rescope manifest: invalid JSON (" + e.what() + ")");
  }
  try {
    return ParseValidated(j);
  } catch (const Invalid& e) {
    return Status::Corruption(source + ": not a valid rescope manifest: " + e.message);
  }
}

ManifestComparison CompareManifests(const Manifest& expected, const Manifest& actual) {
  ManifestComparison c;
  for (const auto& [name, want] : expected.tensors) {
    const auto it = actual.tensors.find(name);
    if (it == actual.tensors.end()) {
      c.missing.push_back(name);
      continue;
    }
    const TensorDigest& got = it->second;
    if (want.dtype != got.dtype || want.shape != got.shape) {
      c.mismatched.push_back({name, "dtype/shape " + got.dtype + " " + ShapeText(got.shape) +
                                        ", manifest has " + want.dtype + " " +
                                        ShapeText(want.shape)});
    } else if (want.sha256 != got.sha256) {
      c.mismatched.push_back({name, "sha256 " + got.sha256 + ", manifest has " + want.sha256});
    } else {
      ++c.tensors_matched;
    }
  }
  for (const auto& [name, got] : actual.tensors) {
    if (!expected.tensors.contains(name)) c.extra.push_back(name);
  }
  for (const auto& [path, want] : expected.files) {
    const auto it = actual.files.find(path);
    if (it == actual.files.end()) {
      c.files_not_compared.push_back(path);
    } else if (want.sha256 != it->second.sha256 || want.size != it->second.size) {
      c.files_mismatched.push_back({path, "sha256 " + it->second.sha256 + " (" +
                                              std::to_string(it->second.size) +
                                              " bytes), manifest has " + want.sha256 + " (" +
                                              std::to_string(want.size) + " bytes)"});
    } else {
      ++c.files_matched;
    }
  }
  return c;
}

}  // namespace rescope
