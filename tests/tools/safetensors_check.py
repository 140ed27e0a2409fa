#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Independent safetensors reader for tests: standard library only (json, struct, hashlib).

Usage: safetensors_check.py FILE...
For each file prints, one line each:
  file <basename> header_length <N> padded <yes|no>
  metadata <json of __metadata__ or null>
  tensor <name> <dtype> <shape as a,b,c or "scalar"> <sha256 of the tensor's bytes>
Tensors are listed in data order. Exits 1 with a message when a file breaks the layout
rules (offsets must tile the data area, the file must end at the last tensor).
"""
import hashlib
import json
import os
import struct
import sys

BITS = {"BOOL": 8, "U8": 8, "I8": 8, "F8_E5M2": 8, "F8_E4M3": 8, "F8_E8M0": 8,
        "F8_E4M3FNUZ": 8, "F8_E5M2FNUZ": 8, "F4": 4, "F6_E2M3": 6, "F6_E3M2": 6,
        "I16": 16, "U16": 16, "F16": 16, "BF16": 16, "I32": 32, "U32": 32, "F32": 32,
        "C64": 64, "F64": 64, "I64": 64, "U64": 64}


def check(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n].decode("utf-8"))
    base = 8 + n
    print("file", os.path.basename(path), "header_length", n, "padded",
          "yes" if n % 8 == 0 else "no")
    print("metadata", json.dumps(header.pop("__metadata__", None), sort_keys=True))
    entries = sorted(header.items(), key=lambda kv: tuple(kv[1]["data_offsets"]))
    pos = 0
    for name, info in entries:
        begin, end = info["data_offsets"]
        count = 1
        for d in info["shape"]:
            count *= d
        if begin != pos or end - begin != count * BITS[info["dtype"]] // 8:
            sys.exit("%s: bad offsets for %s" % (path, name))
        pos = end
        shape = ",".join(str(d) for d in info["shape"]) or "scalar"
        digest = hashlib.sha256(data[base + begin:base + end]).hexdigest()
        print("tensor", name, info["dtype"], shape, digest)
    if base + pos != len(data):
        sys.exit("%s: %d bytes after the last tensor" % (path, len(data) - base - pos))


for p in sys.argv[1:]:
    check(p)
