// SPDX-License-Identifier: Apache-2.0
// Turning HDF5's error stack into rescope Status messages.
//
// HDF5 prints its whole error stack to stderr by default; rescope never prints from a
// reader, so every entry point calls SilenceHdf5Errors() first. When an HDF5 call fails,
// the caller immediately (before any other HDF5 call, which would reset the stack) builds
// a Status with Hdf5CallFailed(), which keeps only the innermost, most specific message:
//   weights.h5: /model_weights/dense/dense/kernel:0: H5Dread failed: <innermost message>
#pragma once

#include <string>

#include "core/store/status.h"

namespace rescope {

// Turns off HDF5's automatic error printing for the calling thread (the thread-safe
// HDF5 build keeps one error stack per thread). Idempotent and cheap after the first call.
void SilenceHdf5Errors();

// The innermost message on the calling thread's HDF5 error stack (the place where the
// error was first detected), then clears the stack. "" when the stack is empty.
std::string TakeHdf5ErrorMessage();

// "<file>: <object>: <call> failed: <innermost message>" (the object part is left out
// when empty; the message part when HDF5 recorded nothing).
Status Hdf5CallFailed(const std::string& file, const std::string& object, const std::string& call,
                      StatusCode code = StatusCode::kCorruption);

}  // namespace rescope
