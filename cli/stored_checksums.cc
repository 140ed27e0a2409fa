// SPDX-License-Identifier: Apache-2.0
// Stored-checksum checks before tensor bytes are used (see stored_checksums.h).
#include "cli/stored_checksums.h"

#include <algorithm>
#include <cstdio>
#include <memory>
#include <optional>
#include <vector>

#include "cli/cli_common.h"
#include "core/output/progress.h"
#include "formats/mapping_guard.h"
#include "formats/parallel_for.h"
#include "formats/tf_bundle/crc32c.h"
#include "formats/tf_bundle/tensor_checksum.h"

namespace rescope::cli {
namespace {

constexpr const char* kSalvageHint =
    "the data is damaged; --ignore-checksums lets it through (for salvage)";

std::string Crc(uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "0x%08x", v);
  return buf;
}

}  // namespace

void AddIgnoreChecksumsFlag(CLI::App* app, bool& ignore) {
  app->add_flag("--ignore-checksums", ignore,
                "Use tensors whose bytes fail the checksum the format stores (salvage; each "
                "is named in a warning)");
}

namespace {

bool HasStoredChecksum(const TensorEntry& e) {
  return e.stored_crc32c && e.data && e.kind != EntryKind::kPartitioned;
}

// Judges a recomputed checksum: Ok, a warning under `ignore`, or the Corruption error.
Status Judge(const TensorEntry& e, const Result<uint32_t>& computed, bool ignore) {
  std::string problem;
  if (!computed.ok()) {
    if (computed.status().code() == StatusCode::kNotFound) return Status::Ok();
    problem = computed.status().message();
  } else if (*computed != *e.stored_crc32c) {
    // Bytes read in place from a file that shrank meanwhile were zeros: say that, not that
    // the data is damaged (and never let --ignore-checksums pass them).
    RESCOPE_RETURN_IF_ERROR(MappedFilesIntact());
    problem = "tensor \"" + DisplayName(e.name) + "\" (" + e.Where() +
              "): checksum mismatch: stored CRC32C " + Crc(*e.stored_crc32c) + ", computed " +
              Crc(*computed);
  } else {
    return Status::Ok();
  }
  if (ignore) {
    PrintWarning(problem + "; used anyway (--ignore-checksums): its values may be wrong");
    return Status::Ok();
  }
  return Status::Corruption(problem + "; " + kSalvageHint);
}

}  // namespace

Status CheckStoredChecksum(const TensorEntry& e, bool ignore) {
  if (!HasStoredChecksum(e)) return Status::Ok();
  return Judge(e, tfbundle::ComputeTensorChecksum(e), ignore);
}

Status CheckStoredChecksums(const TensorStore& store, bool ignore,
                            const std::function<bool(const TensorEntry&)>& wanted) {
  std::vector<const TensorEntry*> entries;
  for (const auto& [name, e] : store) {
    if ((!wanted || wanted(e)) && HasStoredChecksum(e)) entries.push_back(&e);
  }
  // Recomputed on every core (the bytes are nearly all of the cost), then judged in name
  // order, so the first error and the warnings are the same as one thread would give.
  std::vector<std::optional<Result<uint32_t>>> computed(entries.size());
  ParallelFor(entries.size(), 0,
              [&](size_t i) { computed[i] = tfbundle::ComputeTensorChecksum(*entries[i]); });
  for (size_t i = 0; i < entries.size(); ++i) {
    RESCOPE_RETURN_IF_ERROR(Judge(*entries[i], *computed[i], ignore));
  }
  return Status::Ok();
}

namespace {

// The CRC over [0, covered_) of the entry's bytes, extended by the windows the comparison
// shows; the bytes it was not shown are read in Finish.
class StoredChecksumCheck final : public StreamCheck {
 public:
  StoredChecksumCheck(const TensorEntry& entry, bool ignore) : entry_(entry), ignore_(ignore) {}

  void See(uint64_t offset, ByteView bytes) override {
    if (offset > covered_ || offset + bytes.size <= covered_) return;  // a gap, or seen
    const auto seen = static_cast<size_t>(covered_ - offset);
    crc_ = crc32c::Extend(crc_, bytes.data + seen, bytes.size - seen);
    covered_ = offset + bytes.size;
  }

  bool Follow(const StreamCheck& twin) override {
    const auto* same_kind = dynamic_cast<const StoredChecksumCheck*>(&twin);
    if (same_kind == nullptr) return false;
    covered_ = same_kind->covered_;
    crc_ = same_kind->crc_;
    return true;
  }

  Status Finish() override { return Judge(entry_, Completed(), ignore_); }

 private:
  Result<uint32_t> Completed() {
    // Nothing shown (the pass did not read this entry): the usual computation, with its
    // range checks and messages.
    if (covered_ == 0) return tfbundle::ComputeTensorChecksum(entry_);
    constexpr uint64_t kWindow = 4 << 20;
    std::vector<uint8_t> scratch;
    while (covered_ < entry_.byte_size) {
      const uint64_t at = entry_.data_offset + covered_;
      const uint64_t n = std::min(entry_.byte_size - covered_, kWindow);
      RESCOPE_ASSIGN_OR_RETURN(const ByteView v, entry_.data->Read(at, n, scratch));
      crc_ = crc32c::Extend(crc_, v.data, v.size);
      entry_.data->Release(at, n);
      ReportProgress(n);
      covered_ += n;
    }
    return crc_;
  }

  const TensorEntry& entry_;
  const bool ignore_;
  uint64_t covered_ = 0;
  uint32_t crc_ = 0;
};

}  // namespace

bool NeedsChecksumPass(const TensorEntry& e) {
  return HasStoredChecksum(e) && (e.dtype == DType::kString || e.dtype == DType::kVariant);
}

std::unique_ptr<StreamCheck> MakeStoredChecksumCheck(const TensorEntry& e, bool ignore) {
  if (!HasStoredChecksum(e) || NeedsChecksumPass(e)) return nullptr;
  return std::make_unique<StoredChecksumCheck>(e, ignore);
}

}  // namespace rescope::cli
