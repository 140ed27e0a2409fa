// SPDX-License-Identifier: Apache-2.0
// Integrity check of a whole checkpoint: every stored entry's bytes are available, lie
// inside their file, do not overlap another entry, and (where the format stores one)
// match their checksum. Formats without checksums are read completely instead.
//
// Overlaps: entries that are views of one storage (PyTorch tied weights, slices of one
// buffer; the reader marks them with a ("storage", key) note) may share bytes: they are
// legal and listed in VerifyReport::shared. Only ranges of distinct storages that overlap
// fail (safetensors forbids any overlap; its entries have no storage note).
//
// A missing data file is one failure naming the file and how many entries it held, not
// one failure per entry.
#pragma once

#include <string>
#include <vector>

#include "core/store/tensor_store.h"

namespace rescope {

struct VerifyFailure {
  std::string name;
  std::string problem;
};

// Entries whose bytes are views of one storage (listed in name order).
struct SharedStorage {
  std::string storage;  // the format's storage name, e.g. PyTorch's "data/3"
  std::vector<std::string> names;
};

struct VerifyReport {
  uint64_t checked = 0;
  uint64_t checksummed = 0;
  uint64_t regions_checked = 0;  // container checksums (zip CRC-32 of records) recomputed
  uint64_t regions_failed = 0;
  uint64_t failed_entries = 0;
  // HDF5 datasets with the Fletcher-32 filter: HDF5 checks it as verify reads them.
  uint64_t fletcher32_checked = 0;
  // Entries whose bytes no stored checksum covers (safetensors, plain HDF5, Keras .h5,
  // legacy PyTorch): verify proved their structure, not their bytes.
  uint64_t without_checksum = 0;
  std::vector<VerifyFailure> failures;  // entry failures, then whole-file problems
  std::vector<SharedStorage> shared;
};

// Checksums are recomputed on up to `threads` threads (0: one per core), tensor by tensor and
// zip record by record; the report is the same for every thread count.
VerifyReport VerifyCheckpoint(const Checkpoint& ckpt, unsigned threads = 0);

}  // namespace rescope
