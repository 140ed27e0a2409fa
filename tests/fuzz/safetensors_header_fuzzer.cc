// SPDX-License-Identifier: Apache-2.0
// Fuzz target for the safetensors header: parses arbitrary bytes as an in-memory file and,
// when they are accepted, checks the layout invariants, opens them as a checkpoint, and
// re-serializes the header to check that it parses back to the same tensors and metadata.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

#include "formats/safetensors/safetensors_header.h"
#include "formats/safetensors/safetensors_reader.h"

using namespace rescope;
using namespace rescope::safetensors;

namespace {

void CheckInvariants(const Header& h, uint64_t file_size) {
  uint64_t pos = 0;
  for (const HeaderTensor& t : h.tensors) {
    if (t.dtype == nullptr || t.begin != pos || t.end < t.begin) std::abort();
    pos = t.end;
  }
  if (h.DataStart() + pos != file_size) std::abort();
}

void CheckReserialized(const Header& h, const std::vector<uint8_t>& input) {
  const std::string text = SerializeHeader(h.metadata, h.tensors);
  if (text.size() % 8 != 0) std::abort();
  std::vector<uint8_t> bytes(8);
  StoreLE64(bytes.data(), text.size());
  bytes.insert(bytes.end(), text.begin(), text.end());
  bytes.insert(bytes.end(), input.begin() + static_cast<std::ptrdiff_t>(h.DataStart()),
               input.end());
  MemoryByteSource again("again", std::move(bytes));
  auto back = ParseHeader(again);
  if (!back.ok() || back->metadata != h.metadata || back->tensors.size() != h.tensors.size()) {
    std::abort();
  }
  for (size_t i = 0; i < h.tensors.size(); ++i) {
    const HeaderTensor& a = h.tensors[i];
    const HeaderTensor& b = back->tensors[i];
    if (a.name != b.name || a.dtype != b.dtype || a.shape != b.shape || a.begin != b.begin ||
        a.end != b.end) {
      std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<uint8_t> input(data, data + size);
  auto source = std::make_shared<MemoryByteSource>("fuzz.safetensors", input);
  auto header = ParseHeader(*source);
  if (!header.ok()) {
    if (header.status().message().empty()) std::abort();
    return 0;
  }
  CheckInvariants(*header, size);
  CheckReserialized(*header, input);
  auto ckpt = OpenSafetensorsSource(source);
  if (ckpt.ok() && ckpt->store.size() != header->tensors.size()) std::abort();
  return 0;
}
