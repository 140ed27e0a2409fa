// SPDX-License-Identifier: Apache-2.0
// Stored-checksum checks before tensor bytes are used (see stored_checksums.h).
#include "cli/stored_checksums.h"

#include <cstdio>
#include <optional>
#include <vector>

#include "cli/cli_common.h"
#include "formats/parallel_for.h"
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

}  // namespace rescope::cli
