// SPDX-License-Identifier: Apache-2.0
// safetensors header parsing (a schema-directed SAX pass over nlohmann's JSON parser, so a
// 100 MB header never becomes a generic JSON tree) and reference-exact serialization.
#include "formats/safetensors/safetensors_header.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <unordered_set>

#include "core/store/tensor_store.h"

namespace rescope::safetensors {
namespace {

using Json = nlohmann::json;

// Builds a Header from SAX events, failing on the first thing the reference reader would
// not deserialize. Errors are collected into `error_` (text after "header: ").
class HeaderSax final : public nlohmann::json_sax<Json> {
 public:
  explicit HeaderSax(Header& header) : header_(header) {}

  const std::string& error() const { return error_; }
  bool syntax_error() const { return syntax_error_; }
  size_t syntax_position() const { return syntax_position_; }

  bool null() override { return Scalar("null", nullptr); }
  bool boolean(bool v) override { return Scalar(v ? "true" : "false", nullptr); }
  bool number_integer(number_integer_t v) override {
    // nlohmann reports non-negative integers through number_unsigned, except "-0".
    if (v == 0) return number_unsigned(0);
    return Scalar(std::to_string(v), nullptr);
  }
  bool number_unsigned(number_unsigned_t v) override {
    const uint64_t u = v;
    return Scalar(std::to_string(v), &u);
  }
  bool number_float(number_float_t, const string_t& text) override { return Scalar(text, nullptr); }
  bool string(string_t& v) override;
  bool binary(binary_t&) override { return Fail("unexpected binary value"); }
  bool start_object(std::size_t) override;
  bool key(string_t& k) override;
  bool end_object() override;
  bool start_array(std::size_t) override;
  bool end_array() override;
  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& ex) override;

 private:
  enum class Ctx { kTop, kMetadata, kTensor, kShape, kOffsets, kSkip };
  enum Field : uint8_t { kNone = 0, kDtype = 1, kShapeField = 2, kOffsetsField = 4, kOther = 8 };

