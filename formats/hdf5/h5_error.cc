// SPDX-License-Identifier: Apache-2.0
// Error-stack capture for HDF5 calls (see h5_error.h).
#include "formats/hdf5/h5_error.h"

#include <hdf5.h>

namespace rescope {
namespace {

// H5Ewalk2 callback: in an upward walk entry 0 is the innermost function.
herr_t KeepInnermost(unsigned n, const H5E_error2_t* err, void* client) {
  if (n != 0 || err == nullptr) return 0;
  auto* out = static_cast<std::string*>(client);
  if (err->desc != nullptr && err->desc[0] != '\0') {
    *out = err->desc;
    return 0;
  }
  // Some internal errors carry no description; fall back to the minor-code text.
  char text[256] = {0};
  H5E_type_t type;
  if (H5Eget_msg(err->min_num, &type, text, sizeof(text)) > 0) *out = text;
  return 0;
}

}  // namespace

void SilenceHdf5Errors() {
  // HDF5 1.10 closes files left open from an exit handler, and crashes there (SIGSEGV) on a
  // file whose write failed (EFBIG, ENOSPC): rescope closes what it opens and removes failed
  // outputs itself, so the library's exit handler is turned off. H5dont_atexit only works
  // before the library initializes, hence before the first other HDF5 call below.
  static const bool no_exit_handler = [] { return H5dont_atexit() >= 0; }();
  (void)no_exit_handler;
  // The default stack is per thread, so the flag is too.
  thread_local bool silenced = false;
  if (silenced) return;
  (void)H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  silenced = true;
}

std::string TakeHdf5ErrorMessage() {
  std::string message;
  (void)H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, KeepInnermost, &message);
  (void)H5Eclear2(H5E_DEFAULT);
  // A failed write or read of the file driver describes the whole system call over several
  // lines ("time = ..., filename = ..., errno = 28, error message = 'No space left on
  // device', buf = 0x..."); the operating system's message is the part a user needs.
  const std::string marker = "error message = '";
  if (const size_t at = message.find(marker); at != std::string::npos) {
    const size_t start = at + marker.size();
    const size_t end = message.find('\'', start);
    if (end != std::string::npos) {
      const std::string head = message.substr(0, message.find(':'));
      message = head + ": " + message.substr(start, end - start);
    }
  }
  return message;
}

Status Hdf5CallFailed(const std::string& file, const std::string& object, const std::string& call,
                      StatusCode code) {
  const std::string inner = TakeHdf5ErrorMessage();
  std::string message = file + ": ";
  if (!object.empty()) message += object + ": ";
  message += call + " failed";
  if (!inner.empty()) message += ": " + inner;
  return Status(code, std::move(message));
}

}  // namespace rescope
