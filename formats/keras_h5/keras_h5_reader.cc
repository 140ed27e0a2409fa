// SPDX-License-Identifier: Apache-2.0
// Keras HDF5 / .keras reader: format detection, the Keras 2 layout and the generic HDF5
// fallback (the Keras 3 layout lives in keras3_weights.cc).
#include "formats/keras_h5/keras_h5_reader.h"

#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>

#include "formats/hdf5/h5_attr.h"
#include "formats/hdf5/h5_error.h"
#include "formats/hdf5/h5_image.h"
#include "formats/hdf5/h5_probe.h"
#include "formats/hdf5/h5_walk.h"
#include "formats/keras_h5/keras3_weights.h"
#include "formats/keras_h5/keras_h5_entries.h"
#include "formats/keras_h5/keras_zip.h"
#include "formats/mapped_file.h"

namespace rescope {
namespace {

using Json = nlohmann::json;

constexpr uint8_t kHdf5Magic[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

// HDF5 looks for its superblock at 0, 512, 1024, 2048, ... (after a user block).
std::optional<uint64_t> FindHdf5Signature(ByteView bytes) {
  for (uint64_t at = 0; RangeFits(at, sizeof(kHdf5Magic), bytes.size); at = at ? at * 2 : 512) {
    if (std::memcmp(bytes.data + at, kHdf5Magic, sizeof(kHdf5Magic)) == 0) return at;
  }
  return std::nullopt;
}

std::string HexBytes(ByteView bytes, size_t max) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < bytes.size && i < max; ++i) {
    if (i) out += ' ';
    out += kDigits[bytes[i] >> 4];
    out += kDigits[bytes[i] & 15];
  }
  return out.empty() ? "empty file" : "first bytes " + out;
}

// Everything one open needs; the Keras 2 helpers below read and fill it.
struct Reader {
  std::shared_ptr<const H5ImageFile> file;
  std::shared_ptr<KerasH5State> state;
  Checkpoint* ckpt;

