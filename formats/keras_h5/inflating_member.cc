// SPDX-License-Identifier: Apache-2.0
// On-demand inflation of a zip member with restart points (see inflating_member.h).
#include "formats/keras_h5/inflating_member.h"

#define ZLIB_CONST
#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace rescope {
namespace {

constexpr int kRawDeflate = -15;  // windowBits for a raw deflate stream (no zlib header)
constexpr size_t kWindow = 32768;
// zlib counts in uInt: feed and drain it at most this much per call.
constexpr uint64_t kMaxZlibStep = uint64_t{1} << 30;
constexpr uint64_t kMaxAutoPoints = 1024;
constexpr uint64_t kMinAutoSpacing = uint64_t{1} << 20;
// Consumed compressed input is handed back to the kernel in steps of this size.
constexpr uint64_t kReleaseStep = uint64_t{1} << 20;

std::string Hex32(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "0x%08x", v);
  return buf;
}

}  // namespace

struct InflatingMember::Point {
  uint64_t out = 0;             // output offset at this point
  uint64_t in = 0;              // compressed byte offset of the first whole byte still to read
  int bits = 0;                 // bits of byte in-1 still to read (0..7)
  std::vector<uint8_t> window;  // the (up to) 32 KiB of output before `out`
};

struct InflatingMember::Cursor {
  z_stream strm{};
  bool initialised = false;
  bool live = false;   // positioned in the stream and usable
  bool ended = false;  // inflate returned Z_STREAM_END
  uint64_t in = 0;
  uint64_t out = 0;
  uint64_t last_use = 0;
  uint64_t released = 0;  // compressed bytes before this were released from the mapping
};

struct InflatingMember::Chunk {
  uint64_t index = 0;
  std::vector<uint8_t> bytes;
  uint64_t last_use = 0;
};

Result<std::shared_ptr<InflatingMember>> InflatingMember::Open(
    std::string name, std::shared_ptr<const MappedFile> zip, uint64_t data_offset,
    uint64_t compressed_size, uint64_t size, uint32_t crc32, InflateTuning tuning) {
  if (!RangeFits(data_offset, compressed_size, zip->size())) {
    return Status::Corruption(name + ": compressed data [" + Hex(data_offset) + ", " +
                              Hex(data_offset + compressed_size) + ") runs past end of " +
                              zip->name() + " (" + Hex(zip->size()) + ")");
  }
  if (tuning.point_spacing == 0) {
    tuning.point_spacing = std::max(kMinAutoSpacing, size / kMaxAutoPoints);
  }
  if (tuning.chunk_size == 0 || tuning.cache_chunks == 0 || tuning.cursors == 0) {
    return Status::InvalidArgument(name + ": inflate tuning values must be positive");
  }
  const ByteView compressed = zip->All().Sub(data_offset, compressed_size);
  return std::shared_ptr<InflatingMember>(new InflatingMember(
      std::move(name), std::move(zip), data_offset, compressed, size, crc32, tuning));
}

InflatingMember::InflatingMember(std::string name, std::shared_ptr<const MappedFile> zip,
                                 uint64_t data_offset, ByteView compressed, uint64_t size,
                                 uint32_t crc32, InflateTuning tuning)
    : name_(std::move(name)),
      zip_(std::move(zip)),
      compressed_(compressed),
      data_offset_(data_offset),
      size_(size),
      crc32_(crc32),
      tuning_(tuning) {
  points_.push_back(Point{});  // the start of the stream: no window, nothing to prime
  for (size_t i = 0; i < tuning_.cursors; ++i) cursors_.push_back(std::make_unique<Cursor>());
  frontier_crc_ = static_cast<uint32_t>(::crc32_z(0, nullptr, 0));
}

InflatingMember::~InflatingMember() {
  for (auto& c : cursors_) {
    if (c->initialised) inflateEnd(&c->strm);
  }
}

InflateStats InflatingMember::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  InflateStats s = stats_;
  s.highest_inflated = frontier_;
  s.points = points_.size();
  return s;
}

Result<ByteView> InflatingMember::Read(uint64_t offset, uint64_t n,
                                       std::vector<uint8_t>& scratch) const {
  if (!RangeFits(offset, n, size_)) {
    return Status::Corruption(name_ + ": bytes [" + Hex(offset) + ", " + Hex(offset + n) +
                              ") run past end of the inflated member (" + Hex(size_) + ")");
  }
  if (n > scratch.max_size()) return Status::InvalidArgument(name_ + ": read too large");
  scratch.resize(static_cast<size_t>(n));
  std::lock_guard<std::mutex> lock(mu_);
  if (!whole_error_.ok()) return whole_error_;
  uint64_t done = 0;
  while (done < n) {
    const uint64_t at = offset + done;
    const uint64_t index = at / tuning_.chunk_size;
    RESCOPE_ASSIGN_OR_RETURN(const Chunk* chunk, GetChunk(index));
    const uint64_t within = at - index * tuning_.chunk_size;
    const uint64_t take = std::min<uint64_t>(n - done, chunk->bytes.size() - within);
    std::memcpy(scratch.data() + done, chunk->bytes.data() + within, static_cast<size_t>(take));
    done += take;
  }
  return ByteView(scratch.data(), static_cast<size_t>(n));
}

