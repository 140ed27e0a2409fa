// SPDX-License-Identifier: Apache-2.0
// numpy array2string port: element formatters and the nested-bracket layout.
#include "core/values/value_format.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

#include "core/values/float_repr.h"
#include "core/values/tensor_values.h"

namespace rescope {
namespace {

// ---- element formatters (numpy FloatingFormat, IntegerFormat, BoolFormat, ...) ----

class FloatFormatter {
 public:
  FloatFormatter(const std::vector<double>& values, DType dtype, int precision, bool plus_sign)
      : dtype_(dtype), precision_(precision), plus_(plus_sign) {
    Fill(values);
  }

  std::string operator()(double v) const {
    if (!std::isfinite(v)) {
      std::string text =
          std::isnan(v) ? (plus_ ? "+nan" : "nan") : (v < 0 ? "-inf" : (plus_ ? "+inf" : "inf"));
      return PadLeft(text, pad_left_ + pad_right_ + 1);
    }
    if (exp_format_) {
      FloatText t = ScientificText(v, dtype_, precision_, plus_, exp_size_);
      t.frac_part.resize(std::max(t.frac_part.size(), static_cast<size_t>(precision_)), '0');
      return PadLeft(t.int_part, pad_left_) + "." + t.frac_part + t.exp_part;
    }
    const FloatText t = PositionalText(v, dtype_, precision_, plus_);
    std::string frac = t.frac_part;
    frac.resize(std::max(frac.size(), static_cast<size_t>(pad_right_)), ' ');
    return PadLeft(t.int_part, pad_left_) + "." + frac;
  }

 private:
  static std::string PadLeft(const std::string& s, int width) {
    if (static_cast<int>(s.size()) >= width) return s;
    return std::string(static_cast<size_t>(width) - s.size(), ' ') + s;
  }

  void Fill(const std::vector<double>& values) {
    std::vector<double> finite;
    bool any_nonfinite = false, any_neg_inf = false;
    double max_abs = 0, min_abs = 0;
    for (double v : values) {
      if (!std::isfinite(v)) {
        any_nonfinite = true;
        any_neg_inf = any_neg_inf || (std::isinf(v) && v < 0);
        continue;
      }
      finite.push_back(v);
      if (v == 0) continue;
      const double a = std::fabs(v);
      min_abs = (max_abs == 0) ? a : std::min(min_abs, a);
      max_abs = std::max(max_abs, a);
    }
    exp_format_ = max_abs != 0 && (max_abs >= 1e8 || min_abs < 1e-4 || max_abs / min_abs > 1e3);
    if (exp_format_) {
      FillScientific(finite);
    } else {
      for (double v : finite) {
        const FloatText t = PositionalText(v, dtype_, precision_, plus_);
        pad_left_ = std::max(pad_left_, static_cast<int>(t.int_part.size()));
        pad_right_ = std::max(pad_right_, static_cast<int>(t.frac_part.size()));
      }
    }
    if (any_nonfinite) {
      const int neginf = (plus_ || any_neg_inf) ? 1 : 0;
      const int offset = pad_right_ + 1;
      pad_left_ = std::max({pad_left_, 3 - offset, 3 + neginf - offset});
    }
  }

  void FillScientific(const std::vector<double>& finite) {
    int max_frac = 0, max_exp = 0;
    for (double v : finite) {
      const FloatText t = ScientificText(v, dtype_, precision_, plus_, 2);
      pad_left_ = std::max(pad_left_, static_cast<int>(t.int_part.size()));
      max_frac = std::max(max_frac, static_cast<int>(t.frac_part.size()));
      max_exp = std::max(max_exp, static_cast<int>(t.exp_part.size()) - 2);  // "e+" / "e-"
    }
    exp_size_ = max_exp;
    precision_ = max_frac;
    pad_right_ = exp_size_ + 2 + precision_;
  }

