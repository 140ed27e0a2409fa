// Stored-checksum checks before tensor bytes are used (see stored_checksums.h).
#include "cli/stored_checksums.h"

#include <cstdio>

#include "cli/cli_common.h"
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

Status CheckStoredChecksum(const TensorEntry& e, bool ignore) {
  if (!e.stored_crc32c || !e.data || e.kind == EntryKind::kPartitioned) return Status::Ok();
  auto computed = tfbundle::ComputeTensorChecksum(e);
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

Status CheckStoredChecksums(const TensorStore& store, bool ignore,
                            const std::function<bool(const TensorEntry&)>& wanted) {
  for (const auto& [name, e] : store) {
    if (wanted && !wanted(e)) continue;
    RESCOPE_RETURN_IF_ERROR(CheckStoredChecksum(e, ignore));
  }
  return Status::Ok();
}

}  // namespace rescope::cli
