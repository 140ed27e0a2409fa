// SPDX-License-Identifier: Apache-2.0
// Fuzz target for the restricted pickle machine and the PyTorch container readers: runs the
// bytes as a data.pkl (strict and lenient), re-emits whatever parses, and opens the bytes as a
// whole .pt file, reading every tensor's bytes through its strides.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

#include "formats/pytorch/pickle_vm.h"
#include "formats/pytorch/pickle_writer.h"
#include "formats/pytorch/pytorch_reader.h"

using namespace rescope;
using namespace rescope::pytorch;

namespace {

void RunAsDataPkl(ByteView bytes, bool lenient) {
  PickleGraph graph;
  auto zeros = std::make_shared<MemoryByteSource>("zeros", std::vector<uint8_t>(4096));
  PersistentLoad load = [&](PickleGraph& g, PyNode* pid, uint64_t offset) {
    PyNode* node = g.New(PyKind::kStorage, offset);
    node->storage = std::make_shared<TorchStorage>();
    node->storage->type_name = "FloatStorage";
    node->storage->count = pid->items.size();
    node->storage->location = "cpu";
    node->storage->source = zeros;
    node->storage->nbytes = 4096;
    node->storage->resolved = true;
    return node;
  };
  try {
    PickleRun run =
        RunPickle(bytes, "fuzz", "data.pkl", 0, graph, load, {.allow_protocol4 = lenient});
    if (run.end > bytes.size) std::abort();
    PickleWriter writer;
    (void)writer.Emit(run.root);
  } catch (const FormatError&) {
  }
}

void OpenAsFile(const uint8_t* data, size_t size, bool lenient) {
  auto source =
      std::make_shared<MemoryByteSource>("fuzz.pt", std::vector<uint8_t>(data, data + size));
  auto ckpt = OpenPyTorchBytes(source, {.lenient = lenient});
  if (!ckpt.ok()) return;
  std::vector<uint8_t> scratch;
  for (const auto& [name, entry] : ckpt->store) {
    if (entry.byte_size > (1u << 20)) continue;
    auto view = entry.data->Read(entry.data_offset, entry.byte_size, scratch);
    if (!view.ok() || view->size != entry.byte_size) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const ByteView bytes(data, size);
  RunAsDataPkl(bytes, false);
  RunAsDataPkl(bytes, true);
  OpenAsFile(data, size, false);
  OpenAsFile(data, size, true);
  return 0;
}
