// SPDX-License-Identifier: Apache-2.0
// Computes a hash manifest (core/compare/manifest.h) of an open checkpoint: the SHA-256 of every
// tensor's bytes and of every file, streamed through bounded windows and spread over
// worker threads (tensors and files are independent jobs, largest first).
//
// Stored checksums are checked in the same pass (TF bundle CRC32C): a manifest must never
// certify bytes the format itself says are damaged.
#pragma once

#include <string>
#include <vector>

#include "core/compare/manifest.h"
#include "core/store/tensor_store.h"

namespace rescope {

struct HashOptions {
  unsigned jobs = 0;              // worker threads; 0 = hardware concurrency
  bool ignore_checksums = false;  // record the digest of a tensor failing its stored CRC32C
};

struct HashProblem {
  std::string name;  // tensor key or file path
  std::string problem;
};

struct HashResult {
  Manifest manifest;                  // digests of everything that could be read
  std::vector<HashProblem> failures;  // unreadable or checksum-failing tensors, unreadable files
  std::vector<HashProblem> ignored;   // checksum failures let through by ignore_checksums
};

// The key a tensor has in a manifest: its name, or for a stored slice of a partitioned
// variable (whose name is a binary slice key) "<variable>[slice <start,length:...>]".
std::string ManifestTensorKey(const TensorEntry& entry);

HashResult HashCheckpoint(const Checkpoint& ckpt, const HashOptions& options);

}  // namespace rescope
