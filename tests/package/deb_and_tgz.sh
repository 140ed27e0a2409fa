#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the .deb and the .tgz from a finished build tree, unpacks the .deb into a temporary
# root (dpkg -x, no installation) and runs rescope from there: --version, and maps list,
# which must find the maps installed beside the unpacked binary (a map added only there is
# listed). Args: CPACK BUILD_DIR
set -uo pipefail
cpack=$1 build=$2
required=0
if [ "${RESCOPE_REQUIRE_JUDGES:-0}" = 1 ] || [ "${CI:-}" = true ]; then required=1; fi
for tool in dpkg-deb dpkg-shlibdeps; do
  if ! command -v $tool >/dev/null; then
    echo "skipped: $tool not found (Debian package dpkg-dev)"
    [ "$required" = 1 ] && { echo "FAIL: skipping is not allowed here (CI)"; exit 1; }
    exit 77
  fi
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
fail() { echo "FAIL: $*"; status=1; }

if ! "$cpack" -G "DEB;TGZ" -B "$tmp/out" --config "$build/CPackConfig.cmake" >"$tmp/cpack.log" 2>&1; then
  cat "$tmp/cpack.log"
  echo "FAIL: cpack"
  exit 1
fi
deb=$(ls "$tmp"/out/*.deb)
tgz=$(ls "$tmp"/out/*.tar.gz)

# Dependencies: the runtime libraries dpkg-shlibdeps found, never the -dev packages.
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
for lib in libhdf5 libzip libsnappy libstdc++6 libc6; do
  case $depends in *"$lib"*) ;; *) fail "Depends lacks $lib" ;; esac
done
case $depends in *-dev*) fail "Depends names a -dev package" ;; esac

dpkg -x "$deb" "$tmp/root"
usr=$tmp/root/usr
for f in bin/rescope share/man/man1/rescope.1 share/bash-completion/completions/rescope \
         share/zsh/vendor-completions/_rescope share/fish/vendor_completions.d/rescope.fish \
         share/rescope/maps/dataparallel/strip-module.json share/doc/rescope/LICENSE; do
  [ -f "$usr/$f" ] || fail "the package lacks /usr/$f"
done
"$usr/bin/rescope" --version || fail "rescope --version from the package"
echo '{"description": "only in the unpacked package", "rules": []}' \
  >"$usr/share/rescope/maps/package-marker.json"
list=$(cd "$tmp" && "$usr/bin/rescope" maps list) || fail "rescope maps list from the package"
echo "$list"
grep -q '^package-marker  *only in the unpacked package$' <<<"$list" ||
  fail "maps list did not read the package's share/rescope/maps"
grep -q '^dataparallel/strip-module ' <<<"$list" || fail "maps list lacks dataparallel/strip-module"
# The installed bash completion is the one the binary prints.
"$usr/bin/rescope" completions bash | cmp -s - "$usr/share/bash-completion/completions/rescope" ||
  fail "installed bash completion differs from \`rescope completions bash\`"

# The .tgz holds the same tree under one top directory.
tar tzf "$tgz" >"$tmp/tgz.list"
for f in bin/rescope share/rescope/maps/bert/tf1-to-hf-bertmodel.json share/man/man1/rescope.1; do
  grep -q "^[^/]*/$f\$" "$tmp/tgz.list" || fail "the .tgz lacks $f"
done
exit $status
