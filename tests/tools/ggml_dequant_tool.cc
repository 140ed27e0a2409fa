// SPDX-License-Identifier: Apache-2.0
// Test entry point for GGML dequantization without a GGUF file: reads a file of raw blocks
// as one tensor of the given GGML type and writes its values from element `start` on as
// little-endian float32, through ElementReader (the path show, diff and stats take).
// Used by tests/judges/test_ggml_dequant.py, which compares the output with gguf-py.
//
//   ggml_dequant_tool TYPE ELEMENTS BLOCKS_FILE OUT_FILE [WINDOW_BYTES [START]]
// Exit 0 on success, 2 with a message on stderr otherwise.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "core/values/tensor_values.h"

using namespace rescope;

int main(int argc, char** argv) {
  if (argc < 5 || argc > 7) {
    std::cerr << "usage: ggml_dequant_tool TYPE ELEMENTS BLOCKS_FILE OUT_FILE [WINDOW [START]]\n";
    return 2;
  }
  const std::optional<DType> dtype = ParseDTypeName(argv[1]);
  if (!dtype) {
    std::cerr << "unknown type " << argv[1] << "\n";
    return 2;
  }
  std::ifstream in(argv[3], std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  TensorEntry entry;
  entry.name = "blocks";
  entry.dtype = *dtype;
  entry.shape = {std::stoll(argv[2])};
  entry.byte_size = bytes.size();
  entry.data = std::make_shared<MemoryByteSource>(argv[3], std::move(bytes));
  const uint64_t window = argc > 5 ? std::stoull(argv[5]) : kValueWindowBytes;
  const uint64_t start = argc > 6 ? std::stoull(argv[6]) : 0;
  Result<ElementReader> reader = ElementReader::Open(entry, window);
  if (!reader.ok()) {
    std::cerr << reader.status().message() << "\n";
    return 2;
  }
  reader->Seek(start);
  std::vector<float> values;
  std::vector<double> chunk(1000);  // not a multiple of any block size
  while (true) {
    Result<size_t> n = reader->ReadDoubles(chunk.data(), chunk.size());
    if (!n.ok()) {
      std::cerr << n.status().message() << "\n";
      return 2;
    }
    if (*n == 0) break;
    for (size_t i = 0; i < *n; ++i) values.push_back(static_cast<float>(chunk[i]));
  }
  std::ofstream out(argv[4], std::ios::binary);
  out.write(reinterpret_cast<const char*>(values.data()),
            static_cast<std::streamsize>(values.size() * sizeof(float)));
  return out ? 0 : 2;
}
