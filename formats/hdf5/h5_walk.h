// SPDX-License-Identifier: Apache-2.0
// Walking an HDF5 file's group tree and resolving paths through hard links only.
//
// Untrusted files may contain soft links (possibly cyclic), external links (which would
// make HDF5 open other files) and hard-link cycles. These helpers never follow anything
// but hard links, visit each object once, and bound the depth, so a hostile file cannot
// make rescope read other files or loop.
#pragma once

#include <hdf5.h>

#include <optional>
#include <string>
#include <vector>

#include "core/store/status.h"
#include "formats/hdf5/h5_handle.h"

namespace rescope {

// Absolute paths ("/a/b") found by WalkHdf5, in depth-first, name order.
struct H5Tree {
  std::vector<std::string> groups;  // without the root "/"
  std::vector<std::string> datasets;
  std::vector<std::string> skipped_links;  // soft/external/user-defined links not followed
};

// Walks every object reachable from the root group through hard links (each object once,
// at most 64 levels deep). Errors: "<file>: /a/b: H5Literate failed: ..." (kCorruption).
Result<H5Tree> WalkHdf5(hid_t file, const std::string& file_name);

// Opens `relative` ("dense/kernel:0", '/'-separated, empty parts ignored) below the
// object `base` whose path is `base_path` (from the root if `relative` starts with '/'),
// following hard links only. nullopt when a
// component does not exist. Errors: a component that is a soft or external link
// (kNotSupported), or a failing HDF5 call (kCorruption); messages name the full path.
Result<std::optional<H5Handle>> OpenByHardLinks(hid_t base, const std::string& base_path,
                                                const std::string& relative,
                                                const std::string& file_name);

// "/a" + "b" → "/a/b"; "" or "/" + "b" → "/b".
std::string JoinH5Path(const std::string& parent, const std::string& child);

}  // namespace rescope
