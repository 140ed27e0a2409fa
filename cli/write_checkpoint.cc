// Output path handling and writer dispatch.
#include "cli/write_checkpoint.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string_view>

#include "formats/mapped_file.h"
#include "formats/tf_bundle/checkpoint_path.h"
#include "formats/tf_bundle/tf_bundle_writer.h"

namespace rescope::cli {
namespace fs = std::filesystem;
namespace {

std::string Canonical(const std::string& p) {
  std::error_code ec;
  fs::path c = fs::weakly_canonical(fs::absolute(p), ec);
  return ec ? p : c.string();
}

std::string BaseName(const std::string& prefix) {
  std::string base = fs::path(prefix).filename().string();
  return base.empty() ? "ckpt" : base;
}

Status WriteStateFile(const std::string& dir, const std::string& base) {
  const std::string final_path = (fs::path(dir) / "checkpoint").string();
  const std::string temp = final_path + ".rescope-tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << "model_checkpoint_path: \"" << base << "\"\n"
        << "all_model_checkpoint_paths: \"" << base << "\"\n";
    if (!out) return Status::IOError(temp + ": cannot write checkpoint state file");
  }
  if (::rename(temp.c_str(), final_path.c_str()) != 0) {
    ::unlink(temp.c_str());
    return Status::IOError(final_path + ": cannot rename checkpoint state file into place");
  }
  return Status::Ok();
}

// After an in-place rewrite that changed the shard count, the old data files are stale.
void RemoveStaleShards(const Checkpoint& source, const std::vector<std::string>& written) {
  for (const CheckpointFile& f : source.files) {
    if (f.role.rfind("data shard", 0) != 0) continue;
    if (std::find(written.begin(), written.end(), f.path) == written.end()) ::unlink(f.path.c_str());
  }
}

}  // namespace

void AddWriteOptions(CLI::App* app, WriteCheckpointOptions& o) {
  app->add_flag("--in-place", o.in_place,
                "Allow OUT to be the input: write beside it and swap in when complete");
  app->add_flag("--link-data", o.link_data,
                "Hard-link unchanged data shards instead of copying (same filesystem)");
  app->add_flag("--compact", o.compact, "Rewrite data shards without dropped tensors");
  app->add_option("--index-compression", o.index_compression,
                  "TF index blocks: keep (as input), none, snappy")
      ->check(CLI::IsMember({"keep", "none", "snappy"}));
}

Result<WrittenCheckpoint> WriteCheckpoint(const Checkpoint& source, const TensorStore& store,
                                          const std::string& output,
                                          const WriteCheckpointOptions& o) {
  WrittenCheckpoint result;
  std::string prefix = output;
  std::string state_dir;
  if (IsDirectory(output) || (!output.empty() && output.back() == '/')) {
    state_dir = output;
    prefix = (fs::path(output) / BaseName(source.path)).string();
  } else if (constexpr std::string_view kIndex = ".index"; output.ends_with(kIndex)) {
    // `-o P.index` names the index file of prefix P, as an input path may; without this
    // the output would be `P.index.index` and escape the same-as-input check.
    prefix = output.substr(0, output.size() - kIndex.size());
  }
  const bool same = Canonical(prefix) == Canonical(source.path);
  if (same && !o.in_place) {
    return Status::InvalidArgument(prefix + ": output is the input checkpoint; pass --in-place "
                                   "to replace it (it is swapped in only when complete)");
  }
  if (same && o.compact) {
    // The new data shard would replace the old one under the same name before the new
    // index is renamed in; a crash between the two renames would leave the old index over
    // new data, i.e. destroy the input. Pass-through rewrites copy shards byte for byte,
    // so for them the swap is safe.
    return Status::InvalidArgument(
        prefix +
        ": --in-place cannot be combined with --compact: the data shard would be "
        "replaced before the index, so a run stopped half-way would destroy the input; "
        "write to a new prefix instead");
  }
  if (same && o.link_data) {
    return Status::InvalidArgument("--in-place with --link-data would link files to themselves");
  }
  tfbundle::WriteOptions wo;
  wo.compact = o.compact;
  wo.link_data = o.link_data;
  wo.index_compression = o.index_compression == "none"     ? tfbundle::IndexCompression::kNone
                         : o.index_compression == "snappy" ? tfbundle::IndexCompression::kSnappy
                                                           : tfbundle::IndexCompression::kKeep;
  if (source.format != "tf_bundle" && source.format != "tf_v1") {
    return Status::NotSupported("writing a " + source.format +
                                " checkpoint is not supported yet; only TensorFlow bundles");
  }
  if (source.format == "tf_v1") result.notes.push_back("V1 input written as a V2 tensor bundle");
  if (!state_dir.empty()) {
    std::error_code ec;
    fs::create_directories(state_dir, ec);
    if (ec) return Status::IOError(state_dir + ": cannot create directory: " + ec.message());
  }
  auto report = tfbundle::WriteTfBundle(source, store, prefix, wo);
  if (!report.ok()) return report.status();
  result.output = prefix;
  result.files = report->files;
  if (report->graph_rewritten) result.notes.push_back("TF2 object graph rewritten");
  if (same) RemoveStaleShards(source, report->files);
  if (!state_dir.empty()) {
    RESCOPE_RETURN_IF_ERROR(WriteStateFile(state_dir, BaseName(source.path)));
    result.files.push_back((fs::path(state_dir) / "checkpoint").string());
  }
  return result;
}

}  // namespace rescope::cli
