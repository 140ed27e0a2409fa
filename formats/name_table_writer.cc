// SPDX-License-Identifier: Apache-2.0
// The formats whose writer takes a rename as a name table.
#include "formats/name_table_writer.h"

namespace rescope {

const FormatDescriptor& TfBundleFormat();  // formats/tf_bundle/tf_bundle_format.cc

const NameTableWriter* FindNameTableWriter(std::string_view format) {
  if (format == TfBundleFormat().name) return &TfBundleNameTableWriter();
  return nullptr;
}

}  // namespace rescope
