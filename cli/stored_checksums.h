// SPDX-License-Identifier: Apache-2.0
// Checks the CRC32C a format stores for a tensor (TF bundles) before its bytes are shown,
// compared or written, so damaged data never passes as good with exit 0.
//
// --ignore-checksums lets damaged tensors through for salvage, with one warning each.
// Whole-shard copies (TF bundle pass-through rename) need no check: the bytes and their
// stored CRCs are copied unchanged, so `verify` or TensorFlow still catch the damage later.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

#include "core/store/stream_check.h"
#include "core/store/tensor_store.h"

namespace rescope::cli {

// Adds --ignore-checksums to a command that reads tensor bytes.
void AddIgnoreChecksumsFlag(CLI::App* app, bool& ignore);

// Recomputes the entry's checksum when the format stores one. Mismatch: Corruption naming
// the tensor, file, offset, stored and computed CRC, and the flag; with `ignore` a warning
// is printed instead and Ok returned. Entries without stored CRC or without data: Ok (the
// read that follows reports missing data itself).
Status CheckStoredChecksum(const TensorEntry& entry, bool ignore);

// The same for every entry of `store` for which `wanted` returns true (all when empty).
Status CheckStoredChecksums(const TensorStore& store, bool ignore,
                            const std::function<bool(const TensorEntry&)>& wanted = {});

// The check of CheckStoredChecksum as a StreamCheck (core/store/stream_check.h): the CRC
// is extended over the windows another pass reads (diff --values compares them), Finish
// reads the bytes that pass did not, then judges as CheckStoredChecksum does (the same
// error or warning). nullptr for entries without a stored checksum, and for those whose
// checksum is not a plain CRC of their bytes (strings, variants): see NeedsChecksumPass.
std::unique_ptr<StreamCheck> MakeStoredChecksumCheck(const TensorEntry& entry, bool ignore);

// Entries with a stored checksum that MakeStoredChecksumCheck cannot check in-stream:
// they need CheckStoredChecksum(s), a pass of its own over their bytes.
bool NeedsChecksumPass(const TensorEntry& entry);

}  // namespace rescope::cli
