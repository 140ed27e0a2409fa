// SPDX-License-Identifier: Apache-2.0
// Whole-checkpoint verification.
#include "formats/verify.h"

#include <algorithm>
#include <map>
#include <optional>
#include <unordered_map>
#include <utility>

#include "formats/hdf5/h5_source.h"
#include "formats/parallel_for.h"
#include "formats/pytorch/torch_zip.h"
#include "formats/tf_bundle/tensor_checksum.h"

namespace rescope {
namespace {

struct Range {
  uint64_t begin, end;
  const std::string* name;
  const std::string* storage;  // the format's storage of a view, null when none is named
};

// CRC-32 of [offset, offset + size) of `source`, streamed in windows so that a large
// storage never sits in memory whole.
Result<uint32_t> StreamCrc32(const ByteSource& source, uint64_t offset, uint64_t size) {
  constexpr uint64_t kWindow = 8 << 20;
  std::vector<uint8_t> scratch;
  uint32_t crc = 0;
  for (uint64_t done = 0; done < size;) {
    const uint64_t n = std::min(kWindow, size - done);
    RESCOPE_ASSIGN_OR_RETURN(ByteView view, source.ReadStreaming(offset + done, n, scratch));
    crc = pytorch::Crc32(crc, view.data, view.size);
    source.Release(offset + done, n);
    done += n;
  }
  return crc;
}

const std::string* StorageNote(const TensorEntry& e) {
  for (const auto& [key, value] : e.notes()) {
    if (key == "storage") return &value;
  }
  return nullptr;
}

// Index of the missing file whose absence explains the entry's lack of data, or -1.
int MissingFileOf(const TensorEntry& e, const std::vector<const CheckpointFile*>& missing) {
  if (e.data || e.data_error().empty()) return -1;
  for (size_t i = 0; i < missing.size(); ++i) {
    if (e.data_error().find(missing[i]->path) != std::string::npos) return static_cast<int>(i);
  }
  return -1;
}

std::string RangeText(const Range& r) { return "[" + Hex(r.begin) + ", " + Hex(r.end) + ")"; }

bool HasFletcher32(const TensorEntry& e) {
  for (const auto& [key, value] : e.notes()) {
    if (key == "hdf5_storage" && value.find(kHdf5Fletcher32Note) != std::string::npos) return true;
  }
  return false;
}

// What proves an entry's bytes: its own stored checksum (counted where it is checked), a
// container checksum over every entry, HDF5's Fletcher-32, or nothing.
void CountChecksumCoverage(const Checkpoint& ckpt, const TensorEntry& e, VerifyReport* report) {
  if (e.stored_crc32c || ckpt.regions_cover_all_entries) return;
  if (HasFletcher32(e)) {
    ++report->fletcher32_checked;
  } else {
    ++report->without_checksum;
  }
}
// The stored-checksum recomputations of a checkpoint, done up front on several threads (they
// are nearly all of verify's time) so the checks below can stay one readable serial pass.
class TensorChecksums {
 public:
  TensorChecksums(const Checkpoint& ckpt, unsigned threads) {
    for (const auto& item : ckpt.store) {
      const TensorEntry& e = item.second;
      if (e.kind == EntryKind::kPartitioned || !e.data || !e.stored_crc32c) continue;
      slot_.emplace(&e, entries_.size());
      entries_.push_back(&e);
    }
    results_.resize(entries_.size());
    ParallelFor(entries_.size(), threads,
                [&](size_t i) { results_[i] = tfbundle::ComputeTensorChecksum(*entries_[i]); });
  }
  // The checksum of `e`, computed now if it was not among those computed up front.
  Result<uint32_t> Of(const TensorEntry& e) const {
    const auto it = slot_.find(&e);
    if (it == slot_.end()) return tfbundle::ComputeTensorChecksum(e);
    return *results_[it->second];
  }

