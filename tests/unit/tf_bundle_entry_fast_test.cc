// SPDX-License-Identifier: Apache-2.0
// TryDecodeBundleEntryFast must agree with DecodeBundleEntry on every input it accepts, and
// leave everything unusual (slices, unknown fields, damage) to it: checked on canonical
// entries, hand-made variants, and every one- and two-byte mutation of them.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "formats/byte_cursor.h"
#include "formats/tf_bundle/bundle_entry.h"

using namespace rescope;
using tfbundle::BundleEntry;

namespace {

bool SameEntry(const BundleEntry& a, const BundleEntry& b) {
  return a.dtype == b.dtype && a.shape == b.shape && a.unknown_rank == b.unknown_rank &&
         a.shard_id == b.shard_id && a.offset == b.offset && a.size == b.size &&
         a.masked_crc32c == b.masked_crc32c && a.slices == b.slices;
}

// Accepted by the fast decoder => the full decoder gives the same entry (and no error).
// Returns whether the fast decoder accepted it.
bool CheckAgrees(const std::string& bytes) {
  const ByteView view{std::string_view(bytes)};
  BundleEntry fast;
  fast.shape = {9, 9, 9};  // stale contents of a reused entry must not leak through
  if (!tfbundle::TryDecodeBundleEntryFast(view, &fast)) return false;
  BundleEntry slow;
  bool threw = false;
  try {
    slow = tfbundle::DecodeBundleEntry(view, "t.index", "entry");
  } catch (const FormatError&) {
    threw = true;
  }
  CHECK_FALSE(threw);
  CHECK(SameEntry(fast, slow));
  return true;
}

BundleEntry Entry(std::vector<int64_t> shape, int32_t shard, int64_t offset, int64_t size) {
  BundleEntry e;
  e.dtype = 1;
  e.shape = std::move(shape);
  e.shard_id = shard;
  e.offset = offset;
  e.size = size;
  e.masked_crc32c = 0xa5c3e1f0u;
  return e;
}

}  // namespace

TEST_CASE("bundle entry fast path: canonical entries decode as the full decoder does") {
  const std::vector<BundleEntry> entries = {Entry({}, 0, 0, 4), Entry({3, 100}, 1, 123456789, 1200),
                                            Entry({0}, 0, 8, 0),
                                            Entry({1, 2, 3, 4, 5, 6}, 3, int64_t{1} << 40, 2880)};
  for (const BundleEntry& e : entries) {
    const std::string bytes = tfbundle::EncodeBundleEntry(e);
    CHECK(CheckAgrees(bytes));
  }
}

TEST_CASE("bundle entry fast path: what it leaves to the full decoder") {
  BundleEntry sliced = Entry({4}, 0, 0, 0);
  sliced.masked_crc32c.reset();
  sliced.slices = {{{0, 2}}};
  CHECK_FALSE(CheckAgrees(tfbundle::EncodeBundleEntry(sliced)));
  const std::string base = tfbundle::EncodeBundleEntry(Entry({2, 2}, 0, 16, 16));
  CHECK_FALSE(CheckAgrees(base + std::string("\x40\x01", 2)));           // unknown field 8
  CHECK_FALSE(CheckAgrees(base.substr(0, base.size() - 1)));             // truncated crc
  CHECK_FALSE(CheckAgrees(std::string("\x18\x80\x80\x80\x80\x10", 6)));  // shard_id > INT32_MAX
  CHECK_FALSE(CheckAgrees(std::string("\x20\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 11)));
  // A dim with a name (field 2 of Dim) is valid but unusual: left to the full decoder.
  CHECK_FALSE(CheckAgrees(std::string("\x12\x07\x12\x05\x08\x02\x12\x01x", 9)));
  // unknown_rank is plain enough to take.
  CHECK(CheckAgrees(std::string("\x08\x01\x12\x02\x18\x01", 6)));
}

TEST_CASE("bundle entry fast path: agrees with the full decoder on every small mutation") {
  const std::string base = tfbundle::EncodeBundleEntry(Entry({3, 300}, 1, 70000, 3600));
  size_t accepted = 0, tried = 0;
  for (size_t i = 0; i < base.size(); ++i) {
    for (int v = 0; v < 256; ++v) {
      std::string m = base;
      m[i] = static_cast<char>(v);
      accepted += CheckAgrees(m);
      ++tried;
      if (i + 1 < base.size()) {
        m[i + 1] = static_cast<char>(v ^ 0x80);
        accepted += CheckAgrees(m);
        ++tried;
      }
    }
    accepted += CheckAgrees(base.substr(0, i));  // every truncation
    ++tried;
  }
  // Both outcomes occur, so the comparison above is not vacuous.
  CHECK(accepted > 0);
  CHECK(accepted < tried);
}