  bool Fail(std::string message) {
    error_ = std::move(message);
    return false;
  }
  std::string Tensor() const { return "\"" + tensor_.name + "\": "; }
  bool Push(Ctx ctx) {
    if (stack_.size() >= static_cast<size_t>(kMaxJsonDepth)) {
      return Fail("JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    }
    stack_.push_back(ctx);
    return true;
  }
  // A value that is not an object or array; `text` describes it for messages and `u` is
  // set for non-negative integers.
  bool Scalar(const std::string& text, const uint64_t* u);
  bool ValueInTop(const char* found);
  bool ValueInTensor(const char* found);
  bool ArrayElement(const std::string& text, const uint64_t* u);
  bool FinishTensor();

  Header& header_;
  std::vector<Ctx> stack_;
  std::string key_;    // last key at the top level
  std::string field_;  // last key inside a tensor entry
  std::string meta_key_;
  std::unordered_set<std::string> names_;
  std::unordered_set<std::string> meta_keys_;
  bool seen_metadata_ = false;
  HeaderTensor tensor_;
  uint8_t fields_ = 0;
  std::vector<uint64_t> offsets_;
  std::string error_;
  bool syntax_error_ = false;
  size_t syntax_position_ = 0;
};

const char* KindOf(const std::string& scalar_text) {
  if (scalar_text == "null") return "null";
  if (scalar_text == "true" || scalar_text == "false") return "boolean";
  return "number";
}

bool HeaderSax::Scalar(const std::string& text, const uint64_t* u) {
  if (stack_.empty()) return Fail("not a JSON object (found " + std::string(KindOf(text)) + ")");
  switch (stack_.back()) {
    case Ctx::kTop:
      if (key_ == "__metadata__" && text == "null") return true;  // serde: None
      return ValueInTop(KindOf(text));
    case Ctx::kMetadata:
      return Fail("__metadata__: \"" + meta_key_ + "\": value is not a string (found " + text +
                  ")");
    case Ctx::kTensor:
      return ValueInTensor(text.c_str());
    case Ctx::kShape:
    case Ctx::kOffsets:
      return ArrayElement(text, u);
    case Ctx::kSkip:
      return true;
  }
  return true;
}

bool HeaderSax::string(string_t& v) {
  if (stack_.empty()) return Fail("not a JSON object (found string)");
  switch (stack_.back()) {
    case Ctx::kTop:
      return ValueInTop("string");
    case Ctx::kMetadata:
      header_.metadata->emplace_back(meta_key_, v);
      return true;
    case Ctx::kTensor:
      if (field_ == "dtype") {
        tensor_.dtype = FindDtypeByName(v);
        if (tensor_.dtype == nullptr) {
          std::string shown;
          AppendJsonString(shown, v);
          return Fail(Tensor() + "unknown dtype " + shown);
        }
        return true;
      }
      return ValueInTensor("string");
    case Ctx::kShape:
    case Ctx::kOffsets:
      return ArrayElement("string", nullptr);
    case Ctx::kSkip:
      return true;
  }
  return true;
}

bool HeaderSax::ValueInTop(const char* found) {
  if (key_ == "__metadata__") {
    return Fail(std::string("__metadata__: not an object of strings (found ") + found + ")");
  }
  return Fail("\"" + key_ + "\": tensor entry is not an object (found " + found + ")");
}

bool HeaderSax::ValueInTensor(const char* found) {
  if (field_ == "dtype") return Fail(Tensor() + "dtype is not a string (found " + found + ")");
  if (field_ == "shape") return Fail(Tensor() + "shape is not an array (found " + found + ")");
  if (field_ == "data_offsets") {
    return Fail(Tensor() + "data_offsets is not an array (found " + found + ")");
  }
  return true;  // unknown fields are ignored, as serde does for TensorInfo
}

bool HeaderSax::ArrayElement(const std::string& text, const uint64_t* u) {
  const bool shape = stack_.back() == Ctx::kShape;
  const size_t index = shape ? tensor_.shape.size() : offsets_.size();
  const std::string what =
      std::string(shape ? "shape" : "data_offsets") + " element " + std::to_string(index);
  if (u == nullptr)
    return Fail(Tensor() + what + " is not a non-negative integer (found " + text + ")");
  if (!shape) {
    offsets_.push_back(*u);
    return true;
  }
  if (*u > static_cast<uint64_t>(INT64_MAX)) {
    return Fail(Tensor() + what + " is too large (" + text + ")");
  }
  tensor_.shape.push_back(static_cast<int64_t>(*u));
  return true;
}

bool HeaderSax::start_object(std::size_t) {
  if (stack_.empty()) return Push(Ctx::kTop);
  switch (stack_.back()) {
    case Ctx::kTop:
      if (key_ == "__metadata__") {
        header_.metadata.emplace();
        return Push(Ctx::kMetadata);
      }
      tensor_ = HeaderTensor{};
      tensor_.name = key_;
      fields_ = kNone;
      offsets_.clear();
      return Push(Ctx::kTensor);
    case Ctx::kMetadata:
      return Fail("__metadata__: \"" + meta_key_ + "\": value is not a string (found object)");
    case Ctx::kTensor:
      if (!ValueInTensor("object")) return false;
      return Push(Ctx::kSkip);
    case Ctx::kShape:
    case Ctx::kOffsets:
      return ArrayElement("object", nullptr);
    case Ctx::kSkip:
      return Push(Ctx::kSkip);
  }
  return true;
}

bool HeaderSax::key(string_t& k) {
  switch (stack_.back()) {
    case Ctx::kTop:
      if (k == "__metadata__") {
        if (seen_metadata_) return Fail("duplicate key \"__metadata__\"");
        seen_metadata_ = true;
      } else if (!names_.insert(k).second) {
        return Fail("duplicate tensor name \"" + k + "\"");
      }
      key_ = k;
      return true;
    case Ctx::kMetadata:
      if (!meta_keys_.insert(k).second) return Fail("__metadata__: duplicate key \"" + k + "\"");
      meta_key_ = k;
      return true;
    case Ctx::kTensor: {
      const Field f = k == "dtype"          ? kDtype
                      : k == "shape"        ? kShapeField
                      : k == "data_offsets" ? kOffsetsField
                                            : kOther;
      if (f != kOther && (fields_ & f) != 0)
        return Fail(Tensor() + "duplicate field \"" + k + "\"");
      fields_ = static_cast<uint8_t>(fields_ | f);
      field_ = k;
      return true;
    }
    default:
      return true;
  }
}

bool HeaderSax::FinishTensor() {
  for (const auto& [bit, name] : {std::pair{kDtype, "dtype"}, std::pair{kShapeField, "shape"},
                                  std::pair{kOffsetsField, "data_offsets"}}) {
    if ((fields_ & bit) == 0) return Fail(Tensor() + "missing \"" + name + "\"");
  }
  tensor_.begin = offsets_[0];
  tensor_.end = offsets_[1];
  header_.tensors.push_back(std::move(tensor_));
  tensor_ = HeaderTensor{};
  return true;
}

bool HeaderSax::end_object() {
  const Ctx ctx = stack_.back();
  stack_.pop_back();
  if (ctx == Ctx::kTensor) return FinishTensor();
  return true;
}

bool HeaderSax::start_array(std::size_t) {
  if (stack_.empty()) return Fail("not a JSON object (found array)");
  switch (stack_.back()) {
    case Ctx::kTop:
      return ValueInTop("array");
    case Ctx::kMetadata:
      return Fail("__metadata__: \"" + meta_key_ + "\": value is not a string (found array)");
    case Ctx::kTensor:
      if (field_ == "shape") return Push(Ctx::kShape);
      if (field_ == "data_offsets") return Push(Ctx::kOffsets);
      if (!ValueInTensor("array")) return false;
      return Push(Ctx::kSkip);
    case Ctx::kShape:
    case Ctx::kOffsets:
      return ArrayElement("array", nullptr);
    case Ctx::kSkip:
      return Push(Ctx::kSkip);
  }
  return true;
}

bool HeaderSax::end_array() {
  const Ctx ctx = stack_.back();
  stack_.pop_back();
  if (ctx == Ctx::kOffsets && offsets_.size() != 2) {
    return Fail(Tensor() + "data_offsets must hold 2 integers (found " +
                std::to_string(offsets_.size()) + ")");
  }
  return true;
}

bool HeaderSax::parse_error(std::size_t position, const std::string&,
                            const nlohmann::detail::exception& ex) {
  // what() is "[json.exception.parse_error.101] parse error at line 1, column 5: <detail>";
  // keep the detail, the offset is reported separately.
  std::string detail = ex.what();
  const size_t at = detail.find("parse error");
  const size_t colon = at == std::string::npos ? std::string::npos : detail.find(": ", at);
  if (colon != std::string::npos) detail = detail.substr(colon + 2);
  syntax_error_ = true;
  syntax_position_ = position;
  return Fail(detail);
}

// Checks the parsed entries against each other and the file size (FORMATS.md §6.3 steps
// 3-5), in data-area order.
Status ValidateLayout(const std::string& path, Header& header, uint64_t data_area) {
  const std::string where = path + ": header: ";
  std::stable_sort(header.tensors.begin(), header.tensors.end(),
                   [](const HeaderTensor& a, const HeaderTensor& b) {
                     return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
                   });
  uint64_t expected = 0;
  const HeaderTensor* prev = nullptr;
  for (const HeaderTensor& t : header.tensors) {
    const std::string name = where + "\"" + t.name + "\": ";
    const std::string offsets =
        "data_offsets [" + std::to_string(t.begin) + ", " + std::to_string(t.end) + "]";
    if (t.end < t.begin) return Status::Corruption(name + offsets + " are reversed");
    if (t.begin > expected) {
      return Status::Corruption(name + offsets + " leave a hole: data bytes [" +
                                std::to_string(expected) + ", " + std::to_string(t.begin) +
                                ") belong to no tensor");
    }
    if (t.begin < expected) {
      return Status::Corruption(name + offsets + " overlap \"" + prev->name + "\" (data_offsets [" +
                                std::to_string(prev->begin) + ", " + std::to_string(prev->end) +
                                "])");
    }
    if (t.end > data_area) {
      return Status::Corruption(name + offsets + " run past end of file (data area holds " +
                                std::to_string(data_area) + " bytes)");
    }
    const std::string typed = std::string(t.dtype->name) + " " + ShapeToString(t.shape);
    const auto elements = ShapeNumElements(t.shape);
    if (!elements) return Status::Corruption(name + "element count of " + typed + " overflows");
    if (*elements != 0 && *elements > UINT64_MAX / t.dtype->bits) {
      return Status::Corruption(name + "byte size of " + typed + " overflows");
    }
    if (*elements * t.dtype->bits % 8 != 0) {
      return Status::Corruption(name + typed + " is " + std::to_string(*elements * t.dtype->bits) +
                                " bits, not a whole number of bytes");
    }
    const uint64_t need = *elements * t.dtype->bits / 8;
    if (t.end - t.begin != need) {
      return Status::Corruption(name + offsets + " hold " + std::to_string(t.end - t.begin) +
                                " bytes but " + typed + " needs " + std::to_string(need));
    }
    expected = t.end;
    prev = &t;
  }
  if (expected != data_area) {
    return Status::Corruption(path + ": " + std::to_string(data_area - expected) +
                              " trailing bytes after the last tensor (tensors end at data offset " +
                              std::to_string(expected) + ", the data area holds " +
                              std::to_string(data_area) + " bytes)");
  }
  return Status::Ok();
}

Status ParseJson(const std::string& file, std::string_view text, Header& header) {
  const std::string where = file + ": header: ";
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") {
    return Status::Corruption(file +
                              ": header @0x8: not valid JSON (starts with a byte order mark)");
  }
  HeaderSax sax(header);
  const bool ok = Json::sax_parse(text.data(), text.data() + text.size(), &sax,
                                  Json::input_format_t::json, /*strict=*/true);
  if (ok) return Status::Ok();
  if (sax.syntax_error()) {
    const uint64_t at = 8 + (sax.syntax_position() > 0 ? sax.syntax_position() - 1 : 0);
    return Status::Corruption(file + ": header @" + Hex(at) + ": not valid JSON (" + sax.error() +
                              ")");
  }
  return Status::Corruption(where + sax.error());
}

}  // namespace

bool IsValidUtf8(std::string_view s, size_t* bad_offset) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  const size_t n = s.size();
  size_t i = 0;
  while (i < n) {
    const uint8_t c = p[i];
    size_t len = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4, cp = c & 0x07;
    }
    bool good = len != 0 && i + len <= n;
    for (size_t k = 1; good && k < len; ++k) {
      good = (p[i + k] & 0xC0) == 0x80;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    static constexpr uint32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
    good = good && cp >= kMin[len] && cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF);
    if (!good) {
      if (bad_offset != nullptr) *bad_offset = i;
      return false;
    }
    i += len;
  }
  return true;
}

