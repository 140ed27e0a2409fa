#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Start-up cost of the CLI: `rescope --version` and `rescope ls` of a small TF checkpoint,
# median of hyperfine -N runs. Usage: bench/startup_bench.sh BUILD_DIR [OTHER_RESCOPE]
# (OTHER_RESCOPE: a second binary to compare, e.g. one built before a change).
set -euo pipefail
build=${1:?usage: startup_bench.sh BUILD_DIR [OTHER_RESCOPE]}
other=${2:-}
command -v hyperfine >/dev/null || apt-get install -y hyperfine
cd "$(dirname "$0")/.."
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2), $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "shared libraries: $(ldd "$build/rescope" | wc -l)"
cmds=("$build/rescope --version" "$build/rescope ls testdata/scopes/model.ckpt")
[ -n "$other" ] && cmds+=("$other --version" "$other ls testdata/scopes/model.ckpt")
hyperfine -N --warmup 20 --runs "${RUNS:-300}" --export-json /tmp/startup_bench.json "${cmds[@]}" >/dev/null
python3 - <<'PY'
import json
for r in json.load(open("/tmp/startup_bench.json"))["results"]:
    cpu = (r["user"] + r["system"]) * 1e3
    print(f'{r["command"]}: median {r["median"]*1e3:.1f} ms, min {r["min"]*1e3:.1f} ms, user+sys {cpu:.1f} ms')
PY