  DType dtype_;
  int precision_;
  bool plus_;
  bool exp_format_ = false;
  int pad_left_ = 0;
  int pad_right_ = 0;
  int exp_size_ = 2;
};

template <typename Int>
std::function<std::string(size_t)> IntegerWords(const std::vector<Int>& values) {
  size_t width = 0;
  for (Int v : values) width = std::max(width, std::to_string(v).size());
  return [&values, width](size_t i) {
    std::string s = std::to_string(values[i]);
    return std::string(width - std::min(width, s.size()), ' ') + s;
  };
}

}  // namespace

std::string BytesLiteral(std::string_view s) {
  const bool has_single = s.find('\'') != std::string_view::npos;
  const char quote = has_single && s.find('"') == std::string_view::npos ? '"' : '\'';
  std::string out = "b";
  out += quote;
  static const char kHex[] = "0123456789abcdef";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == static_cast<unsigned char>(quote) || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c < 0x20 || c >= 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += ch;
    }
  }
  out += quote;
  return out;
}

namespace {

// ---- which elements are displayed ----

struct Run {
  uint64_t start;
  uint64_t length;
};

// Row-major flat-index runs of the displayed elements, merged where contiguous.
std::vector<Run> DisplayedRuns(const std::vector<int64_t>& shape,
                               const std::vector<std::vector<uint64_t>>& shown) {
  std::vector<Run> runs;
  auto add = [&runs](uint64_t start, uint64_t length) {
    if (length == 0) return;
    if (!runs.empty() && runs.back().start + runs.back().length == start) {
      runs.back().length += length;
    } else {
      runs.push_back({start, length});
    }
  };
  if (shape.empty()) {
    add(0, 1);
    return runs;
  }
  const size_t ndim = shape.size();
  const auto last = static_cast<uint64_t>(shape.back());
  const std::vector<uint64_t>& last_shown = shown.back();
  std::vector<size_t> odo(ndim - 1, 0);  // position in each outer axis' shown list
  while (true) {
    uint64_t row = 0;
    for (size_t a = 0; a + 1 < ndim; ++a)
      row = row * static_cast<uint64_t>(shape[a]) + shown[a][odo[a]];
    const uint64_t base = row * last;
    // The last axis shows [0, k) and possibly [last - k, last): two runs at most.
    size_t i = 0;
    while (i < last_shown.size()) {
      size_t j = i + 1;
      while (j < last_shown.size() && last_shown[j] == last_shown[j - 1] + 1) ++j;
      add(base + last_shown[i], j - i);
      i = j;
    }
    size_t a = ndim - 1;
    while (a > 0 && ++odo[a - 1] == shown[a - 1].size()) odo[--a] = 0;
    if (a == 0) break;
  }
  return runs;
}

struct DisplayedValues {
  std::vector<double> doubles;  // float, complex (pairs)
  std::vector<int64_t> ints;    // signed, bool
  std::vector<uint64_t> uints;  // unsigned
  std::vector<std::string> strings;
};

Status CollectNumbers(const TensorEntry& entry, ValueClass cls, const std::vector<Run>& runs,
                      DisplayedValues& out) {
  RESCOPE_ASSIGN_OR_RETURN(ElementReader reader, ElementReader::Open(entry));
  const size_t comps = reader.components();
  for (const Run& run : runs) {
    reader.Seek(run.start);
    uint64_t left = run.length;
    while (left > 0) {
      const size_t want = static_cast<size_t>(std::min<uint64_t>(left, 1 << 16));
      Result<size_t> got = size_t{0};
      if (cls == ValueClass::kSigned || cls == ValueClass::kBool) {
        const size_t at = out.ints.size();
        out.ints.resize(at + want);
        got = reader.ReadInt64(out.ints.data() + at, want);
      } else if (cls == ValueClass::kUnsigned) {
        const size_t at = out.uints.size();
        out.uints.resize(at + want);
        got = reader.ReadUInt64(out.uints.data() + at, want);
      } else {
        const size_t at = out.doubles.size();
        out.doubles.resize(at + want * comps);
        got = reader.ReadDoubles(out.doubles.data() + at, want);
      }
      if (!got.ok()) return got.status();
      if (*got != want) return Status::Corruption("tensor \"" + entry.name + "\": short read");
      left -= want;
    }
  }
  return Status::Ok();
}

Status CollectStrings(const TensorEntry& entry, const std::vector<Run>& runs,
                      DisplayedValues& out) {
  RESCOPE_ASSIGN_OR_RETURN(StringReader reader, StringReader::Open(entry));
  uint64_t index = 0;
  std::string_view s;
  for (const Run& run : runs) {
    for (; index < run.start + run.length; ++index) {
      RESCOPE_ASSIGN_OR_RETURN(const bool more, reader.Next(&s));
      if (!more) return Status::Corruption("tensor \"" + entry.name + "\": short read");
      if (index >= run.start) out.strings.emplace_back(s);
    }
  }
  return Status::Ok();
}

// ---- layout (numpy _formatArray) ----

class ArrayLayout {
 public:
  ArrayLayout(const std::vector<int64_t>& shape, std::vector<uint64_t> dshape, bool summarize,
              uint64_t edge, std::function<std::string(size_t)> word)
      : shape_(shape),
        dshape_(std::move(dshape)),
        strides_(dshape_.size(), 1),
        summarize_(summarize),
        edge_(edge),
        word_(std::move(word)) {
    for (size_t a = dshape_.size(); a-- > 1;) strides_[a - 1] = strides_[a] * dshape_[a];
  }

