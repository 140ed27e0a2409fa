// SPDX-License-Identifier: Apache-2.0
// Keras HDF5 / .keras writer: rebuilds the source file with renames applied (see the
// header for the rules) or hands non-Keras sources to the HDF5 store writer.
#include "formats/keras_h5/keras_h5_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "formats/atomic_output.h"
#include "formats/hdf5/h5_error.h"
#include "formats/hdf5/h5_handle.h"
#include "formats/hdf5/h5_image.h"
#include "formats/hdf5/h5_raw_copy.h"
#include "formats/hdf5/h5_walk.h"
#include "formats/hdf5/h5_write.h"
#include "formats/keras_h5/h5_store_writer.h"
#include "formats/keras_h5/keras_config_rename.h"
#include "formats/keras_h5/keras_h5_entries.h"
#include "formats/keras_h5/keras_h5_reader.h"
#include "formats/keras_h5/keras_zip.h"
#include "formats/keras_h5/keras_zip_writer.h"
#include "formats/mapped_file.h"

namespace rescope {
namespace {

using Moves = std::vector<std::pair<std::string, std::string>>;  // group path from → to

// What the rebuilt file looks like, in source paths.
struct Plan {
  std::map<std::string, std::optional<std::string>> datasets;  // old → new (nullopt: drop)
  Moves explicit_moves;                                        // Keras 2 layer groups
  Moves group_moves;  // groups whose datasets all move by one prefix (after explicit)
  struct ListRewrite {
    std::string old_group, attr;
    std::vector<std::string> values;
  };
  std::vector<ListRewrite> lists;
  std::optional<std::string> model_config;  // rewritten root attribute
  // Groups not copied at all, with everything under them: /optimizer_weights when every
  // optimizer weight was dropped (Keras then loads the model with a fresh optimizer).
  std::set<std::string> removed_groups;
};

// Removes a file on scope exit unless released.
class TempFile {
 public:
  explicit TempFile(std::string path) : path_(std::move(path)) {}
  ~TempFile() {
    if (!path_.empty()) ::unlink(path_.c_str());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  const std::string& path() const { return path_; }
  void Release() { path_.clear(); }

 private:
  std::string path_;
};

std::string NoteOf(const TensorEntry& e, const std::string& key) {
  for (const auto& [k, v] : e.notes()) {
    if (k == key) return v;
  }
  return "";
}

std::string FirstSegment(const std::string& s) { return s.substr(0, s.find('/')); }
std::string AfterFirst(const std::string& s) {
  const size_t slash = s.find('/');
  return slash == std::string::npos ? "" : s.substr(slash);
}
bool IsUnder(const std::string& path, const std::string& group) {
  return path.size() > group.size() && path.compare(0, group.size(), group) == 0 &&
         path[group.size()] == '/';
}
std::string ParentOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == 0 ? "/" : path.substr(0, slash);
}

std::string ApplyMoves(const Moves& moves, const std::string& path) {
  const std::pair<std::string, std::string>* best = nullptr;
  for (const auto& m : moves) {
    if ((path == m.first || IsUnder(path, m.first)) &&
        (!best || m.first.size() > best->first.size())) {
      best = &m;
    }
  }
  return best ? best->second + path.substr(best->first.size()) : path;
}

// source name → the entry it became, checking that the store only renamed and dropped.
Result<std::map<std::string, const TensorEntry*>> MatchStore(const Checkpoint& source,
                                                             const TensorStore& store,
                                                             const std::string& path) {
  std::map<std::string, const TensorEntry*> out;
  for (const auto& [name, e] : store) {
    const TensorEntry* src = source.store.Find(e.SourceName());
    if (src == nullptr) {
      return Status::NotSupported(
          path + ": " + name + ": not a tensor of " + source.path +
          "; a Keras file can only be written with its tensors renamed or dropped");
    }
    if (e.bytes_transformed || src->data != e.data || src->data_offset != e.data_offset ||
        src->dtype != e.dtype || src->shape != e.shape) {
      return Status::NotSupported(
          path + ": " + name +
          ": its bytes, dtype or shape differ from the source; the Keras writer "
          "only renames and drops tensors");
    }
    out[e.SourceName()] = &e;
  }
  return out;
}

struct Keras2Planner {
  const Checkpoint& source;
  const KerasH5State& state;
  const std::map<std::string, const TensorEntry*>& matches;
  Plan* plan;
  std::vector<std::string>* notes;
  std::string root;
  std::set<std::string> layer_names;