  const std::string& name() const { return file->name(); }
  H5AttrContext At(const std::string& object) const { return H5AttrContext{name(), object}; }
};

Result<std::optional<H5Handle>> OpenGroup(const Reader& r, hid_t base, const std::string& base_path,
                                          const std::string& child) {
  RESCOPE_ASSIGN_OR_RETURN(std::optional<H5Handle> object,
                           OpenByHardLinks(base, base_path, child, r.name()));
  if (object.has_value() && H5Iget_type(object->get()) != H5I_GROUP) {
    return Status::Corruption(r.name() + ": " + JoinH5Path(base_path, child) +
                              ": expected a group");
  }
  return object;
}

Result<bool> HasChunkedAttr(const Reader& r, hid_t obj, const std::string& path,
                            const std::string& name) {
  RESCOPE_ASSIGN_OR_RETURN(const bool whole, H5HasAttr(obj, name, r.At(path)));
  if (whole) return true;
  return H5HasAttr(obj, name + "0", r.At(path));
}

// Adds the datasets named by a Keras 2 `weight_names` attribute of `group`.
Status ReadWeightList(Reader& r, hid_t group, const std::string& group_path,
                      const std::string& layer, KerasH5Layer* out) {
  out->name = layer;
  RESCOPE_ASSIGN_OR_RETURN(auto names,
                           ReadChunkedStringListAttr(group, "weight_names", r.At(group_path)));
  if (names.has_value()) out->weight_names = std::move(*names);  // absent = no weights
  for (const std::string& weight : out->weight_names) {
    RESCOPE_RETURN_IF_ERROR(AddDatasetEntry(r.file, group, group_path, weight,
                                            StripKerasWeightSuffix(weight), {{"layer", layer}},
                                            "weight_names of " + group_path, &r.ckpt->store));
  }
  return Status::Ok();
}

Status ReadKeras2Layers(Reader& r, hid_t weights, const std::string& weights_path) {
  RESCOPE_ASSIGN_OR_RETURN(auto layer_names,
                           ReadChunkedStringListAttr(weights, "layer_names", r.At(weights_path)));
  for (const std::string& layer : layer_names.value_or(std::vector<std::string>())) {
    const std::string layer_path = JoinH5Path(weights_path, layer);
    if (layer.empty()) {
      return Status::Corruption(r.name() + ": " + weights_path + ": empty name in layer_names");
    }
    RESCOPE_ASSIGN_OR_RETURN(std::optional<H5Handle> group,
                             OpenGroup(r, weights, weights_path, layer));
    if (!group.has_value()) {
      return Status::Corruption(r.name() + ": " + layer_path +
                                ": no such group (layer listed in layer_names of " + weights_path +
                                ")");
    }
    KerasH5Layer stored;
    RESCOPE_RETURN_IF_ERROR(ReadWeightList(r, group->get(), layer_path, layer, &stored));
    r.state->layers.push_back(std::move(stored));
  }
  // Weights owned by the model itself (tf.keras >= 2.7); not listed in layer_names.
  constexpr const char* kTopLevel = "top_level_model_weights";
  RESCOPE_ASSIGN_OR_RETURN(std::optional<H5Handle> top,
                           OpenGroup(r, weights, weights_path, kTopLevel));
  if (top.has_value()) {
    KerasH5Layer stored;
    RESCOPE_RETURN_IF_ERROR(
        ReadWeightList(r, top->get(), JoinH5Path(weights_path, kTopLevel), kTopLevel, &stored));
    r.state->top_level_model_weights = std::move(stored);
  }
  return Status::Ok();
}

Status ReadKeras2Optimizer(Reader& r, hid_t root) {
  RESCOPE_ASSIGN_OR_RETURN(std::optional<H5Handle> group,
                           OpenGroup(r, root, "/", "optimizer_weights"));
  if (!group.has_value()) return Status::Ok();
  const std::string path = "/optimizer_weights";
  r.state->has_optimizer_weights = true;
  RESCOPE_ASSIGN_OR_RETURN(auto names,
                           ReadChunkedStringListAttr(group->get(), "weight_names", r.At(path)));
  r.state->optimizer_weight_names = names.value_or(std::vector<std::string>());
  for (const std::string& weight : r.state->optimizer_weight_names) {
    RESCOPE_RETURN_IF_ERROR(AddDatasetEntry(
        r.file, group->get(), path, weight, "optimizer_weights/" + StripKerasWeightSuffix(weight),
        {{"role", "optimizer"}}, "weight_names of " + path, &r.ckpt->store));
  }
  return Status::Ok();
}

std::string ModelClass(const std::string& model_config) {
  const Json j = Json::parse(model_config, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return "";
  const auto it = j.find("class_name");
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

Status ReadRootStrings(Reader& r, hid_t root, hid_t weights, const std::string& weights_path) {
  KerasH5State& s = *r.state;
  RESCOPE_ASSIGN_OR_RETURN(auto version, ReadStringAttr(root, "keras_version", r.At("/")));
  RESCOPE_ASSIGN_OR_RETURN(auto backend, ReadStringAttr(root, "backend", r.At("/")));
  if (!version.has_value() && weights_path != "/") {
    RESCOPE_ASSIGN_OR_RETURN(version, ReadStringAttr(weights, "keras_version", r.At(weights_path)));
  }
  if (!backend.has_value() && weights_path != "/") {
    RESCOPE_ASSIGN_OR_RETURN(backend, ReadStringAttr(weights, "backend", r.At(weights_path)));
  }
  s.keras_version = version.value_or("");
  s.backend = backend.value_or("");
  RESCOPE_ASSIGN_OR_RETURN(s.model_config, ReadStringAttr(root, "model_config", r.At("/")));
  RESCOPE_ASSIGN_OR_RETURN(s.training_config, ReadStringAttr(root, "training_config", r.At("/")));
  return Status::Ok();
}

void DescribeKeras2(Reader& r) {
  const KerasH5State& s = *r.state;
  Checkpoint& c = *r.ckpt;
  const std::string kind = s.full_model ? "full model" : "weights only";
  c.format = "keras_h5";
  c.format_version = "Keras " + (s.keras_version.empty() ? "(no keras_version)" : s.keras_version) +
                     " " + kind + (s.backend.empty() ? "" : " (backend " + s.backend + ")");
  size_t with_weights = 0;
  for (const KerasH5Layer& layer : s.layers) with_weights += !layer.weight_names.empty();
  c.properties.emplace_back("layout", "Keras 2 " + kind);
  c.properties.emplace_back("keras_version", s.keras_version.empty() ? "absent" : s.keras_version);
  c.properties.emplace_back("backend", s.backend.empty() ? "absent" : s.backend);
  if (s.full_model) {
    const std::string cls = s.model_config ? ModelClass(*s.model_config) : "";
    c.properties.emplace_back("model_config", !s.model_config ? "absent"
                                              : cls.empty()   ? "present"
                                                              : "present (" + cls + ")");
    c.properties.emplace_back("training_config", s.training_config ? "present" : "absent");
  }
  c.properties.emplace_back("layers", std::to_string(s.layers.size()) + " (" +
                                          std::to_string(with_weights) + " with weights)");
  if (s.top_level_model_weights) {
    c.properties.emplace_back("top_level_model_weights",
                              std::to_string(s.top_level_model_weights->weight_names.size()));
  }
  if (s.has_optimizer_weights) {
    c.properties.emplace_back("optimizer_weights", std::to_string(s.optimizer_weight_names.size()));
  }
}

Status ReadKeras2(Reader& r, hid_t root, hid_t weights, const std::string& weights_path) {
  r.state->layout = "keras_h5";
  r.state->full_model = weights_path != "/";
  RESCOPE_RETURN_IF_ERROR(ReadRootStrings(r, root, weights, weights_path));
  RESCOPE_RETURN_IF_ERROR(ReadKeras2Layers(r, weights, weights_path));
  if (r.state->full_model) RESCOPE_RETURN_IF_ERROR(ReadKeras2Optimizer(r, root));
  DescribeKeras2(r);
  return Status::Ok();
}

Status ReadGeneric(Reader& r, const H5Tree& tree) {
  r.state->layout = "hdf5";
  for (const std::string& path : tree.datasets) {
    RESCOPE_RETURN_IF_ERROR(
        AddDatasetEntry(r.file, r.file->id(), "/", path, path.substr(1), {}, "", &r.ckpt->store));
  }
  r.ckpt->format = "hdf5";
  r.ckpt->properties.emplace_back("layout", "generic HDF5");
  r.ckpt->properties.emplace_back("groups", std::to_string(tree.groups.size()));
  return Status::Ok();
}

void DescribeKeras3(Reader& r) {
  r.ckpt->format = "keras3_weights_h5";
  r.ckpt->format_version = "Keras 3 weights (.weights.h5 layout)";
  size_t variables = 0;
  for (const Keras3VarsGroup& g : r.state->vars_groups) variables += g.keys.size();
  r.ckpt->properties.emplace_back("layout", "Keras 3 .weights.h5");
  r.ckpt->properties.emplace_back("vars_groups", std::to_string(r.state->vars_groups.size()));
  r.ckpt->properties.emplace_back("variables", std::to_string(variables));
}

// Picks the layout (Keras 2 weights-only, Keras 2 full model, Keras 3, generic) and reads it.
Status ReadLayout(Reader& r, const std::string& config_json) {
  H5Handle root = H5Handle::Group(H5Gopen2(r.file->id(), "/", H5P_DEFAULT));
  if (!root.valid()) return Hdf5CallFailed(r.name(), "/", "H5Gopen2");
  RESCOPE_ASSIGN_OR_RETURN(const bool root_layers,
                           HasChunkedAttr(r, root.get(), "/", "layer_names"));
  if (root_layers) return ReadKeras2(r, root.get(), root.get(), "/");
  RESCOPE_ASSIGN_OR_RETURN(std::optional<H5Handle> model_weights,
                           OpenGroup(r, root.get(), "/", "model_weights"));
  if (model_weights.has_value()) {
    RESCOPE_ASSIGN_OR_RETURN(
        const bool has_layers,
        HasChunkedAttr(r, model_weights->get(), "/model_weights", "layer_names"));
    if (has_layers) return ReadKeras2(r, root.get(), model_weights->get(), "/model_weights");
  }
  RESCOPE_ASSIGN_OR_RETURN(const H5Tree tree, WalkHdf5(r.file->id(), r.name()));
  if (!tree.skipped_links.empty()) {
    r.ckpt->properties.emplace_back("skipped_links", std::to_string(tree.skipped_links.size()) +
                                                         " (first " + tree.skipped_links[0] + ")");
  }
  if (LooksLikeKeras3Layout(tree)) {
    r.state->layout = "keras3_weights_h5";
    RESCOPE_RETURN_IF_ERROR(
        ReadKeras3Weights(r.file, tree, config_json, r.state.get(), &r.ckpt->store));
    DescribeKeras3(r);
    return Status::Ok();
  }
  return ReadGeneric(r, tree);
}

void AddHdf5Properties(const H5ImageFile& file, uint64_t userblock, Checkpoint* ckpt) {
  H5F_info2_t info;
  std::string superblock = "unknown";
  if (H5Fget_info2(file.id(), &info) >= 0) {
    superblock = "v" + std::to_string(info.super.version);
  } else {
    (void)TakeHdf5ErrorMessage();
  }
  ckpt->properties.emplace_back("hdf5_superblock", superblock);
  if (userblock > 0) ckpt->properties.emplace_back("hdf5_userblock", std::to_string(userblock));
  if (ckpt->format == "hdf5") ckpt->format_version = "HDF5 (superblock " + superblock + ")";
}

// Reads whichever layout the opened HDF5 file has; `userblock` is where its signature is.
Result<Checkpoint> ReadHdf5File(std::shared_ptr<const H5ImageFile> file, uint64_t userblock,
                                const std::string& config_json,
                                std::shared_ptr<KerasH5State>* state_out) {
  Checkpoint ckpt;
  Reader r{std::move(file), std::make_shared<KerasH5State>(), &ckpt};
  RESCOPE_RETURN_IF_ERROR(ReadLayout(r, config_json));
  AddHdf5Properties(*r.file, userblock, &ckpt);
  ckpt.state = r.state;
  *state_out = r.state;
  return ckpt;
}

Status NotHdf5(const std::string& display_name, ByteView head) {
  return Status::Corruption(display_name +
                            ": not an HDF5 file (no signature at offset 0 or "
                            "512*2^n; " +
                            HexBytes(head, 8) + ")");
}

// Opens the HDF5 image [offset, offset + size) of `mapping` and reads whichever layout it has.
Result<Checkpoint> ReadHdf5(const std::string& display_name,
                            std::shared_ptr<const MappedFile> mapping, uint64_t offset,
                            uint64_t size, const std::string& config_json,
                            std::shared_ptr<KerasH5State>* state_out) {
  const auto signature = FindHdf5Signature(mapping->All().Sub(offset, size));
  if (!signature.has_value()) return NotHdf5(display_name, mapping->All().Sub(offset, size));
  RESCOPE_ASSIGN_OR_RETURN(auto file, H5ImageFile::Open(display_name, mapping, offset, size));
  return ReadHdf5File(std::move(file), *signature, config_json, state_out);
}

// The same for a deflated archive member, read through its inflating view. The signature
// is looked for with small reads, so only as much is inflated as the search reaches.
Result<Checkpoint> ReadInflatedHdf5(const std::string& display_name,
                                    std::shared_ptr<const ByteSource> member,
                                    const std::string& config_json,
                                    std::shared_ptr<KerasH5State>* state_out) {
  std::vector<uint8_t> scratch;
  std::optional<uint64_t> signature;
  std::vector<uint8_t> head;
  for (uint64_t at = 0; RangeFits(at, sizeof(kHdf5Magic), member->size()); at = at ? at * 2 : 512) {
    RESCOPE_ASSIGN_OR_RETURN(ByteView bytes, member->Read(at, sizeof(kHdf5Magic), scratch));
    if (at == 0) head.assign(bytes.begin(), bytes.end());
    if (std::memcmp(bytes.data, kHdf5Magic, sizeof(kHdf5Magic)) == 0) {
      signature = at;
      break;
    }
  }
  if (!signature.has_value()) {
    if (head.empty() && member->size() > 0) {
      RESCOPE_ASSIGN_OR_RETURN(ByteView bytes, member->Read(0, member->size(), scratch));
      head.assign(bytes.begin(), bytes.end());
    }
    return NotHdf5(display_name, ByteView(head.data(), head.size()));
  }
  RESCOPE_ASSIGN_OR_RETURN(auto file, H5ImageFile::OpenSource(display_name, std::move(member)));
  return ReadHdf5File(std::move(file), *signature, config_json, state_out);
}

std::string ArchiveVersion(const std::string& metadata_json, std::string* date_saved) {
  const Json j = Json::parse(metadata_json, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return "";
  const auto date = j.find("date_saved");
  if (date != j.end() && date->is_string()) *date_saved = date->get<std::string>();
  const auto version = j.find("keras_version");
  return version != j.end() && version->is_string() ? version->get<std::string>() : "";
}

// Keras writes every member STORED with its zip CRC-32: `verify` recomputes them over the
// zip's bytes like PyTorch records. A deflated weights member is checked the same way over
// its inflated bytes (`inflater`, which also checks its CRC-32 itself once it has inflated
// the whole member); the JSON members are checked by libzip as they are inflated on open,
// and other deflated members are left out rather than inflated here. A member whose data
// does not lie inside the zip is still listed, with no data, so verify reports it instead
// of skipping it.
void AddMemberChecksums(const std::shared_ptr<const MappedFile>& zip,
                        const std::vector<ZipMember>& members,
                        const std::shared_ptr<const InflatingMember>& inflater, Checkpoint* ckpt) {
  for (const ZipMember& m : members) {
    if (m.method != 0) {
      if (inflater != nullptr && m.name == kKerasWeightsMember) {
        ckpt->region_checksums.push_back({m.name, inflater, 0, m.size, m.crc32, ""});
      }
      continue;
    }
    auto at = ZipMemberDataOffset(*zip, m);
    RegionChecksum region{m.name, nullptr, 0, m.size, m.crc32, ""};
    if (at.ok()) {
      region.data = zip;
      region.offset = *at;
    } else {
      region.data_error = at.status().message();
    }
    ckpt->region_checksums.push_back(std::move(region));
  }
}

Result<Checkpoint> ReadArchive(const std::string& path, std::shared_ptr<const MappedFile> zip) {
  RESCOPE_ASSIGN_OR_RETURN(KerasArchive archive, OpenKerasArchive(path, zip));
  std::shared_ptr<KerasH5State> state;
  Result<Checkpoint> read =
      archive.weights_inflater != nullptr
          ? ReadInflatedHdf5(archive.weights_name, archive.weights_inflater, archive.config_json,
                             &state)
          : ReadHdf5(archive.weights_name, archive.weights_mapping, archive.weights_offset,
                     archive.weights_size, archive.config_json, &state);
  if (!read.ok()) return read.status();
  Checkpoint ckpt = std::move(*read);
  for (const ZipMember& m : archive.members) state->archive_members.push_back(m.name);
  AddMemberChecksums(zip, archive.members, archive.weights_inflater, &ckpt);
  // The weights member, stored or deflated, is checked by its region.
  ckpt.regions_cover_all_entries = true;
  state->metadata_json = archive.metadata_json;
  state->config_json = archive.config_json;
  std::string date_saved;
  const std::string version = ArchiveVersion(archive.metadata_json, &date_saved);
  std::vector<std::pair<std::string, std::string>> props = {
      {"archive_members", std::to_string(archive.members.size())},
      {"weights_member",
       std::string(kKerasWeightsMember) + (archive.weights_inflater != nullptr
                                               ? " (deflated, inflated on demand)"
                                               : " (stored @" + Hex(archive.weights_offset) + ")")},
      {"keras_version", version.empty() ? "absent" : version}};
  if (!date_saved.empty()) props.emplace_back("date_saved", date_saved);
  props.emplace_back("weights_format", ckpt.format);
  props.insert(props.end(), ckpt.properties.begin(), ckpt.properties.end());
  ckpt.properties = std::move(props);
  ckpt.format = "keras_zip";
  ckpt.format_version =
      "Keras " + (version.empty() ? "(unknown version)" : version) + " archive (.keras)";
  return ckpt;
}

// HDF5 metadata is spread through a weights file, so reading it from a DEFLATE member
// inflates most of the member (inflating_member.h); the probe's time limit is for HDF5
// hanging, not for that work: 1 s more per 32 MiB declared (capped by the inflation
// limits of keras_zip.h). A 1 GiB member needs about 9 s of CPU (bench/README.md).
std::chrono::seconds InflateAllowance(const std::string& path) {
  auto mapped = MappedFile::Open(path);
  if (!mapped.ok() || !LooksLikeZip((*mapped)->All())) return std::chrono::seconds(0);
  auto members = ReadZipDirectory(**mapped);
  if (!members.ok()) return std::chrono::seconds(0);
  for (const ZipMember& m : *members) {
    if (m.name == kKerasWeightsMember && m.method != 0) {
      return std::chrono::seconds(static_cast<int64_t>(m.size >> 25));
    }
  }
  return std::chrono::seconds(0);
}

}  // namespace

bool SniffKerasOrHdf5(const std::string& path) {
  if (!FileExists(path)) return false;
  auto mapped = MappedFile::Open(path);
  if (!mapped.ok()) return false;
  const MappedFile& file = **mapped;
  if (!LooksLikeZip(file.All())) return FindHdf5Signature(file.All()).has_value();
  auto members = ReadZipDirectory(file);
  if (!members.ok()) return false;
  for (const ZipMember& m : *members) {
    if (m.name == kKerasWeightsMember) return true;
  }
  return false;
}

Result<Checkpoint> OpenKerasH5(const std::string& path) {
  SilenceHdf5Errors();
  if (std::getenv("RESCOPE_NO_HDF5_PROBE") == nullptr && FileExists(path)) {
    // Only files HDF5 will actually parse are worth a fork.
    bool parsed_by_hdf5 = false;
    if (auto mapped = MappedFile::Open(path); mapped.ok()) {
      const ByteView all = (*mapped)->All();
      parsed_by_hdf5 = LooksLikeZip(all) || FindHdf5Signature(all).has_value();
    }
    // The child runs the whole metadata read (open, layout detection, tree walk,
    // attributes, string datasets; no numeric dataset payloads).
    if (parsed_by_hdf5) {
      RESCOPE_RETURN_IF_ERROR(ProbeInChild(path, Hdf5ProbeTimeout() + InflateAllowance(path),
                                           [&path] { return OpenKerasH5Unprobed(path).ok(); }));
    }
  }
  return OpenKerasH5Unprobed(path);
}

Result<Checkpoint> OpenKerasH5Unprobed(const std::string& path) {
  SilenceHdf5Errors();
  if (!FileExists(path)) return Status::NotFound(path + ": no such file");
  RESCOPE_ASSIGN_OR_RETURN(std::shared_ptr<MappedFile> mapped, MappedFile::Open(path));
  std::shared_ptr<const MappedFile> file = std::move(mapped);
  // "PK\3\4" at offset 0 decides: a zip member can start at 512*2^n and look like HDF5
  // after a user block.
  const bool zip = LooksLikeZip(file->All());
  std::shared_ptr<KerasH5State> state;
  Result<Checkpoint> ckpt =
      zip ? ReadArchive(path, file) : ReadHdf5(path, file, 0, file->size(), "", &state);
  if (!ckpt.ok()) return ckpt.status();
  ckpt->path = path;
  ckpt->files.push_back(
      CheckpointFile{path, zip ? "keras archive" : "HDF5 file", true, file->size()});
  return ckpt;
}

}  // namespace rescope
