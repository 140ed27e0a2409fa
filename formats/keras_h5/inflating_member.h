// SPDX-License-Identifier: Apache-2.0
// InflatingMember: random read access to a DEFLATE-compressed zip member, inflated on
// demand, never written anywhere.
//
// A deflate stream can only be decoded from its start, so a read at offset X must inflate
// everything before X once. To make later reads cheap, the first pass over the stream
// saves restart points (the technique of zlib's examples/zran.c): roughly every
// `point_spacing` bytes of output, at a deflate block boundary, the input position (byte
// and bit) and the 32 KiB window the next block may refer back to. The spacing is
// size/1024 but at least 1 MiB: HDF5 reads the metadata of a Keras file in name order,
// not in file order, so `ls` jumps back hundreds of times; with 8 MiB spacing those
// restarts cost more than the first pass (measured in bench/README.md), while 1024
// points bound the windows to 32 MiB for any member size. A read at X then
// restarts from the nearest point at or below X, so it costs at most one spacing of
// inflation. The stream is only ever inflated forward as far as the highest byte asked
// for so far: opening the HDF5 file in a member for `ls` inflates up to its last metadata
// block and no further.
//
// On top of that:
//   * a few live inflate cursors are kept, so a caller streaming a range in windows (a
//     tensor, a CRC over the member) continues one forward inflate instead of restarting
//     at every window;
//   * a small LRU cache of inflated chunks serves HDF5's many small metadata reads;
//   * the first time the whole member has been inflated, the stream must end exactly at
//     the declared size and the CRC-32 of the bytes must equal the central directory's;
//     otherwise every later read fails naming the member (earlier reads already served
//     bytes that a full read (`verify`, `convert`) then reports as wrong).
//
// Memory: (points) 32 KiB per `point_spacing` of member, at most 32 MiB, plus `cursors`
// inflate states (~45 KiB each) and `cache_chunks` x `chunk_size` (4 MiB). The mapped
// compressed bytes a cursor has consumed are released as it goes (MappedFile::Release), so
// one pass over a large member does not keep the whole zip resident. Thread-safe: one mutex
// serialises the inflation (a deflate stream is sequential anyway).
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/store/byte_source.h"
#include "core/store/status.h"
#include "formats/mapped_file.h"

namespace rescope {

struct InflateTuning {
  // 0: automatic, kMaxAutoPoints points over the member but never closer than 1 MiB.
  uint64_t point_spacing = 0;
  uint64_t chunk_size = uint64_t{64} << 10;
  size_t cache_chunks = 64;
  size_t cursors = 4;
};

// Counters, for tests and benchmarks.
struct InflateStats {
  uint64_t restarts = 0;          // cursors (re)started at a restart point
  uint64_t bytes_inflated = 0;    // all output produced, discarded skips included
  uint64_t highest_inflated = 0;  // the frontier: [0, this) has been inflated at least once
  size_t points = 0;
};

class InflatingMember final : public ByteSource {
 public:
  // The member's compressed bytes are [data_offset, data_offset + compressed_size) of
  // `zip` (checked here: kCorruption when they do not fit); it inflates to `size` bytes
  // whose zip CRC-32 is `crc32`. `name` is used in messages ("m.keras:model.weights.h5").
  static Result<std::shared_ptr<InflatingMember>> Open(std::string name,
                                                       std::shared_ptr<const MappedFile> zip,
                                                       uint64_t data_offset,
                                                       uint64_t compressed_size, uint64_t size,
                                                       uint32_t crc32, InflateTuning tuning = {});
  ~InflatingMember() override;
  InflatingMember(const InflatingMember&) = delete;
  InflatingMember& operator=(const InflatingMember&) = delete;

  const std::string& name() const override { return name_; }
  uint64_t size() const override { return size_; }
  // Errors: the range is outside the member; the deflate data is corrupt or ends early
  // ("<name>: deflate data corrupt at compressed byte N: <zlib message>"); the whole
  // stream, once inflated, is longer or shorter than declared or fails its CRC-32.
  Result<ByteView> Read(uint64_t offset, uint64_t n, std::vector<uint8_t>& scratch) const override;

  InflateStats stats() const;

 private:
  struct Point;
  struct Cursor;
  struct Chunk;

  InflatingMember(std::string name, std::shared_ptr<const MappedFile> zip, uint64_t data_offset,
                  ByteView compressed, uint64_t size, uint32_t crc32, InflateTuning tuning);

  // All below run with mu_ held.
  Result<const Chunk*> GetChunk(uint64_t index) const;
  Result<Cursor*> CursorFor(uint64_t target) const;
  Status Restart(Cursor& cursor, const Point& point) const;
  // Inflates cursor output up to `target`, into `dest` (the bytes from the cursor's
  // position on) or, when dest is null, into a discard buffer.
  Status Advance(Cursor& cursor, uint64_t target, uint8_t* dest) const;
  // Book-keeping for bytes just produced at [from, from + n): CRC of new bytes, frontier.
  void Produced(const uint8_t* bytes, uint64_t from, uint64_t n) const;
  void MaybeSavePoint(Cursor& cursor) const;
  // Once the frontier reaches size_: the stream must end here and match the CRC.
  Status FinishWholeMember(Cursor& cursor) const;
  Status DeflateError(const Cursor& cursor, int ret) const;

  const std::string name_;
  const std::shared_ptr<const MappedFile> zip_;  // keeps compressed_ valid
  const ByteView compressed_;
  const uint64_t data_offset_;  // of compressed_ in zip_, for Release
  const uint64_t size_;
  const uint32_t crc32_;
  const InflateTuning tuning_;

  mutable std::mutex mu_;
  mutable std::vector<Point> points_;  // ascending by output offset; points_[0] is the start
  mutable std::vector<std::unique_ptr<Cursor>> cursors_;  // z_stream must not move
  mutable std::vector<Chunk> chunks_;
  mutable std::vector<uint8_t> discard_;
  mutable uint64_t frontier_ = 0;
  mutable uint32_t frontier_crc_ = 0;
  mutable bool whole_checked_ = false;
  mutable Status whole_error_;  // set when the whole-member check failed: every read fails
  mutable uint64_t tick_ = 0;
  mutable InflateStats stats_;
};

}  // namespace rescope
