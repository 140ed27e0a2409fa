// SPDX-License-Identifier: Apache-2.0
// The forked-child crash probe (formats/hdf5/h5_probe.h): exact messages for a crashing and
// a hanging child, and a byte-flip sweep of a real Keras file that must never take the
// test process down.
#include "formats/hdf5/h5_probe.h"

#include <doctest/doctest.h>
#include <signal.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <thread>

#include "formats/keras_h5/keras_h5_reader.h"
#include "keras_h5_test_util.h"

using namespace rescope;
using namespace rescope::keras_test;

TEST_CASE("h5_probe: child outcomes map to exact statuses") {
  const auto t = std::chrono::seconds(5);
  CHECK(ProbeInChild("a.h5", t, [] { return true; }).ok());
  CHECK(ProbeInChild("a.h5", t, [] { return false; }).ok());  // clean error: parent repeats
  CHECK(ProbeInChild("a.h5", t, []() -> bool { throw std::runtime_error("x"); }).ok());
  const Status crashed = ProbeInChild("a.h5", t, [] {
    ::raise(SIGSEGV);
    return true;
  });
  CHECK(crashed.code() == StatusCode::kCorruption);
#if defined(__SANITIZE_ADDRESS__)
  // ASan handles the signal in the child and exits with status 1 instead.
  CHECK(crashed.message() ==
        "a.h5: the HDF5 library failed (exit status 1) while reading this file's metadata; "
        "the file is corrupt");
#else
  CHECK(crashed.message() ==
        "a.h5: the HDF5 library crashed (signal 11: SIGSEGV) while reading this file's "
        "metadata; the file is corrupt");
#endif
  const Status hung = ProbeInChild("a.h5", std::chrono::seconds(1), [] {
    std::this_thread::sleep_for(std::chrono::seconds(60));
    return true;
  });
  CHECK(hung.message() ==
        "a.h5: the HDF5 library did not finish within 1 s while reading this file's "
        "metadata; the file is corrupt");
}

TEST_CASE("h5_probe: byte flips of a real file never crash the reader") {
  const std::string real = RESCOPE_TESTDATA_DIR;
  const std::string src = real + "/hls4ml-keras2_13_1-prelu-weights-only-h5/prelu_weights.h5";
  if (!std::filesystem::exists(src)) {
    MESSAGE("skipped: " RESCOPE_TESTDATA_DIR " not found");
    return;
  }
  ::unsetenv("RESCOPE_NO_HDF5_PROBE");
  ::setenv("RESCOPE_HDF5_PROBE_TIMEOUT", "3", 1);
  TempDir dir("h5-probe");
  const std::vector<uint8_t> original = ReadFile(src);
  REQUIRE(original.size() == 10888);
  size_t ok = 0, failed = 0, crashed = 0, hung = 0;
#if defined(__SANITIZE_ADDRESS__)
  // Under ASan every probe child is slow and reports a library crash by exiting with
  // ASan's status instead of dying from the signal; sample fewer offsets.
  const size_t stride = 61;
#else
  const size_t stride = 21;
#endif
  // A sample of every region, plus offsets where a full sweep (stride 1) found libhdf5
  // 1.10.8 crashing (917, 1071: corrupt B-tree/heap metadata) or looping forever (1883,
  // 2072), so both escape routes are exercised on every run.
  std::vector<size_t> offsets = {917, 1071, 1883, 2072};
  for (size_t at = 0; at < original.size(); at += stride) offsets.push_back(at);
  for (size_t at : offsets) {
    std::vector<uint8_t> bytes = original;
    bytes[at] = static_cast<uint8_t>(~bytes[at]);
    const std::string path = dir.File("flip.h5");
    WriteFile(path, bytes);
    auto r = OpenKerasH5(path);
    if (r.ok()) {
      ++ok;
      continue;
    }
    ++failed;
    const std::string& m = r.status().message();
    if (m.find("the HDF5 library crashed (signal") != std::string::npos) ++crashed;
#if defined(__SANITIZE_ADDRESS__)
    if (m.find("failed (exit status") != std::string::npos) ++crashed;
#endif
    if (m.find("the HDF5 library did not finish") != std::string::npos) ++hung;
  }
  ::unsetenv("RESCOPE_HDF5_PROBE_TIMEOUT");
  MESSAGE("byte flips: ", ok, " ok, ", failed, " errors (", crashed, " crashes, ", hung,
          " hangs caught by the probe)");
  CHECK(ok + failed == offsets.size());
  CHECK(crashed >= 2);
  CHECK(hung >= 2);
}
