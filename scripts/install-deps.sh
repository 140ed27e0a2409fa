#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs every Debian package rescope needs to build, test and fuzz, then the judge
# environment (.venv-judges/, scripts/make-judges-venv.sh) unless --no-judges is given.
# zsh and fish are only for checking the completion scripts rescope prints.
# Used by the README quick start and by .ci/run; safe to run twice. Works on Debian 12 and 13,
# x86_64 and aarch64: versioned package names are looked up, not hard-coded.
set -euo pipefail
cd "$(dirname "$0")/.."
judges=1
[ "${1:-}" = "--no-judges" ] && judges=0
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends \
  build-essential cmake pkg-config git ca-certificates \
  libcli11-dev nlohmann-json3-dev libhdf5-dev libspdlog-dev doctest-dev \
  libsnappy-dev libzip-dev zlib1g-dev nettle-dev \
  clang hdf5-tools python3 python3-venv \
  zsh fish

# ISA-L's CRC32C and CRC-32 (verify, and every command that checks stored checksums) are
# about twice as fast as rescope's own; Debian 12 and 13 ship libisal-dev for x86_64 and
# aarch64. Without it the build uses rescope's own CRC code, so a missing package only warns.
if apt-cache show libisal-dev >/dev/null 2>&1; then
  $SUDO apt-get install -y --no-install-recommends libisal-dev
else
  echo "install-deps: no libisal-dev here; rescope will use its own (slower) CRC code" >&2
fi

# simdjson reads large `check --expect` manifests; optional like ISA-L (the build falls back
# to nlohmann's parser alone).
if apt-cache show libsimdjson-dev >/dev/null 2>&1; then
  $SUDO apt-get install -y --no-install-recommends libsimdjson-dev
else
  echo "install-deps: no libsimdjson-dev here; manifests will be read more slowly" >&2
fi

# libFuzzer and the sanitizer runtimes ship as libclang-rt-<major>-dev, where <major> is the
# version of the default clang (14 on Debian 12, 19 on Debian 13).
clang_major=$(clang --version | sed -n 's/.*clang version \([0-9][0-9]*\)\..*/\1/p' | head -1)
rt_pkg="libclang-rt-${clang_major}-dev"
if apt-cache show "$rt_pkg" >/dev/null 2>&1; then
  $SUDO apt-get install -y --no-install-recommends "$rt_pkg"
else
  echo "install-deps: no $rt_pkg for clang $clang_major; fuzzers will not link" >&2
  exit 2
fi

if [ "$judges" = 1 ]; then
  bash scripts/make-judges-venv.sh
fi
