// SPDX-License-Identifier: Apache-2.0
// What identifies a build for the module check: version, commit and build type (the
// definitions come from CMake and the generated rescope_git_commit.h).
#pragma once

#include "rescope_git_commit.h"  // generated at build time (cmake/git_commit.cmake)

#define RESCOPE_HDF5_MODULE_STAMP \
  "rescope " RESCOPE_VERSION " commit " RESCOPE_GIT_COMMIT " " RESCOPE_BUILD_TYPE