  std::string Render(int64_t linewidth) const { return Recurse(0, 0, " ", linewidth); }

 private:
  static void ExtendLine(std::string& s, std::string& line, const std::string& word, int64_t width,
                         const std::string& prefix) {
    bool wrap = static_cast<int64_t>(line.size() + word.size()) > width;
    if (line.size() <= prefix.size()) wrap = false;  // wrapping would not help
    if (wrap) {
      while (!line.empty() && line.back() == ' ') line.pop_back();
      s += line + "\n";
      line = prefix;
    }
    line += word;
  }

  std::string Recurse(size_t axis, uint64_t offset, const std::string& hanging,
                      int64_t width) const {
    const size_t ndim = dshape_.size();
    if (axis == ndim) return word_(static_cast<size_t>(offset));
    const std::string next_hanging = hanging + " ";
    const uint64_t len = dshape_[axis];
    const bool summary = summarize_ && 2 * edge_ < static_cast<uint64_t>(shape_[axis]);
    const uint64_t leading = summary ? edge_ : 0;
    const uint64_t trailing = summary ? edge_ : len;
    auto child = [&](uint64_t i) {
      return Recurse(axis + 1, offset + i * strides_[axis], next_hanging, width - 1);
    };
    std::string s;
    if (ndim - axis == 1) {
      const int64_t elem_width = width - 1;  // room for the closing ']'
      std::string line = hanging;
      for (uint64_t i = 0; i < leading; ++i) {
        ExtendLine(s, line, child(i), elem_width, hanging);
        line += ' ';
      }
      if (summary) {
        ExtendLine(s, line, "...", elem_width, hanging);
        line += ' ';
      }
      for (uint64_t i = trailing; i > 1; --i) {
        ExtendLine(s, line, child(len - i), elem_width, hanging);
        line += ' ';
      }
      ExtendLine(s, line, child(len - 1), elem_width, hanging);
      s += line;
    } else {
      const std::string line_sep(ndim - axis - 1, '\n');
      for (uint64_t i = 0; i < leading; ++i) s += hanging + child(i) + line_sep;
      if (summary) s += hanging + "..." + line_sep;
      for (uint64_t i = trailing; i > 1; --i) s += hanging + child(len - i) + line_sep;
      s += hanging + child(len - 1);
    }
    return "[" + s.substr(hanging.size()) + "]";
  }

