// SPDX-License-Identifier: Apache-2.0
// Fuzz target for TF slice keys, ordered-code signed numbers and TensorSliceProto: decodes
// arbitrary bytes each way and checks that whatever decodes re-encodes to bytes that decode
// to the same value (the canonical form of a non-minimal input).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "formats/tf_bundle/slice_key.h"

using namespace rescope;
using namespace rescope::tfslice;

namespace {

void CheckSliceKey(ByteView bytes) {
  auto key = DecodeTensorNameSlice(bytes, "fuzz");
  if (!key.ok()) return;
  const std::string again = EncodeTensorNameSlice(key->first, key->second);
  auto back = DecodeTensorNameSlice(ByteView(again), "fuzz");
  if (!back.ok() || back->first != key->first || back->second != key->second) std::abort();
  if (EncodeTensorNameSlice(back->first, back->second) != again) std::abort();
  (void)EscapeKeyForDisplay(bytes.AsStringView());
}

void CheckSignedNumber(ByteView bytes) {
  std::string_view src = bytes.AsStringView();
  int64_t v = 0;
  if (!ReadSignedNumIncreasing(&src, &v)) return;
  std::string encoded;
  WriteSignedNumIncreasing(encoded, v);
  // The canonical form is never longer than what was read.
  if (encoded.size() > bytes.size - src.size()) std::abort();
  std::string_view again(encoded);
  int64_t w = 0;
  if (!ReadSignedNumIncreasing(&again, &w) || w != v || !again.empty()) std::abort();
}

void CheckSliceProto(ByteView bytes) {
  auto slice = DecodeTensorSliceProto(bytes, "fuzz", "slices");
  if (!slice.ok()) return;
  const std::string again = EncodeTensorSliceProto(*slice);
  auto back = DecodeTensorSliceProto(ByteView(again), "fuzz", "slices");
  if (!back.ok() || *back != *slice) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const ByteView bytes(data, size);
  CheckSliceKey(bytes);
  CheckSignedNumber(bytes);
  CheckSliceProto(bytes);
  return 0;
}
