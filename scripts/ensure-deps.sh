#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs the build dependencies only when one of them is missing (cheap to call twice).
# --with-judges also makes sure the judge environment (.venv-judges/) exists.
set -euo pipefail
cd "$(dirname "$0")/.."
needed=(cmake g++ pkg-config libcli11-dev nlohmann-json3-dev libhdf5-dev libspdlog-dev doctest-dev
        libsnappy-dev libzip-dev nettle-dev hdf5-tools python3-venv)
missing=0
for p in "${needed[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || { missing=1; break; }
done
if [ "$missing" = 1 ]; then
  bash scripts/install-deps.sh --no-judges
fi
if [ "${1:-}" = "--with-judges" ]; then
  bash scripts/make-judges-venv.sh
fi