void AppendJsonString(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xF];
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

Result<Header> ParseHeader(const ByteSource& file) {
  const std::string& path = file.name();
  const uint64_t size = file.size();
  if (size < 8) {
    return Status::Corruption(path + ": file is " + std::to_string(size) +
                              " bytes, too short for the 8-byte header length");
  }
  std::vector<uint8_t> scratch;
  RESCOPE_ASSIGN_OR_RETURN(const ByteView length_bytes, file.Read(0, 8, scratch));
  Header header;
  header.length = LoadLE64(length_bytes.data);
  if (header.length > kMaxHeaderSize) {
    return Status::Corruption(path + ": header length " + std::to_string(header.length) +
                              " exceeds the limit of " + std::to_string(kMaxHeaderSize) + " bytes");
  }
  if (header.length > size - 8) {
    return Status::Corruption(path + ": header length " + std::to_string(header.length) +
                              " runs past end of file (" + std::to_string(size - 8) +
                              " bytes after the length field)");
  }
  RESCOPE_ASSIGN_OR_RETURN(const ByteView text_bytes, file.Read(8, header.length, scratch));
  const std::string_view text = text_bytes.AsStringView();
  size_t bad = 0;
  if (!IsValidUtf8(text, &bad)) {
    return Status::Corruption(path + ": header @" + Hex(8 + bad) + ": not valid UTF-8");
  }
  RESCOPE_RETURN_IF_ERROR(ParseJson(path, text, header));
  RESCOPE_RETURN_IF_ERROR(ValidateLayout(path, header, size - 8 - header.length));
  return header;
}

std::string SerializeHeader(const std::optional<Metadata>& metadata,
                            const std::vector<HeaderTensor>& tensors) {
  std::string out = "{";
  bool first = true;
  if (metadata) {
    out += "\"__metadata__\":{";
    for (size_t i = 0; i < metadata->size(); ++i) {
      if (i) out += ',';
      AppendJsonString(out, (*metadata)[i].first);
      out += ':';
      AppendJsonString(out, (*metadata)[i].second);
    }
    out += '}';
    first = false;
  }
  for (const HeaderTensor& t : tensors) {
    if (!first) out += ',';
    first = false;
    AppendJsonString(out, t.name);
    out += ":{\"dtype\":";
    AppendJsonString(out, t.dtype->name);
    out += ",\"shape\":[";
    for (size_t i = 0; i < t.shape.size(); ++i) {
      if (i) out += ',';
      out += std::to_string(t.shape[i]);
    }
    out += "],\"data_offsets\":[" + std::to_string(t.begin) + ',' + std::to_string(t.end) + "]}";
  }
  out += '}';
  out.append((8 - out.size() % 8) % 8, ' ');
  return out;
}

}  // namespace rescope::safetensors
