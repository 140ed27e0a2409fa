// Whole-checkpoint verification.
#include "formats/verify.h"

#include <algorithm>
#include <map>

#include "formats/pytorch/torch_zip.h"
#include "formats/tf_bundle/tensor_checksum.h"

namespace rescope {
namespace {

struct Range {
  uint64_t begin, end;
  const std::string* name;
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

}  // namespace

VerifyReport VerifyCheckpoint(const Checkpoint& ckpt) {
  VerifyReport report;
  for (const CheckpointFile& f : ckpt.files) {
    if (!f.present) report.failures.push_back({f.path, f.role + " missing"});
  }
  std::map<const ByteSource*, std::vector<Range>> ranges;
  for (const auto& item : ckpt.store) {
    const std::string& name = item.first;
    const TensorEntry& e = item.second;
    if (e.kind == EntryKind::kPartitioned) continue;  // bytes live in its slices
    ++report.checked;
    auto fail = [&](const std::string& problem) {
      ++report.failed_entries;
      report.failures.push_back({name, problem});
    };
    if (!e.data) {
      fail(e.data_error.empty() ? "no data" : e.data_error);
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
    if (e.byte_size > 0)
      ranges[e.data.get()].push_back({e.data_offset, e.data_offset + e.byte_size, &name});
    if (e.stored_crc32c) {
      ++report.checksummed;
      auto crc = tfbundle::ComputeTensorChecksum(e);
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
  for (const RegionChecksum& region : ckpt.region_checksums) {
    ++report.regions_checked;
    auto crc = region.data ? StreamCrc32(*region.data, region.offset, region.size)
                           : Result<uint32_t>(Status::NotFound("no data"));
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
  for (auto& [source, list] : ranges) {
    std::sort(list.begin(), list.end(),
              [](const Range& a, const Range& b) { return a.begin < b.begin; });
    for (size_t i = 1; i < list.size(); ++i) {
      if (list[i].begin < list[i - 1].end) {
        report.failures.push_back(
            {*list[i].name, source->name() + ": bytes [" + Hex(list[i].begin) + ", " +
                                Hex(list[i].end) + ") overlap \"" + *list[i - 1].name + "\" [" +
                                Hex(list[i - 1].begin) + ", " + Hex(list[i - 1].end) + ")"});
        ++report.failed_entries;
      }
    }
  }
  return report;
}

}  // namespace rescope
