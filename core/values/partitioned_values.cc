// SPDX-License-Identifier: Apache-2.0
// Tiling check and assembly of partitioned variables from their stored slices.
#include "core/values/partitioned_values.h"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "core/store/byte_source.h"
#include "core/values/tensor_values.h"

namespace rescope {
namespace {

std::string Quoted(std::string_view name) {
  return "partitioned variable \"" + std::string(name) + "\"";
}

// A slice as half-open intervals [begin, end) per dimension, after its extents were
// checked against the shape.
struct Box {
  std::vector<int64_t> begin, end;
};

Result<Box> CheckedBox(std::string_view variable, const std::vector<int64_t>& shape,
                       const TensorSlice& slice) {
  const std::string where = Quoted(variable) + ": slice " + SliceToString(slice);
  if (slice.size() != shape.size()) {
    return Status::Corruption(where + " has " + std::to_string(slice.size()) +
                              " extents, the variable's rank is " + std::to_string(shape.size()));
  }
  Box box;
  for (size_t d = 0; d < shape.size(); ++d) {
    const SliceExtent& x = slice[d];
    if (x.length == -1) {
      // TF writes a whole dimension as start 0, length -1; anything else is not a slice TF
      // would write, so it is refused rather than interpreted.
      if (x.start != 0) {
        return Status::Corruption(where + ": dimension " + std::to_string(d) +
                                  " is marked whole but starts at " + std::to_string(x.start));
      }
      box.begin.push_back(0);
      box.end.push_back(shape[d]);
      continue;
    }
    if (x.start < 0 || x.length < 0 || x.start > shape[d] || x.length > shape[d] - x.start) {
      return Status::Corruption(where + ": dimension " + std::to_string(d) + " [" +
                                std::to_string(x.start) + ", +" + std::to_string(x.length) +
                                ") lies outside the variable's extent " + std::to_string(shape[d]) +
                                " (shape " + ShapeToString(shape) + ")");
    }
    box.begin.push_back(x.start);
    box.end.push_back(x.start + x.length);
  }
  return box;
}

uint64_t Volume(const Box& b) {
  uint64_t v = 1;  // bounded by the variable's element count, checked by the caller
  for (size_t d = 0; d < b.begin.size(); ++d) v *= static_cast<uint64_t>(b.end[d] - b.begin[d]);
  return v;
}

bool Intersect(const Box& a, const Box& b) {
  for (size_t d = 0; d < a.begin.size(); ++d) {
    if (std::max(a.begin[d], b.begin[d]) >= std::min(a.end[d], b.end[d])) return false;
  }
  return true;
}

// Copies one slice's row-major bytes into their places in the full row-major buffer.
// The slice is read front to back in windows; each run of elements contiguous in the
// full tensor (the innermost partial dimension times every whole dimension after it) is
// copied whole.
Status CopySlice(const TensorEntry& part, const Box& box, const std::vector<int64_t>& shape,
                 uint32_t elem_size, std::vector<uint8_t>& out) {
  const size_t rank = shape.size();
  WindowedBytes bytes(part.data, part.data_offset, part.byte_size);
  if (rank == 0) {
    RESCOPE_ASSIGN_OR_RETURN(const ByteView v, bytes.Take(elem_size));
    std::copy(v.begin(), v.end(), out.begin());
    return Status::Ok();
  }
  std::vector<uint64_t> stride(rank, 1);  // elements of the full tensor per step in d
  for (size_t d = rank - 1; d > 0; --d) stride[d - 1] = stride[d] * static_cast<uint64_t>(shape[d]);
  size_t inner = rank - 1;  // dimensions after `inner` are whole
  while (inner > 0 && box.begin[inner] == 0 && box.end[inner] == shape[inner]) --inner;
  uint64_t run = 1;
  for (size_t d = inner; d < rank; ++d) run *= static_cast<uint64_t>(box.end[d] - box.begin[d]);
  if (run == 0 || Volume(box) == 0) return Status::Ok();
  const uint64_t run_bytes = run * elem_size;

  std::vector<int64_t> index(box.begin.begin(), box.begin.begin() + static_cast<long>(inner));
  while (true) {
    uint64_t first = static_cast<uint64_t>(box.begin[inner]) * stride[inner];
    for (size_t d = 0; d < inner; ++d) first += static_cast<uint64_t>(index[d]) * stride[d];
    uint64_t at = first * elem_size;
    for (uint64_t left = run_bytes; left > 0;) {
      const uint64_t n = std::min(left, kValueWindowBytes);
      RESCOPE_ASSIGN_OR_RETURN(const ByteView v, bytes.Take(n));
      std::copy(v.begin(), v.end(), out.begin() + static_cast<std::ptrdiff_t>(at));
      at += n;
      left -= n;
    }
    // Next index over the outer dimensions, last one fastest (row-major).
    size_t d = inner;
    while (d > 0) {
      --d;
      if (++index[d] < box.end[d]) break;
      index[d] = box.begin[d];
      if (d == 0) return Status::Ok();
    }
    if (inner == 0) return Status::Ok();
  }
}

}  // namespace

Status CheckSlicesTile(std::string_view variable, const std::vector<int64_t>& shape,
                       const std::vector<TensorSlice>& slices) {
  const std::optional<uint64_t> total = ShapeNumElements(shape);
  if (!total) {
    return Status::Corruption(Quoted(variable) + ": shape " + ShapeToString(shape) +
                              " has no valid element count");
  }
  if (slices.empty()) return Status::Corruption(Quoted(variable) + ": no slices listed");
  std::vector<Box> boxes;
  boxes.reserve(slices.size());
  uint64_t covered = 0;
  for (const TensorSlice& s : slices) {
    RESCOPE_ASSIGN_OR_RETURN(Box b, CheckedBox(variable, shape, s));
    // Each volume is at most the total; the running sum is checked below before it can
    // grow past 2 * total, so it never overflows.
    for (size_t i = 0; i < boxes.size(); ++i) {
      if (Intersect(boxes[i], b)) {
        return Status::Corruption(Quoted(variable) + ": slices " + SliceToString(slices[i]) +
                                  " and " + SliceToString(s) +
                                  " overlap (both store some of the same elements)");
      }
    }
    covered += Volume(b);
    boxes.push_back(std::move(b));
  }
  // Disjoint boxes inside the shape cover at most every element; fewer means a gap.
  if (covered != *total) {
    return Status::Corruption(Quoted(variable) + ": its slices cover " + std::to_string(covered) +
                              " of " + std::to_string(*total) + " elements of shape " +
                              ShapeToString(shape) + "; the rest is stored in no slice");
  }
  return Status::Ok();
}

Result<TensorEntry> AssemblePartitioned(const TensorStore& store, const TensorEntry& variable,
                                        uint64_t max_bytes) {
  if (variable.kind != EntryKind::kPartitioned) {
    return Status::InvalidArgument("tensor \"" + variable.name + "\" is not partitioned");
  }
  const std::optional<uint32_t> elem_size = DTypeElementSize(variable.dtype);
  const std::optional<ValueClass> cls = ValueClassOf(variable.dtype);
  if (!elem_size || !cls || *cls == ValueClass::kString) {
    return Status::NotSupported(Quoted(variable.name) + ": " + DTypeName(variable.dtype) +
                                " slices cannot be assembled (only fixed-size numeric and bool "
                                "types are)");
  }
  RESCOPE_RETURN_IF_ERROR(CheckSlicesTile(variable.name, variable.shape, variable.slices()));
  const uint64_t count = *ShapeNumElements(variable.shape);
  if (count > max_bytes / *elem_size) {
    return Status::NotSupported(Quoted(variable.name) + ": " + DTypeName(variable.dtype) + " " +
                                ShapeToString(variable.shape) + " is larger than the " +
                                std::to_string(max_bytes >> 20) +
                                " MiB that are assembled in memory");
  }

  std::map<std::string, const TensorEntry*> parts;  // by SliceToString
  for (const auto& [name, e] : store) {
    if (e.kind != EntryKind::kSlice || e.partitioned_name() != variable.name) continue;
    if (!parts.emplace(SliceToString(e.slice()), &e).second) {
      return Status::Corruption(Quoted(variable.name) + ": slice " + SliceToString(e.slice()) +
                                " is stored twice");
    }
  }

  std::vector<uint8_t> bytes(static_cast<size_t>(count * *elem_size));
  for (const TensorSlice& s : variable.slices()) {
    const std::string where = Quoted(variable.name) + ": slice " + SliceToString(s);
    const auto found = parts.find(SliceToString(s));
    if (found == parts.end()) return Status::NotFound(where + " is listed but not stored");
    const TensorEntry& part = *found->second;
    RESCOPE_ASSIGN_OR_RETURN(const Box box, CheckedBox(variable.name, variable.shape, s));
    std::vector<int64_t> part_shape;
    for (size_t d = 0; d < box.begin.size(); ++d) part_shape.push_back(box.end[d] - box.begin[d]);
    if (part.dtype != variable.dtype || part.shape != part_shape) {
      return Status::Corruption(where + " is stored as " + DTypeName(part.dtype) + " " +
                                ShapeToString(part.shape) + ", expected " +
                                DTypeName(variable.dtype) + " " + ShapeToString(part_shape));
    }
    if (!part.data) {
      return Status::NotFound(where + ": bytes unavailable (" +
                              (part.data_error().empty() ? "no data source" : part.data_error()) +
                              ")");
    }
    const uint64_t expected = Volume(box) * *elem_size;
    if (part.byte_size != expected ||
        !RangeFits(part.data_offset, part.byte_size, part.data->size())) {
      return Status::Corruption(part.data->name() + ": " + where + ": stored bytes [" +
                                Hex(part.data_offset) + ", +" + Hex(part.byte_size) +
                                ") do not hold " + Hex(expected) + " bytes inside the file (" +
                                Hex(part.data->size()) + ")");
    }
    RESCOPE_RETURN_IF_ERROR(CopySlice(part, box, variable.shape, *elem_size, bytes));
  }

  TensorEntry whole;
  whole.name = variable.name;
  whole.SetSourceName(variable.SourceName());
  whole.dtype = variable.dtype;
  whole.shape = variable.shape;
  whole.byte_size = bytes.size();
  whole.mutable_notes() = variable.notes();
  whole.data = std::make_shared<MemoryByteSource>(
      variable.name + " (assembled from " + std::to_string(variable.slices().size()) + " slices)",
      std::move(bytes));
  return whole;
}

}  // namespace rescope