  std::string OldPath(const std::string& group, const std::string& weight,
                      const std::string& name) {
    const TensorEntry* src = source.store.Find(name);
    const std::string note = src ? NoteOf(*src, "hdf5_path") : "";
    return note.empty() ? JoinH5Path(group, weight) : note;
  }

  // Plans one weight_names group; returns the layer's (possibly new) name. `prefix` is
  // the entry-name prefix ("optimizer_weights/" for optimizer state).
  Result<std::string> Layer(const std::string& group_name, const std::vector<std::string>& weights,
                            const std::string& base, const std::string& prefix, bool can_rename) {
    const std::string old_group = JoinH5Path(base, group_name);
    struct Kept {
      std::string weight, old_name, new_name;
    };
    std::vector<Kept> kept;
    for (const std::string& w : weights) {
      const std::string name = prefix + StripKerasWeightSuffix(w);
      const auto it = matches.find(name);
      if (it == matches.end()) {
        plan->datasets[OldPath(old_group, w, name)] = std::nullopt;
        continue;
      }
      std::string to = it->second->name;
      if (!prefix.empty()) {
        if (to.rfind(prefix, 0) != 0) {
          return Status::InvalidArgument(name + " renamed to " + to +
                                         ": optimizer weights of a Keras 2 file "
                                         "must stay under " +
                                         prefix);
        }
      }
      kept.push_back({w, name.substr(prefix.size()), to.substr(prefix.size())});
    }
    if (!prefix.empty() && kept.empty() && !weights.empty()) {
      plan->removed_groups.insert(old_group);  // no empty optimizer_weights group left behind
      return group_name;
    }
    std::string new_layer = group_name;
    if (can_rename && !kept.empty()) {
      std::string to;
      bool uniform = true;
      for (const Kept& k : kept) {
        uniform = uniform && FirstSegment(k.old_name) == group_name &&
                  !AfterFirst(k.old_name).empty() &&
                  AfterFirst(k.old_name) == AfterFirst(k.new_name) &&
                  (to.empty() || to == FirstSegment(k.new_name));
        to = FirstSegment(k.new_name);
      }
      if (uniform && to != group_name) {
        if (layer_names.count(to)) {
          notes->push_back("layer " + group_name + " kept its name: a layer named " + to +
                           " exists");
        } else {
          new_layer = to;
        }
      }
    }
    const std::string new_group = JoinH5Path(base, new_layer);
    std::vector<std::string> new_weights;
    for (const Kept& k : kept) {
      const std::string suffix = StripKerasWeightSuffix(k.weight) != k.weight ? ":0" : "";
      new_weights.push_back(k.new_name + suffix);
      plan->datasets[OldPath(old_group, k.weight, prefix + k.old_name)] =
          JoinH5Path(new_group, new_weights.back());
    }
    if (new_weights != weights) plan->lists.push_back({old_group, "weight_names", new_weights});
    if (new_layer != group_name) plan->explicit_moves.emplace_back(old_group, new_group);
    return new_layer;
  }

