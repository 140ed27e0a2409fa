// SPDX-License-Identifier: Apache-2.0
// doctest entry point for rescope_tests.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