Result<const InflatingMember::Chunk*> InflatingMember::GetChunk(uint64_t index) const {
  ++tick_;
  for (Chunk& c : chunks_) {
    if (c.index == index && !c.bytes.empty()) {
      c.last_use = tick_;
      return &c;
    }
  }
  const uint64_t begin = index * tuning_.chunk_size;
  const uint64_t end = std::min(size_, begin + tuning_.chunk_size);
  Chunk* slot = nullptr;
  if (chunks_.size() < tuning_.cache_chunks) {
    slot = &chunks_.emplace_back();
  } else {
    slot = &*std::min_element(chunks_.begin(), chunks_.end(), [](const Chunk& a, const Chunk& b) {
      return a.last_use < b.last_use;
    });
  }
  slot->bytes.clear();  // an invalid slot until filled
  std::vector<uint8_t> bytes(static_cast<size_t>(end - begin));
  RESCOPE_ASSIGN_OR_RETURN(Cursor * cursor, CursorFor(begin));
  RESCOPE_RETURN_IF_ERROR(Advance(*cursor, begin, nullptr));
  RESCOPE_RETURN_IF_ERROR(Advance(*cursor, end, bytes.data()));
  slot->index = index;
  slot->bytes = std::move(bytes);
  slot->last_use = tick_;
  return slot;
}

// The live cursor furthest along at or before `target`, unless a restart point lies
// beyond it (then a cursor is restarted there: the least recently used one).
Result<InflatingMember::Cursor*> InflatingMember::CursorFor(uint64_t target) const {
  Cursor* best = nullptr;
  for (auto& c : cursors_) {
    if (c->live && c->out <= target && (best == nullptr || c->out > best->out)) best = c.get();
  }
  const auto after = std::upper_bound(points_.begin(), points_.end(), target,
                                      [](uint64_t t, const Point& p) { return t < p.out; });
  const Point& point = *std::prev(after);  // points_[0].out == 0 <= target
  if (best == nullptr || best->out < point.out) {
    best = nullptr;
    for (auto& c : cursors_) {
      if (!c->live) {
        best = c.get();
        break;
      }
      if (best == nullptr || c->last_use < best->last_use) best = c.get();
    }
    RESCOPE_RETURN_IF_ERROR(Restart(*best, point));
  }
  best->last_use = tick_;
  return best;
}

Status InflatingMember::Restart(Cursor& c, const Point& point) const {
  // The input the cursor read since its last release is not needed by it any more.
  if (c.live && c.in > c.released) zip_->Release(data_offset_ + c.released, c.in - c.released);
  c.live = false;
  int ret =
      c.initialised ? inflateReset2(&c.strm, kRawDeflate) : inflateInit2(&c.strm, kRawDeflate);
  if (ret != Z_OK) {
    return Status::IOError(name_ + ": cannot start inflating (zlib error " + std::to_string(ret) +
                           ")");
  }
  c.initialised = true;
  if (point.bits > 0) {
    // Points are only saved after a byte was consumed, so in >= 1 here.
    const int byte = compressed_[static_cast<size_t>(point.in - 1)];
    ret = inflatePrime(&c.strm, point.bits, byte >> (8 - point.bits));
  }
  if (ret == Z_OK && !point.window.empty()) {
    ret =
        inflateSetDictionary(&c.strm, point.window.data(), static_cast<uInt>(point.window.size()));
  }
  if (ret != Z_OK) {
    return Status::IOError(name_ + ": cannot restart inflating at output byte " +
                           std::to_string(point.out) + " (zlib error " + std::to_string(ret) + ")");
  }
  c.in = point.in;
  c.released = point.in;
  c.out = point.out;
  c.ended = false;
  c.live = true;
  ++stats_.restarts;
  return Status::Ok();
}

