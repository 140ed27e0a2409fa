// SPDX-License-Identifier: Apache-2.0
// Crash isolation for libhdf5: reading a file's metadata once in a forked child first.
//
// libhdf5 1.10 is not hardened against hostile metadata: single flipped bytes in real
// files make it segfault or loop forever (global-heap reads of variable-length string
// attributes, attribute message decoding) during open and metadata reading. rescope must
// never crash on bad input, and no check of ours can run inside the library, so the
// metadata read is first done in a child process; only if the child survives does the
// caller repeat it in-process.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "core/store/status.h"

namespace rescope {

// Forks; the child runs `work` with stdout and stderr redirected to /dev/null and core
// dumps disabled, then _exit()s with 0 when `work` returns true and 3 when it returns
// false or throws. The parent polls waitpid and SIGKILLs the child after `timeout`.
// Returns OK when the child exited with 0 or 3 (a clean error is left for the caller to
// reproduce in-process, with its exact message), otherwise kCorruption:
//   "<path>: the HDF5 library crashed (signal 11: SIGSEGV) while reading this file's
//    metadata; the file is corrupt"
//   "<path>: the HDF5 library did not finish within 10 s while reading this file's
//    metadata; the file is corrupt"
// When fork itself fails the probe is skipped and OK returned (reading in-process is
// what rescope did before the probe existed). The child inherits the caller's memory
// only: a caller holding locks another thread needs (HDF5's global lock in a
// thread-safe build) could make the child wait until the timeout.
Status ProbeInChild(const std::string& path, std::chrono::seconds timeout,
                    const std::function<bool()>& work);

// The probe timeout OpenKerasH5 uses: RESCOPE_HDF5_PROBE_TIMEOUT (whole seconds, 1..3600)
// when set and valid, else 30 s.
std::chrono::seconds Hdf5ProbeTimeout();

}  // namespace rescope
