// Integrity check of a whole checkpoint: every stored entry's bytes are available, lie
// inside their file, do not overlap another entry, and (where the format stores one)
// match their checksum. Formats without checksums are read completely instead.
#pragma once

#include <string>
#include <vector>

#include "core/tensor_store.h"

namespace rescope {

struct VerifyFailure {
  std::string name;
  std::string problem;
};

struct VerifyReport {
  uint64_t checked = 0;
  uint64_t checksummed = 0;
  uint64_t regions_checked = 0;  // container checksums (zip CRC-32 of records) recomputed
  uint64_t regions_failed = 0;
  uint64_t failed_entries = 0;
  std::vector<VerifyFailure> failures;  // entry failures, then whole-file problems
};

VerifyReport VerifyCheckpoint(const Checkpoint& ckpt);

}  // namespace rescope