Status InflatingMember::Advance(Cursor& c, uint64_t target, uint8_t* dest) const {
  const uint64_t start = c.out;
  if (dest == nullptr && discard_.empty()) discard_.resize(256 << 10);
  while (c.out < target) {
    if (c.ended) {
      c.live = false;
      return Status::Corruption(name_ + ": deflate stream ends after " + std::to_string(c.out) +
                                " bytes (central directory says " + std::to_string(size_) + ")");
    }
    uint8_t* out = dest != nullptr ? dest + (c.out - start) : discard_.data();
    const uint64_t room =
        std::min(target - c.out, dest != nullptr ? kMaxZlibStep : discard_.size());
    const uint64_t avail_in = std::min<uint64_t>(compressed_.size - c.in, kMaxZlibStep);
    c.strm.next_in = compressed_.data + c.in;
    c.strm.avail_in = static_cast<uInt>(avail_in);
    c.strm.next_out = out;
    c.strm.avail_out = static_cast<uInt>(room);
    const int ret = inflate(&c.strm, Z_BLOCK);
    const uint64_t consumed = avail_in - c.strm.avail_in;
    const uint64_t produced = room - c.strm.avail_out;
    const uint64_t from = c.out;
    c.in += consumed;
    c.out += produced;
    stats_.bytes_inflated += produced;
    if (ret != Z_OK && ret != Z_STREAM_END && !(ret == Z_BUF_ERROR && produced + consumed > 0)) {
      c.live = false;
      return DeflateError(c, ret);
    }
    if (produced == 0 && consumed == 0 && ret != Z_STREAM_END) {
      c.live = false;
      return DeflateError(c, Z_BUF_ERROR);
    }
    Produced(out, from, produced);
    if (ret == Z_STREAM_END) c.ended = true;
    MaybeSavePoint(c);
    if (c.in - c.released >= kReleaseStep) {
      // Keep the last page or so: the next inflate call may still read just before c.in.
      const uint64_t upto = c.in - 4096;
      zip_->Release(data_offset_ + c.released, upto - c.released);
      c.released = upto;
    }
  }
  if (c.out == size_ && !whole_checked_ && frontier_ == size_) {
    whole_checked_ = true;
    whole_error_ = FinishWholeMember(c);
    return whole_error_;
  }
  return Status::Ok();
}

void InflatingMember::Produced(const uint8_t* bytes, uint64_t from, uint64_t n) const {
  const uint64_t to = from + n;
  if (to <= frontier_) return;
  // A cursor never runs ahead of the frontier (every output moves it), so the new bytes
  // continue [0, frontier_) exactly.
  const uint64_t skip = frontier_ - from;
  frontier_crc_ = static_cast<uint32_t>(
      ::crc32_z(frontier_crc_, bytes + skip, static_cast<size_t>(to - frontier_)));
  frontier_ = to;
}

// zran's rule: a point can only be taken where inflate stopped at the end of a block
// (bit 128 of data_type) that was not the last one (bit 64), and only by the cursor that
// is extending the frontier, so points stay ascending.
void InflatingMember::MaybeSavePoint(Cursor& c) const {
  if ((c.strm.data_type & 128) == 0 || (c.strm.data_type & 64) != 0 || c.ended) return;
  if (c.out != frontier_ || c.out - points_.back().out < tuning_.point_spacing) return;
  Point p;
  p.out = c.out;
  p.in = c.in;
  p.bits = c.strm.data_type & 7;
  p.window.resize(kWindow);
  uInt have = 0;
  if (inflateGetDictionary(&c.strm, p.window.data(), &have) != Z_OK) return;
  p.window.resize(have);
  p.window.shrink_to_fit();
  points_.push_back(std::move(p));
}

Status InflatingMember::FinishWholeMember(Cursor& c) const {
  if (!c.ended) {
    // The declared size is reached: the stream must end here, with no more output.
    uint8_t extra = 0;
    const uint64_t avail_in = std::min<uint64_t>(compressed_.size - c.in, kMaxZlibStep);
    c.strm.next_in = compressed_.data + c.in;
    c.strm.avail_in = static_cast<uInt>(avail_in);
    c.strm.next_out = &extra;
    c.strm.avail_out = 1;
    const int ret = inflate(&c.strm, Z_FINISH);
    c.in += avail_in - c.strm.avail_in;
    if (c.strm.avail_out == 0) {
      c.live = false;
      return Status::Corruption(name_ + ": inflates to more than " + std::to_string(size_) +
                                " bytes (central directory says " + std::to_string(size_) + ")");
    }
    if (ret != Z_STREAM_END) {
      c.live = false;
      return DeflateError(c, ret);
    }
    c.ended = true;
  }
  if (frontier_crc_ != crc32_) {
    return Status::Corruption(name_ + ": zip CRC-32 mismatch over the inflated member (stored " +
                              Hex32(crc32_) + ", computed " + Hex32(frontier_crc_) + ")");
  }
  return Status::Ok();
}

Status InflatingMember::DeflateError(const Cursor& c, int ret) const {
  const std::string where = name_ + ": deflate data at compressed byte " + std::to_string(c.in) +
                            " of " + std::to_string(compressed_.size) + " (inflated byte " +
                            std::to_string(c.out) + " of " + std::to_string(size_) + ")";
  if (ret == Z_BUF_ERROR) {
    return Status::Corruption(where + ": compressed data ends before the stream does");
  }
  if (ret == Z_MEM_ERROR) return Status::IOError(where + ": out of memory");
  const char* msg = c.strm.msg != nullptr ? c.strm.msg : "zlib error";
  return Status::Corruption(where + ": corrupt (" + std::string(msg) + ")");
}

}  // namespace rescope
