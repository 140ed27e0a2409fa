// SPDX-License-Identifier: Apache-2.0
// Hard-link-only traversal of HDF5 files (see h5_walk.h).
#include "formats/hdf5/h5_walk.h"

#include <set>

#include "formats/hdf5/h5_error.h"

namespace rescope {
namespace {

constexpr int kMaxDepth = 64;

struct Link {
  std::string name;
  H5L_type_t type;
};

herr_t CollectLink(hid_t, const char* name, const H5L_info_t* info, void* data) {
  static_cast<std::vector<Link>*>(data)->push_back(Link{name, info->type});
  return 0;
}

class Walker {
 public:
  explicit Walker(const std::string& file_name) : file_name_(file_name) {}

  void MarkVisited(haddr_t addr) { visited_.insert(addr); }

  Status Visit(hid_t group, const std::string& path, int depth) {
    if (depth > kMaxDepth) {
      return Status::Corruption(file_name_ + ": " + path + ": groups nested deeper than " +
                                std::to_string(kMaxDepth) + " levels");
    }
    std::vector<Link> links;
    hsize_t index = 0;
    if (H5Literate(group, H5_INDEX_NAME, H5_ITER_INC, &index, CollectLink, &links) < 0) {
      return Hdf5CallFailed(file_name_, path, "H5Literate");
    }
    for (const Link& link : links) {
      const std::string child = JoinH5Path(path, link.name);
      if (link.type != H5L_TYPE_HARD) {
        tree_.skipped_links.push_back(child);
        continue;
      }
      RESCOPE_RETURN_IF_ERROR(VisitChild(group, link.name, child, depth));
    }
    return Status::Ok();
  }

  H5Tree& tree() { return tree_; }

 private:
  Status VisitChild(hid_t group, const std::string& name, const std::string& path, int depth) {
    H5O_info_t info;
    if (H5Oget_info_by_name2(group, name.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT) < 0) {
      return Hdf5CallFailed(file_name_, path, "H5Oget_info_by_name");
    }
    if (!visited_.insert(info.addr).second) return Status::Ok();  // second hard link
    if (info.type == H5O_TYPE_DATASET) {
      tree_.datasets.push_back(path);
    } else if (info.type == H5O_TYPE_GROUP) {
      tree_.groups.push_back(path);
      H5Handle child = H5Handle::Group(H5Gopen2(group, name.c_str(), H5P_DEFAULT));
      if (!child.valid()) return Hdf5CallFailed(file_name_, path, "H5Gopen2");
      return Visit(child.get(), path, depth + 1);
    }
    return Status::Ok();  // named datatypes carry no tensors
  }

  const std::string& file_name_;
  H5Tree tree_;
  std::set<haddr_t> visited_;
};

std::vector<std::string> SplitPath(const std::string& path) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    const size_t slash = path.find('/', start);
    const size_t end = slash == std::string::npos ? path.size() : slash;
    if (end > start) parts.push_back(path.substr(start, end - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return parts;
}

}  // namespace

std::string JoinH5Path(const std::string& parent, const std::string& child) {
  if (parent.empty() || parent == "/") return "/" + child;
  return parent + "/" + child;
}

Result<H5Tree> WalkHdf5(hid_t file, const std::string& file_name) {
  SilenceHdf5Errors();
  H5Handle root = H5Handle::Group(H5Gopen2(file, "/", H5P_DEFAULT));
  if (!root.valid()) return Hdf5CallFailed(file_name, "/", "H5Gopen2");
  Walker walker(file_name);
  H5O_info_t info;
  if (H5Oget_info2(root.get(), &info, H5O_INFO_BASIC) < 0) {
    return Hdf5CallFailed(file_name, "/", "H5Oget_info");
  }
  walker.MarkVisited(info.addr);
  RESCOPE_RETURN_IF_ERROR(walker.Visit(root.get(), "/", 0));
  return std::move(walker.tree());
}

Result<std::optional<H5Handle>> OpenByHardLinks(hid_t base, const std::string& base_path,
                                                const std::string& relative,
                                                const std::string& file_name) {
  SilenceHdf5Errors();
  H5Handle current;
  hid_t at = base;
  std::string path = base_path;
  if (!relative.empty() && relative.front() == '/') {
    // An absolute name starts from the root group, as HDF5 and h5py resolve it.
    current = H5Handle::Object(H5Oopen(base, "/", H5P_DEFAULT));
    if (!current.valid()) return Hdf5CallFailed(file_name, "/", "H5Oopen");
    at = current.get();
    path = "/";
  }
  for (const std::string& part : SplitPath(relative)) {
    path = JoinH5Path(path, part);
    const htri_t exists = H5Lexists(at, part.c_str(), H5P_DEFAULT);
    if (exists < 0) return Hdf5CallFailed(file_name, path, "H5Lexists");
    if (exists == 0) return std::optional<H5Handle>();
    H5L_info_t info;
    if (H5Lget_info(at, part.c_str(), &info, H5P_DEFAULT) < 0) {
      return Hdf5CallFailed(file_name, path, "H5Lget_info");
    }
    if (info.type != H5L_TYPE_HARD) {
      return Status::NotSupported(file_name + ": " + path +
                                  ": is a soft or external link (only hard links are followed)");
    }
    H5Handle next = H5Handle::Object(H5Oopen(at, part.c_str(), H5P_DEFAULT));
    if (!next.valid()) return Hdf5CallFailed(file_name, path, "H5Oopen");
    current = std::move(next);
    at = current.get();
  }
  if (!current.valid()) {
    // Empty relative path: a second id for the base itself.
    if (H5Iinc_ref(base) < 0) return Hdf5CallFailed(file_name, base_path, "H5Iinc_ref");
    current = H5Handle::Object(base);
  }
  return std::optional<H5Handle>(std::move(current));
}

}  // namespace rescope
