// SPDX-License-Identifier: Apache-2.0
// Keys and protos that describe stored slices of partitioned TF variables: TF's "ordered
// code" slice keys (FORMATS.md §1.10) and TensorSliceProto (BundleEntryProto.slices).
//
// A slice key is `WriteNumIncreasing(0) WriteString(name) WriteNumIncreasing(rank)` followed
// by `WriteSignedNumIncreasing(start) WriteSignedNumIncreasing(length)` per dimension, a
// full dimension being start 0, length -1. Keys are binary (they start with byte 00);
// EscapeKeyForDisplay gives the text form used in listings and messages.
//
// All functions are pure and thread-compatible. Decoders never read outside their input
// and never allocate more than the input size justifies.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "core/store/byte_source.h"
#include "core/store/status.h"
#include "core/store/tensor_store.h"

namespace rescope::tfslice {

// --- OrderedCode primitives (tensorflow/core/lib/strings/ordered_code.cc) ---
// Writers append to `out`. Readers consume from the front of `*src` and return false
// (leaving `*src` unspecified) when the bytes are truncated or not a valid encoding.

// One length byte n (0..8), then the n significant bytes of v, big-endian.
void WriteNumIncreasing(std::string& out, uint64_t v);
[[nodiscard]] bool ReadNumIncreasing(std::string_view* src, uint64_t* v);

// 1 to 10 bytes whose bytewise order is the numeric order of v.
void WriteSignedNumIncreasing(std::string& out, int64_t v);
// Accepts every form TF's ReadSignedNumIncreasing accepts, including non-minimal ones.
[[nodiscard]] bool ReadSignedNumIncreasing(std::string_view* src, int64_t* v);

// s with 00 -> 00 ff and ff -> ff 00, then the terminator 00 01.
void WriteString(std::string& out, std::string_view s);
[[nodiscard]] bool ReadString(std::string_view* src, std::string* s);

// --- Slice keys ---

// The bundle key TF stores one slice of `name` under. A dimension whose length is
// negative is written as full (start 0, length -1), which is how TF reads it back.
std::string EncodeTensorNameSlice(std::string_view name, const TensorSlice& slice);

// Decodes a slice key. Accepts rank 0 (V1 files write it for every scalar, FORMATS.md §4),
// which TF's own decoder rejects. A negative decoded length means a full dimension (start
// ignored), as in TF. Rejects: a leading number other than 0, bad escapes, truncation, a
// negative start, start + length overflowing int64, and trailing bytes. Errors read
// `<file>: slice key "<escaped key>" @0x<offset in key>: <what>`.
Result<std::pair<std::string, TensorSlice>> DecodeTensorNameSlice(ByteView key,
                                                                  std::string_view file);

// True if the key starts like a slice key (byte 00); every other bundle key is text.
inline bool LooksLikeSliceKey(std::string_view key) { return !key.empty() && key[0] == '\0'; }

// Printable form of a (possibly binary) key: printable ASCII (0x20..0x7e) as is except
// the backslash, written `\\`; every other byte as `\xNN` (two lowercase hex digits).
std::string EscapeKeyForDisplay(std::string_view raw);

// --- TensorSliceProto: extent = 1 (repeated Extent{start = 1, length = 2 (oneof)}) ---

// Canonical proto3 bytes: start written when non-zero, length written when not -1, so a
// full dimension is an empty Extent (`0a 00`).
std::string EncodeTensorSliceProto(const TensorSlice& slice);

// Decodes a TensorSliceProto; a missing length means full (-1). Unknown fields are
// skipped. Rejects a negative start, a length below -1 and start + length overflowing.
// Errors are located like every proto_wire error: `<file>: <context> @0x..: <what>`,
// offsets counted from `base_offset`.
Result<TensorSlice> DecodeTensorSliceProto(ByteView bytes, std::string_view file,
                                           std::string_view context, uint64_t base_offset = 0);

}  // namespace rescope::tfslice
