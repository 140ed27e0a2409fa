// SPDX-License-Identifier: Apache-2.0
// The Python interpreter unit tests use for independent checks (h5py, numpy, torch, zipfile):
// the judge environment's (CMake RESCOPE_JUDGE_PYTHON, built by scripts/make-judges-venv.sh),
// never whatever python3 comes first on PATH. Without it a test skips with a message; where
// judges are required (RESCOPE_REQUIRE_JUDGES=1 or CI=true, as in .ci/run) it fails instead.
#pragma once

#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace rescope::test {

inline bool JudgesRequired() {
  const char* require = std::getenv("RESCOPE_REQUIRE_JUDGES");
  const char* ci = std::getenv("CI");
  return (require != nullptr && std::string(require) == "1") ||
         (ci != nullptr && std::string(ci) == "true");
}

// The interpreter's path, or "" when it is not there.
inline const std::string& JudgePython() {
  static const std::string python = [] {
    const std::string configured = RESCOPE_JUDGE_PYTHON;
    return ::access(configured.c_str(), X_OK) == 0 ? configured : std::string();
  }();
  return python;
}

}  // namespace rescope::test

// Declares `judge_python` (a std::string) or leaves the test: skipped with a message, or
// failed when judges are required.
#define REQUIRE_JUDGE_PYTHON(judge_python)                                                 \
  [[maybe_unused]] const std::string judge_python = rescope::test::JudgePython();          \
  if (judge_python.empty()) {                                                              \
    if (rescope::test::JudgesRequired()) {                                                 \
      FAIL("judge python " RESCOPE_JUDGE_PYTHON " not found; run scripts/make-judges-venv.sh"); \
    }                                                                                      \
    MESSAGE("skipped: judge python " RESCOPE_JUDGE_PYTHON " not found");                   \
    return;                                                                                \
  }
