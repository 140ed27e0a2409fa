// SPDX-License-Identifier: Apache-2.0
// .keras archive rewriting with libzip.
#include "formats/keras_h5/keras_zip_writer.h"

#include <zip.h>

#include "formats/keras_h5/keras_zip.h"

namespace rescope {
namespace {

Status ZipError(const std::string& path, zip_t* z) {
  return Status::IOError(path + ": libzip: " + (z ? zip_strerror(z) : "cannot open"));
}

// Adds `source` as `name` STORED with `mtime`; libzip frees the source on failure only
// when we do, so this frees it too.
Status AddStored(zip_t* out, const std::string& out_path, const std::string& name,
                 zip_source_t* source, time_t mtime) {
  if (source == nullptr) return ZipError(out_path, out);
  const zip_int64_t idx = zip_file_add(out, name.c_str(), source, ZIP_FL_ENC_UTF_8);
  if (idx < 0) {
    zip_source_free(source);
    return ZipError(out_path, out);
  }
  if (zip_set_file_compression(out, static_cast<zip_uint64_t>(idx), ZIP_CM_STORE, 0) < 0 ||
      zip_file_set_mtime(out, static_cast<zip_uint64_t>(idx), mtime, 0) < 0) {
    return ZipError(out_path, out);
  }
  return Status::Ok();
}

struct ZipCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};

}  // namespace

Status RewriteKerasArchive(const std::string& source_zip, const std::string& weights_h5,
                           const std::optional<std::string>& config_json,
                           const std::string& out_path) {
  int err = 0;
  std::unique_ptr<zip_t, ZipCloser> in(zip_open(source_zip.c_str(), ZIP_RDONLY, &err));
  if (!in)
    return Status::IOError(source_zip + ": libzip: cannot open (error " + std::to_string(err) +
                           ")");
  zip_t* out = zip_open(out_path.c_str(), ZIP_CREATE | ZIP_EXCL, &err);
  if (out == nullptr) {
    return Status::IOError(out_path + ": libzip: cannot create (error " + std::to_string(err) +
                           ")");
  }
  std::unique_ptr<zip_t, ZipCloser> out_guard(out);
  const zip_int64_t n = zip_get_num_entries(in.get(), 0);
  for (zip_int64_t i = 0; i < n; ++i) {
    const auto index = static_cast<zip_uint64_t>(i);
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(in.get(), index, 0, &st) < 0) return ZipError(source_zip, in.get());
    const std::string name = st.name;
    const time_t mtime = (st.valid & ZIP_STAT_MTIME) ? st.mtime : time(nullptr);
    if (name == kKerasWeightsMember) {
      RESCOPE_RETURN_IF_ERROR(
          AddStored(out, out_path, name, zip_source_file(out, weights_h5.c_str(), 0, -1), mtime));
    } else if (name == "config.json" && config_json.has_value()) {
      RESCOPE_RETURN_IF_ERROR(
          AddStored(out, out_path, name,
                    zip_source_buffer(out, config_json->data(), config_json->size(), 0), mtime));
    } else {
      zip_source_t* raw = zip_source_zip(out, in.get(), index, ZIP_FL_COMPRESSED, 0, -1);
      if (raw == nullptr) return ZipError(out_path, out);
      const zip_int64_t idx = zip_file_add(out, name.c_str(), raw, ZIP_FL_ENC_UTF_8);
      if (idx < 0) {
        zip_source_free(raw);
        return ZipError(out_path, out);
      }
      // Without this libzip would recompress the member with its default method.
      const zip_int32_t method = (st.valid & ZIP_STAT_COMP_METHOD)
                                     ? static_cast<zip_int32_t>(st.comp_method)
                                     : ZIP_CM_STORE;
      if (zip_set_file_compression(out, static_cast<zip_uint64_t>(idx), method, 0) < 0) {
        return ZipError(out_path, out);
      }
      (void)zip_file_set_mtime(out, static_cast<zip_uint64_t>(idx), mtime, 0);
    }
  }
  if (zip_close(out) < 0) return ZipError(out_path, out);
  (void)out_guard.release();  // zip_close freed it
  return Status::Ok();
}

}  // namespace rescope
