// SPDX-License-Identifier: Apache-2.0
// The Keras HDF5 row of the format table (formats/format_table.h). It lives beside the
// module seam, not in formats/keras_h5/: it reaches the HDF5 code only through
// hdf5_module.h, so the CLI binary links no HDF5 symbol for it.
#include "formats/format_table.h"
#include "formats/hdf5_module/hdf5_module.h"

namespace rescope {
namespace {

Result<Checkpoint> Open(const std::string& path, const OpenOptions&) {
  return OpenKerasH5File(path);
}

// A .keras archive stays one (the Keras writer gives other names HDF5).
std::string SameFormatFileName(const Checkpoint& source) {
  return CheckpointStem(source.path) + (source.format == "keras_zip" ? ".keras" : ".h5");
}

Result<FormatWriteResult> Write(const Checkpoint& source, const TensorStore& store,
                                const std::string& path, const FormatWriteRequest&) {
  FormatWriteResult result;
  RESCOPE_ASSIGN_OR_RETURN(result.files, WriteKerasH5Output(source, store, path, &result.notes));
  result.output = path;
  return result;
}

}  // namespace

const FormatDescriptor& KerasH5Format() {
  static const FormatDescriptor kFormat{
      .name = "keras_h5",
      .display_name = "Keras HDF5",
      .variants = {{"keras_h5", "Keras 2 .h5"},
                   {"keras3_weights_h5", "Keras 3 .weights.h5"},
                   {"keras_zip", "Keras .keras archive", "archive member",
                    "zip members (weights and metadata)"},
                   {"hdf5", "HDF5"}},
      .name_separator = '/',
      .sniff_file = SniffKerasOrHdf5File,
      .open = Open,
      .writer =
          {
              .output_suffixes = {".h5", ".hdf5", ".keras"},
              .directory_file_name = "model.h5",
              .same_format_file_name = SameFormatFileName,
              .output_help = ".h5 .hdf5 .keras",
              .check = CheckKerasH5Output,
              .write = Write,
          },
      .capabilities =
          {
              .checksums = "zip CRC-32 of .keras members; Fletcher-32 where the file has it",
              .dtypes = "HDF5 integer and float types, F16, BF16, bool",
              .strings = true,
              .metadata = true,
          },
  };
  return kFormat;
}

}  // namespace rescope