 private:
  std::vector<const TensorEntry*> entries_;
  std::unordered_map<const TensorEntry*, size_t> slot_;
  std::vector<std::optional<Result<uint32_t>>> results_;
};

}  // namespace

VerifyReport VerifyCheckpoint(const Checkpoint& ckpt, unsigned threads) {
  VerifyReport report;
  const TensorChecksums checksums(ckpt, threads);
  std::vector<const CheckpointFile*> missing;
  for (const CheckpointFile& f : ckpt.files) {
    if (!f.present) missing.push_back(&f);
  }
  // Entries that lost their bytes with a missing file are counted under that file: one
  // message per missing file, not one per tensor.
  std::vector<std::vector<std::string>> lost(missing.size());
  std::map<const ByteSource*, std::vector<Range>> ranges;
  // Views of one storage (per shard) share bytes legally; they are reported as shared.
  std::map<std::pair<int32_t, std::string>, std::vector<std::string>> views;
  for (const auto& item : ckpt.store) {
    const std::string& name = item.first;
    const TensorEntry& e = item.second;
    if (e.kind == EntryKind::kPartitioned) continue;  // bytes live in its slices
    ++report.checked;
    CountChecksumCoverage(ckpt, e, &report);
    auto fail = [&](const std::string& problem) {
      ++report.failed_entries;
      report.failures.push_back({name, problem});
    };
    if (const int file = MissingFileOf(e, missing); file >= 0) {
      ++report.failed_entries;
      lost[static_cast<size_t>(file)].push_back(name);
      continue;
    }
    if (!e.data) {
      fail(e.data_error().empty() ? "no data" : e.data_error());
      continue;
    }
    if (!e.stored_crc32c) {
      // Formats without checksums (V1) decode values on first read; read before the range
      // check so a decode error is reported as such, not as a size of 0.
      auto read = tfbundle::StreamCrc32c(*e.data, e.data_offset, e.byte_size);
      if (!read.ok()) {
        fail(read.status().message());
        continue;
      }
    }
    if (!RangeFits(e.data_offset, e.byte_size, e.data->size())) {
      fail(e.data->name() + ": bytes [" + Hex(e.data_offset) + ", " +
           Hex(e.data_offset + e.byte_size) + ") run past end of file (" + Hex(e.data->size()) +
           ")");
      continue;
    }
    const std::string* storage = StorageNote(e);
    if (storage != nullptr) views[{e.shard, *storage}].push_back(name);
    if (e.byte_size > 0) {
      ranges[e.data.get()].push_back({e.data_offset, e.data_offset + e.byte_size, &name, storage});
    }
    if (e.stored_crc32c) {
      ++report.checksummed;
      auto crc = checksums.Of(e);
      if (!crc.ok()) {
        fail(crc.status().message());
      } else if (*crc != *e.stored_crc32c) {
        char buf[96];
        std::snprintf(buf, sizeof(buf), "checksum mismatch (stored 0x%08x, computed 0x%08x)",
                      *e.stored_crc32c, *crc);
        fail(e.Where() + ": " + buf);
      }
    }
  }
  std::vector<std::optional<Result<uint32_t>>> region_crcs(ckpt.region_checksums.size());
  ParallelFor(region_crcs.size(), threads, [&](size_t i) {
    const RegionChecksum& region = ckpt.region_checksums[i];
    region_crcs[i] = region.data ? StreamCrc32(*region.data, region.offset, region.size)
                                 : Result<uint32_t>(Status::NotFound(
                                       region.data_error.empty() ? "no data" : region.data_error));
  });
  for (size_t i = 0; i < region_crcs.size(); ++i) {
    const RegionChecksum& region = ckpt.region_checksums[i];
    ++report.regions_checked;
    const Result<uint32_t>& crc = *region_crcs[i];
    if (!crc.ok()) {
      ++report.regions_failed;
      report.failures.push_back({region.name, crc.status().message()});
    } else if (*crc != region.crc32) {
      ++report.regions_failed;
      char buf[96];
      std::snprintf(buf, sizeof(buf), "zip CRC-32 mismatch (stored 0x%08x, computed 0x%08x)",
                    region.crc32, *crc);
      report.failures.push_back(
          {region.name, region.data->name() + " @" + Hex(region.offset) + ": " + buf});
    }
  }
  for (size_t i = 0; i < missing.size(); ++i) {
    std::string problem = missing[i]->role + " missing";
    if (!lost[i].empty()) {
      problem += ": " + std::to_string(lost[i].size()) +
                 (lost[i].size() == 1 ? " entry has" : " entries have") + " no data (" +
                 lost[i].front() + (lost[i].size() > 1 ? ", ..." : "") + ")";
    }
    report.failures.push_back({missing[i]->path, problem});
  }
  for (auto& [source, list] : ranges) {
    std::sort(list.begin(), list.end(),
              [](const Range& a, const Range& b) { return a.begin < b.begin; });
    // Compare each range with every earlier one still open (not only its predecessor):
    // a long view can cover several later ranges.
    std::vector<const Range*> open;
    for (const Range& r : list) {
      std::erase_if(open, [&](const Range* o) { return o->end <= r.begin; });
      for (const Range* o : open) {
        const bool same_storage =
            r.storage != nullptr && o->storage != nullptr && *r.storage == *o->storage;
        if (same_storage) continue;
        report.failures.push_back({*r.name, source->name() + ": bytes " + RangeText(r) +
                                                " overlap \"" + *o->name + "\" " + RangeText(*o) +
                                                " of another storage"});
        ++report.failed_entries;
        break;
      }
      open.push_back(&r);
    }
  }
  for (auto& [key, names] : views) {
    if (names.size() < 2) continue;
    std::sort(names.begin(), names.end());
    report.shared.push_back({key.second, std::move(names)});
  }
  return report;
}

}  // namespace rescope
