// SPDX-License-Identifier: Apache-2.0
// libFuzzer target for the Keras HDF5 / .keras reader: the input is written to a temp
// file (OpenKerasH5 takes a path) and opened; every entry's first bytes are read. Errors
// are expected, crashes are bugs.
//
// Known limitation: libhdf5 1.10 itself crashes on some damaged metadata (global-heap
// reads for variable-length strings, attribute decoding) and may attempt huge allocations
// from sizes in the file; such findings are library bugs, not rescope's. Run with
//   -rss_limit_mb=4096 -malloc_limit_mb=4096
// and look at the top frames before filing. The reader's forked-child crash probe is
// turned off here (RESCOPE_NO_HDF5_PROBE) so those crashes stay visible. The checked-in corpus (four files of about
// 1 KB written by tests/fuzz/make_hdf5_fuzzer_seeds.py with h5py: Keras 2, Keras 3, a
// .keras zip, generic types) replays cleanly as a ctest.
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "formats/keras_h5/keras_h5_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The forked-child crash probe would hide the library crashes from the sanitizers.
  static const bool kNoProbe = ::setenv("RESCOPE_NO_HDF5_PROBE", "1", 1) == 0;
  (void)kNoProbe;
  const char* dir = std::getenv("TMPDIR");
  std::string path =
      std::string(dir != nullptr && dir[0] != '\0' ? dir : "/tmp") + "/rescope-hdf5-fuzz-XXXXXX";
  const int fd = ::mkstemp(path.data());
  if (fd < 0) return 0;
  size_t written = 0;
  while (written < size) {
    const ssize_t n = ::write(fd, data + written, size - written);
    if (n <= 0) break;
    written += static_cast<size_t>(n);
  }
  ::close(fd);
  if (written == size) {
    (void)rescope::SniffKerasOrHdf5(path);
    auto ckpt = rescope::OpenKerasH5(path);
    if (ckpt.ok()) {
      std::vector<uint8_t> scratch;
      for (const auto& [name, entry] : ckpt->store) {
        if (!entry.data) continue;
        const uint64_t n = std::min<uint64_t>(entry.byte_size, 4096);
        (void)entry.data->Read(entry.data_offset, n, scratch);
      }
    }
  }
  ::unlink(path.c_str());
  return 0;
}