  Status Run() {
    root = state.full_model ? "/model_weights" : "/";
    for (const KerasH5Layer& l : state.layers) layer_names.insert(l.name);
    std::vector<std::string> new_names;
    std::vector<std::pair<std::string, std::string>> renamed;
    for (const KerasH5Layer& l : state.layers) {
      RESCOPE_ASSIGN_OR_RETURN(std::string name, Layer(l.name, l.weight_names, root, "", true));
      if (name != l.name) renamed.emplace_back(l.name, name);
      new_names.push_back(std::move(name));
    }
    if (state.top_level_model_weights) {
      const KerasH5Layer& t = *state.top_level_model_weights;
      RESCOPE_RETURN_IF_ERROR(Layer(t.name, t.weight_names, root, "", false).status());
    }
    if (state.has_optimizer_weights) {
      RESCOPE_RETURN_IF_ERROR(
          Layer("optimizer_weights", state.optimizer_weight_names, "/", "optimizer_weights/", false)
              .status());
    }
    if (renamed.empty()) return Status::Ok();
    plan->lists.push_back({root, "layer_names", new_names});
    std::optional<std::string> config = state.model_config;
    for (const auto& [from, to] : renamed) {
      notes->push_back("layer " + from + " renamed to " + to +
                       " (group, layer_names, weight_names)");
      if (!config.has_value()) continue;
      std::string why;
      std::string updated = RenameLayerInConfig(*config, from, to, &why);
      if (updated.empty()) {
        notes->push_back("model_config: layer " + from + " left unchanged (" + why +
                         "); rename it in the model before load_weights(by_name=True)");
      } else {
        config = std::move(updated);
      }
      if (state.training_config &&
          state.training_config->find("\"" + from + "\"") != std::string::npos) {
        notes->push_back("training_config mentions \"" + from + "\" and was left unchanged");
      }
    }
    if (config != state.model_config) plan->model_config = config;
    return Status::Ok();
  }
};

void PlanByPath(const Checkpoint& source, const KerasH5State& state,
                const std::map<std::string, const TensorEntry*>& matches, Plan* plan,
                std::vector<std::string>* notes) {
  size_t off_layout = 0;
  for (const auto& [name, e] : source.store) {
    const std::string old = NoteOf(e, "hdf5_path");
    if (old.empty()) continue;
    const auto it = matches.find(name);
    if (it == matches.end()) {
      plan->datasets[old] = std::nullopt;
      continue;
    }
    const std::string& to = it->second->name;
    plan->datasets[old] = "/" + to;
    const size_t vars = to.rfind("vars/");
    const bool keras3_shaped = vars != std::string::npos && (vars == 0 || to[vars - 1] == '/') &&
                               vars + 5 < to.size() &&
                               to.find_first_not_of("0123456789", vars + 5) == std::string::npos;
    if (state.layout == "keras3_weights_h5" && to != name && !keras3_shaped) ++off_layout;
  }
  if (off_layout > 0) {
    notes->push_back(std::to_string(off_layout) +
                     " renamed variables do not end in vars/<index>; Keras 3 will not load them");
  }
}

// Groups all of whose datasets move by one prefix are moved whole, keeping attributes.
void DetectGroupMoves(const H5Tree& tree, Plan* plan) {
  std::set<std::string> occupied;
  for (const std::string& g : tree.groups) occupied.insert(ApplyMoves(plan->explicit_moves, g));
  for (const std::string& d : tree.datasets) occupied.insert(ApplyMoves(plan->explicit_moves, d));
  std::vector<std::string> moved;
  for (const std::string& g : tree.groups) {
    if (std::any_of(moved.begin(), moved.end(),
                    [&](const std::string& m) { return IsUnder(g, m); }))
      continue;
    const std::string gm = ApplyMoves(plan->explicit_moves, g);
    std::optional<std::string> target;
    bool ok = true;
    for (const std::string& d : tree.datasets) {
      if (!IsUnder(d, g)) continue;
      const auto it = plan->datasets.find(d);
      if (it == plan->datasets.end() || !it->second.has_value()) {
        ok = false;
        break;
      }
      const std::string rel = ApplyMoves(plan->explicit_moves, d).substr(gm.size());
      const std::string& to = *it->second;
      if (to.size() <= rel.size() || to.compare(to.size() - rel.size(), rel.size(), rel) != 0) {
        ok = false;
        break;
      }
      const std::string p = to.substr(0, to.size() - rel.size());
      if (target && *target != p) {
        ok = false;
        break;
      }
      target = p;
    }
    if (!ok || !target || *target == gm || occupied.count(*target) || IsUnder(*target, gm))
      continue;
    plan->group_moves.emplace_back(gm, *target);
    moved.push_back(g);
  }
}

std::string DestGroup(const Plan& plan, const std::string& g) {
  return ApplyMoves(plan.group_moves, ApplyMoves(plan.explicit_moves, g));
}

std::optional<std::string> DestDataset(const Plan& plan, const std::string& d) {
  const auto it = plan.datasets.find(d);
  if (it != plan.datasets.end()) return it->second;
  return JoinH5Path(DestGroup(plan, ParentOf(d)), d.substr(d.rfind('/') + 1));
}

bool PathExists(hid_t file, const std::string& path) {
  if (path == "/") return true;
  for (size_t at = path.find('/', 1);; at = path.find('/', at + 1)) {
    const std::string prefix = at == std::string::npos ? path : path.substr(0, at);
    if (H5Lexists(file, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    if (at == std::string::npos) return true;
  }
}

Status CheckDestinations(const H5Tree& tree, const Plan& plan, const std::string& out) {
  std::set<std::string> seen;
  for (const std::string& d : tree.datasets) {
    const auto to = DestDataset(plan, d);
    if (to && !seen.insert(*to).second) {
      return Status::InvalidArgument(out + ": two tensors would be stored at " + *to);
    }
  }
  for (const std::string& p : seen) {
    for (size_t at = p.find('/', 1); at != std::string::npos; at = p.find('/', at + 1)) {
      if (seen.count(p.substr(0, at))) {
        return Status::InvalidArgument(out + ": " + p.substr(0, at) +
                                       " would be a tensor and also the group of " + p);
      }
    }
  }
  return Status::Ok();
}

// Contiguous datasets are created empty and listed in `raw` for CopyRawRanges once `dst`
// is closed; the rest are copied by H5Ocopy.
Status Rebuild(const H5ImageFile& src, const H5Tree& tree, const Plan& plan, hid_t dst,
               const std::string& out, std::vector<H5RawRange>* raw) {
  H5Handle lcpl = H5Handle::Plist(H5Pcreate(H5P_LINK_CREATE));
  (void)H5Pset_create_intermediate_group(lcpl.get(), 1);
  {
    H5Handle sroot = H5Handle::Group(H5Gopen2(src.id(), "/", H5P_DEFAULT));
    H5Handle droot = H5Handle::Group(H5Gopen2(dst, "/", H5P_DEFAULT));
    RESCOPE_RETURN_IF_ERROR(CopyAttributes(sroot.get(), droot.get(), out, "/"));
  }
  auto removed = [&](const std::string& g) {
    return std::any_of(plan.removed_groups.begin(), plan.removed_groups.end(),
                       [&](const std::string& r) { return g == r || IsUnder(g, r); });
  };
  for (const std::string& g : tree.groups) {
    if (removed(g)) continue;
    const std::string d = DestGroup(plan, g);
    if (PathExists(dst, d)) continue;
    H5Handle s = H5Handle::Group(H5Gopen2(src.id(), g.c_str(), H5P_DEFAULT));
    H5Handle n = H5Handle::Group(H5Gcreate2(dst, d.c_str(), lcpl.get(), H5P_DEFAULT, H5P_DEFAULT));
    if (!s.valid() || !n.valid()) return Hdf5CallFailed(out, d, "H5Gcreate2", StatusCode::kIOError);
    RESCOPE_RETURN_IF_ERROR(CopyAttributes(s.get(), n.get(), out, d));
  }
  for (const std::string& d : tree.datasets) {
    const auto to = DestDataset(plan, d);
    if (!to || removed(d)) continue;
    RESCOPE_ASSIGN_OR_RETURN(std::optional<H5RawRange> range,
                             CreateForRawCopy(src, d, dst, *to, lcpl.get(), out));
    if (range) {
      raw->push_back(*range);
      continue;
    }
    if (H5Ocopy(src.id(), d.c_str(), dst, to->c_str(), H5P_DEFAULT, lcpl.get()) < 0) {
      return Hdf5CallFailed(out, *to, "H5Ocopy of " + d, StatusCode::kIOError);
    }
  }
  // Groups emptied by moves and drops go, unless they carry attributes (a Keras 2 layer
  // whose weights were all dropped stays listed in layer_names with empty weight_names).
  for (auto it = tree.groups.rbegin(); it != tree.groups.rend(); ++it) {
    if (removed(*it)) continue;
    H5G_info_t before, after;
    H5O_info_t object;
    const std::string d = DestGroup(plan, *it);
    if (H5Gget_info_by_name(src.id(), it->c_str(), &before, H5P_DEFAULT) < 0 ||
        before.nlinks == 0 ||
        H5Oget_info_by_name2(src.id(), it->c_str(), &object, H5O_INFO_NUM_ATTRS, H5P_DEFAULT) < 0 ||
        object.num_attrs > 0) {
      continue;
    }
    if (PathExists(dst, d) && H5Gget_info_by_name(dst, d.c_str(), &after, H5P_DEFAULT) >= 0 &&
        after.nlinks == 0 && H5Ldelete(dst, d.c_str(), H5P_DEFAULT) < 0) {
      return Hdf5CallFailed(out, d, "H5Ldelete", StatusCode::kIOError);
    }
  }
  for (const Plan::ListRewrite& l : plan.lists) {
    const std::string d = DestGroup(plan, l.old_group);
    H5Handle g = H5Handle::Group(H5Gopen2(dst, d.c_str(), H5P_DEFAULT));
    H5Handle s = H5Handle::Group(H5Gopen2(src.id(), l.old_group.c_str(), H5P_DEFAULT));
    if (!g.valid() || !s.valid()) return Hdf5CallFailed(out, d, "H5Gopen2", StatusCode::kIOError);
    RESCOPE_RETURN_IF_ERROR(
        WriteStringListAttr(g.get(), l.attr, l.values, StringAttrStyle(s.get(), l.attr), out, d));
  }
  if (plan.model_config) {
    H5Handle s = H5Handle::Group(H5Gopen2(src.id(), "/", H5P_DEFAULT));
    H5Handle g = H5Handle::Group(H5Gopen2(dst, "/", H5P_DEFAULT));
    RESCOPE_RETURN_IF_ERROR(WriteStringAttr(g.get(), "model_config", *plan.model_config,
                                            StringAttrStyle(s.get(), "model_config"), out, "/"));
  }
  return Status::Ok();
}

Status SyncFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IOError(path + ": cannot reopen to sync");
  const bool ok = ::fsync(fd) == 0;
  ::close(fd);
  return ok ? Status::Ok() : Status::IOError(path + ": fsync failed");
}

// Writes the rebuilt HDF5 file to `out` (which must not exist).
// Plans the rebuild and checks it; everything the writer refuses is refused here.
Status PlanRewrite(const Checkpoint& source, const KerasH5State& state, const H5ImageFile& src,
                   const TensorStore& store, const std::string& shown,
                   std::vector<std::string>* notes, Plan* plan, H5Tree* tree) {
  RESCOPE_ASSIGN_OR_RETURN(auto matches, MatchStore(source, store, shown));
  if (state.layout == "keras_h5") {
    Keras2Planner planner{source, state, matches, plan, notes, "", {}};
    RESCOPE_RETURN_IF_ERROR(planner.Run());
  } else {
    PlanByPath(source, state, matches, plan, notes);
  }
  RESCOPE_ASSIGN_OR_RETURN(*tree, WalkHdf5(src.id(), src.name()));
  DetectGroupMoves(*tree, plan);
  return CheckDestinations(*tree, *plan, shown);
}

Status RewriteHdf5(const Checkpoint& source, const KerasH5State& state, const H5ImageFile& src,
                   const TensorStore& store, const std::string& out, const std::string& shown,
                   std::vector<std::string>* notes) {
  Plan plan;
  H5Tree tree;
  RESCOPE_RETURN_IF_ERROR(PlanRewrite(source, state, src, store, shown, notes, &plan, &tree));
  if (!tree.skipped_links.empty()) {
    notes->push_back(std::to_string(tree.skipped_links.size()) +
                     " soft/external links not copied (first " + tree.skipped_links[0] + ")");
  }
  H5Handle dst = H5Handle::File(H5Fcreate(out.c_str(), H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT));
  if (!dst.valid()) return Hdf5CallFailed(out, "", "H5Fcreate", StatusCode::kIOError);
  std::vector<H5RawRange> raw;
  RESCOPE_RETURN_IF_ERROR(Rebuild(src, tree, plan, dst.get(), shown, &raw));
  if (H5Fflush(dst.get(), H5F_SCOPE_GLOBAL) < 0) {
    return Hdf5CallFailed(out, "", "H5Fflush", StatusCode::kIOError);
  }
  dst.Reset();
  RESCOPE_RETURN_IF_ERROR(CopyRawRanges(src, out, raw));
  return SyncFile(out);
}

// A name that says HDF5 (out.h5, out.weights.h5, out.hdf5) gets HDF5; any other name
// (out.keras, or no extension) keeps the archive the source was.
bool WantsArchive(const std::string& path) {
  return !path.ends_with(".h5") && !path.ends_with(".hdf5");
}

Status Commit(TempFile& temp, const std::string& path) {
  if (::rename(temp.path().c_str(), path.c_str()) != 0) {
    return Status::IOError(path + ": cannot rename into place from " + temp.path());
  }
  temp.Release();
  return Status::Ok();
}

}  // namespace

Status CheckKerasH5Write(const Checkpoint& source, const TensorStore& store) {
  const auto* state = dynamic_cast<const KerasH5State*>(source.state.get());
  if (state == nullptr) return Status::Ok();  // a new file: nothing of a source to keep
  SilenceHdf5Errors();
  RESCOPE_ASSIGN_OR_RETURN(std::shared_ptr<MappedFile> mapped, MappedFile::Open(source.path));
  std::shared_ptr<const MappedFile> mapping = std::move(mapped);
  std::vector<std::string> notes;
  Plan plan;
  H5Tree tree;
  if (source.format != "keras_zip") {
    RESCOPE_ASSIGN_OR_RETURN(auto src, H5ImageFile::Open(source.path, mapping, 0, mapping->size()));
    return PlanRewrite(source, *state, *src, store, source.path, &notes, &plan, &tree);
  }
  RESCOPE_ASSIGN_OR_RETURN(KerasArchive archive, OpenKerasArchive(source.path, mapping));
  RESCOPE_ASSIGN_OR_RETURN(auto src, OpenWeightsHdf5(archive));
  return PlanRewrite(source, *state, *src, store, source.path + ":" + kKerasWeightsMember, &notes,
                     &plan, &tree);
}

Result<std::vector<std::string>> WriteKerasH5(const Checkpoint& source, const TensorStore& store,
                                              const std::string& path,
                                              std::vector<std::string>* notes) {
  SilenceHdf5Errors();
  const auto* state = dynamic_cast<const KerasH5State*>(source.state.get());
  if (state == nullptr) {
    TempFile temp(TempPathFor(path));
    RESCOPE_RETURN_IF_ERROR(WriteStoreAsHdf5(store, temp.path(), notes));
    RESCOPE_RETURN_IF_ERROR(SyncFile(temp.path()));
    RESCOPE_RETURN_IF_ERROR(Commit(temp, path));
    return std::vector<std::string>{path};
  }
  RESCOPE_ASSIGN_OR_RETURN(std::shared_ptr<MappedFile> mapped, MappedFile::Open(source.path));
  std::shared_ptr<const MappedFile> mapping = std::move(mapped);
  if (source.format != "keras_zip") {
    RESCOPE_ASSIGN_OR_RETURN(auto src, H5ImageFile::Open(source.path, mapping, 0, mapping->size()));
    TempFile temp(TempPathFor(path));
    RESCOPE_RETURN_IF_ERROR(RewriteHdf5(source, *state, *src, store, temp.path(), path, notes));
    RESCOPE_RETURN_IF_ERROR(Commit(temp, path));
    return std::vector<std::string>{path};
  }
  RESCOPE_ASSIGN_OR_RETURN(KerasArchive archive, OpenKerasArchive(source.path, mapping));
  RESCOPE_ASSIGN_OR_RETURN(auto src, OpenWeightsHdf5(archive));
  if (!WantsArchive(path)) {
    // An HDF5 output was asked for (out.h5, out.weights.h5): the archive's weights file
    // alone, renamed; never a zip under an HDF5 name.
    TempFile temp(TempPathFor(path));
    RESCOPE_RETURN_IF_ERROR(RewriteHdf5(source, *state, *src, store, temp.path(), path, notes));
    RESCOPE_RETURN_IF_ERROR(Commit(temp, path));
    notes->push_back(std::string("wrote the archive's ") + kKerasWeightsMember +
                     " as HDF5 (weights only; config.json is not in it: build the model in "
                     "code, then load_weights)");
    if (state->layout == "keras3_weights_h5" && !path.ends_with(".weights.h5")) {
      notes->push_back(
          "Keras 3 load_weights reads this layout only from a file named *.weights.h5");
    }
    return std::vector<std::string>{path};
  }
  TempFile weights(TempPathFor(path + ".weights.h5"));
  RESCOPE_RETURN_IF_ERROR(RewriteHdf5(source, *state, *src, store, weights.path(),
                                      path + ":" + kKerasWeightsMember, notes));
  if (state->layout == "keras3_weights_h5") {
    notes->push_back(
        "config.json unchanged: Keras 3 finds weights by object path (layers/<class>_N), "
        "not by layer name");
  }
  TempFile temp(TempPathFor(path));
  RESCOPE_RETURN_IF_ERROR(
      RewriteKerasArchive(source.path, weights.path(), std::nullopt, temp.path()));
  RESCOPE_RETURN_IF_ERROR(SyncFile(temp.path()));
  RESCOPE_RETURN_IF_ERROR(Commit(temp, path));
  return std::vector<std::string>{path};
}

}  // namespace rescope
