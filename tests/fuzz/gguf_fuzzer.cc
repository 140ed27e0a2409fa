// SPDX-License-Identifier: Apache-2.0
// Fuzz target for the GGUF header: parses arbitrary bytes as an in-memory file and, when
// they are accepted, checks the invariants the parser promises (aligned, in-file,
// non-overlapping tensor data of the size its dims and type need) and opens them as a
// checkpoint whose entries match the tensor infos.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

#include "formats/gguf/gguf_header.h"
#include "formats/gguf/gguf_reader.h"

using namespace rescope;
using namespace rescope::gguf;

namespace {

void CheckInvariants(const Header& h, uint64_t file_size) {
  if (h.version != 2 && h.version != 3) std::abort();
  if (h.alignment == 0 || (h.alignment & (h.alignment - 1)) != 0) std::abort();
  if (h.data_offset % h.alignment != 0) std::abort();
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  for (const TensorInfo& t : h.tensors) {
    const auto size = TensorByteSize(t);
    if (!size || t.dims.size() > kMaxDims || t.offset % h.alignment != 0) std::abort();
    if (h.data_offset + t.offset + *size > file_size) std::abort();
    if (*size > 0) ranges.emplace_back(t.offset, t.offset + *size);
  }
  std::sort(ranges.begin(), ranges.end());
  for (size_t i = 1; i < ranges.size(); ++i) {
    if (ranges[i].first < ranges[i - 1].second) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint8_t> input(data, data + size);
  auto source = std::make_shared<MemoryByteSource>("fuzz.gguf", input);
  auto header = ParseHeader(*source);
  if (!header.ok()) {
    if (header.status().message().empty()) std::abort();
    return 0;
  }
  CheckInvariants(*header, size);
  for (const KeyValue& kv : header->metadata) (void)DescribeValue(kv.value);
  auto ckpt = OpenGgufSource(source);
  if (!ckpt.ok() || ckpt->store.size() != header->tensors.size()) std::abort();
  for (const TensorInfo& t : header->tensors) {
    const TensorEntry* e = ckpt->store.Find(t.name);
    if (e == nullptr || e->shape.size() != t.dims.size() || e->byte_size != *TensorByteSize(t)) {
      std::abort();
    }
  }
  return 0;
}
