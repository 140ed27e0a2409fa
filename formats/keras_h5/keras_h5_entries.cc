// SPDX-License-Identifier: Apache-2.0
// Dataset → TensorEntry plumbing for the Keras HDF5 reader (see keras_h5_entries.h).
#include "formats/keras_h5/keras_h5_entries.h"

#include "formats/hdf5/h5_error.h"
#include "formats/hdf5/h5_source.h"
#include "formats/hdf5/h5_walk.h"

namespace rescope {

Status AddDatasetEntry(const std::shared_ptr<const H5ImageFile>& file, hid_t base,
                       const std::string& base_path, const std::string& relative, std::string name,
                       EntryNotes notes, const std::string& listed_in, TensorStore* store) {
  std::string path = base_path;
  if (!relative.empty() && relative.front() == '/') {
    path = relative;  // HDF5 resolves absolute names from the root, whatever the base
  } else {
    path = JoinH5Path(base_path, relative);
  }
  RESCOPE_ASSIGN_OR_RETURN(std::optional<H5Handle> object,
                           OpenByHardLinks(base, base_path, relative, file->name()));
  const std::string listed = listed_in.empty() ? "" : " (listed in " + listed_in + ")";
  if (!object.has_value()) {
    return Status::Corruption(file->name() + ": " + path + ": no such dataset" + listed);
  }
  if (H5Iget_type(object->get()) != H5I_DATASET) {
    (void)TakeHdf5ErrorMessage();
    return Status::Corruption(file->name() + ": " + path + ": not a dataset" + listed);
  }
  TensorEntry entry;
  entry.name = std::move(name);
  entry.mutable_notes() = std::move(notes);
  entry.mutable_notes().emplace_back("hdf5_path", path);
  RESCOPE_RETURN_IF_ERROR(DescribeDataset(file, object->get(), path, &entry));
  const std::string entry_name = entry.name;
  Status added = store->Add(std::move(entry));
  if (!added.ok()) {
    return Status::Conflict(file->name() + ": " + path + ": tensor name \"" + entry_name +
                            "\" is already used by another dataset");
  }
  return Status::Ok();
}

std::string StripKerasWeightSuffix(const std::string& weight_name) {
  constexpr std::string_view kSuffix = ":0";
  if (weight_name.size() > kSuffix.size() &&
      weight_name.compare(weight_name.size() - kSuffix.size(), kSuffix.size(), kSuffix) == 0) {
    return weight_name.substr(0, weight_name.size() - kSuffix.size());
  }
  return weight_name;
}

}  // namespace rescope
