#!/usr/bin/env bash
# Installs every Debian 12 package rescope needs to build, test and fuzz.
# Used by the README quick start and by .ci/run; safe to run twice.
set -euo pipefail
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends \
  build-essential cmake pkg-config git ca-certificates \
  libcli11-dev nlohmann-json3-dev libhdf5-dev libspdlog-dev doctest-dev \
  libsnappy-dev libzip-dev zlib1g-dev \
  clang libclang-rt-14-dev \
  hdf5-tools python3 python3-h5py python3-numpy python3-torch