  const std::vector<int64_t>& shape_;
  std::vector<uint64_t> dshape_;
  std::vector<uint64_t> strides_;
  bool summarize_;
  uint64_t edge_;
  std::function<std::string(size_t)> word_;
};

std::string Render(const TensorEntry& entry, ValueClass cls, const DisplayedValues& v,
                   const std::vector<uint64_t>& dshape, bool summarize,
                   const FormatOptions& options) {
  const uint64_t edge = std::max<uint64_t>(options.edgeitems, 1);
  auto layout = [&](std::function<std::string(size_t)> word) {
    return ArrayLayout(entry.shape, dshape, summarize, edge, std::move(word))
        .Render(options.linewidth);
  };
  switch (cls) {
    case ValueClass::kFloat: {
      const FloatFormatter f(v.doubles, ValueDType(entry.dtype), options.precision, false);
      return layout([&](size_t i) { return f(v.doubles[i]); });
    }
    case ValueClass::kComplex: {
      std::vector<double> re, im;
      for (size_t i = 0; i + 1 < v.doubles.size(); i += 2) {
        re.push_back(v.doubles[i]);
        im.push_back(v.doubles[i + 1]);
      }
      const DType part = entry.dtype == DType::kComplex64 ? DType::kFloat32 : DType::kFloat64;
      const FloatFormatter fr(re, part, options.precision, false);
      const FloatFormatter fi(im, part, options.precision, true);
      return layout([&](size_t i) {
        std::string imag = fi(im[i]);
        size_t end = imag.size();
        while (end > 0 && imag[end - 1] == ' ') --end;
        imag.insert(end, "j");  // 'j' goes before the alignment padding
        return fr(re[i]) + imag;
      });
    }
    case ValueClass::kBool: {
      const std::string true_text = entry.shape.empty() ? "True" : " True";
      return layout([&](size_t i) { return v.ints[i] != 0 ? true_text : std::string("False"); });
    }
    case ValueClass::kSigned:
      return layout(IntegerWords(v.ints));
    case ValueClass::kUnsigned:
      return layout(IntegerWords(v.uints));
    case ValueClass::kString:
      return layout([&](size_t i) { return BytesLiteral(v.strings[i]); });
  }
  return {};
}

}  // namespace

Result<std::string> FormatTensor(const TensorEntry& entry, const FormatOptions& options) {
  const std::optional<ValueClass> cls = ValueClassOf(entry.dtype);
  if (!cls) return CannotDecodeStatus(entry);
  const std::optional<uint64_t> count = entry.NumElements();
  if (!count) {  // let the reader report the bad shape (or the missing data) its usual way
    if (*cls == ValueClass::kString) return StringReader::Open(entry).status();
    return ElementReader::Open(entry).status();
  }
  if (*count == 0) return std::string("[]");
  const bool summarize = !options.full && *count > options.threshold;
  const uint64_t edge = std::max<uint64_t>(options.edgeitems, 1);
  std::vector<std::vector<uint64_t>> shown(entry.shape.size());
  std::vector<uint64_t> dshape;
  for (size_t a = 0; a < entry.shape.size(); ++a) {
    const auto dim = static_cast<uint64_t>(std::max<int64_t>(entry.shape[a], 0));
    for (uint64_t i = 0; i < dim; ++i) {
      if (summarize && 2 * edge < dim && i == edge) i = dim - edge;
      shown[a].push_back(i);
    }
    dshape.push_back(shown[a].size());
  }
  const std::vector<Run> runs = DisplayedRuns(entry.shape, shown);
  DisplayedValues values;
  if (*cls == ValueClass::kString) {
    RESCOPE_RETURN_IF_ERROR(CollectStrings(entry, runs, values));
  } else {
    RESCOPE_RETURN_IF_ERROR(CollectNumbers(entry, *cls, runs, values));
  }
  return Render(entry, *cls, values, dshape, summarize, options);
}

}  // namespace rescope
