#!/usr/bin/env bash
# Installs the build dependencies only when one of them is missing (cheap to call twice).
set -euo pipefail
needed=(cmake g++ pkg-config libcli11-dev nlohmann-json3-dev libhdf5-dev libspdlog-dev doctest-dev
        libsnappy-dev libzip-dev)
missing=0
for p in "${needed[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || { missing=1; break; }
done
if [ "$missing" = 1 ]; then
  bash "$(dirname "$0")/install-deps.sh"
fi
