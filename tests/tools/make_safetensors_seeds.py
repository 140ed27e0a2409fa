#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the seed corpus of safetensors_header_fuzzer (standard library only).

Usage: make_safetensors_seeds.py OUTDIR   (normally tests/fuzz/corpus/safetensors_header_fuzzer)
Each seed is a small safetensors file built here, valid or broken in one specific way.
"""
import json
import os
import struct
import sys


def pack(header_text, data=b"", pad=True, length=None):
    raw = header_text.encode("utf-8") if isinstance(header_text, str) else header_text
    if pad:
        raw += b" " * ((8 - len(raw) % 8) % 8)
    n = len(raw) if length is None else length
    return struct.pack("<Q", n) + raw + data


def header(entries, metadata=None):
    obj = {}
    if metadata is not None:
        obj["__metadata__"] = metadata
    obj.update(entries)
    return json.dumps(obj, separators=(",", ":"))


def t(dtype, shape, begin, end):
    return {"dtype": dtype, "shape": shape, "data_offsets": [begin, end]}


f32x6 = struct.pack("<6f", *range(6))
SEEDS = {
    "empty": pack("{}"),
    "two_tensors": pack(header({"b": t("I64", [], 0, 8), "a": t("F32", [2, 3], 8, 32)}),
                        struct.pack("<q", 7) + f32x6),
    "metadata": pack(header({"w": t("U8", [3], 0, 3)}, {"format": "pt", "k": "\u00e9"}), b"abc"),
    "whitespace": pack("\t\n" + header({"x": t("BOOL", [1], 0, 1)}) + "\r ", b"\x01", pad=False),
    "scalar_zero_sized": pack(header({"e": t("F16", [0, 4], 0, 0), "s": t("BF16", [], 0, 2)}),
                              b"\x80\x3f"),
    "f4": pack(header({"q": t("F4", [4], 0, 2)}), b"\x12\x34"),
    "unknown_dtype": pack(header({"x": t("F31", [1], 0, 4)}), b"\0" * 4),
    "reversed": pack(header({"x": t("F32", [1], 4, 0)}), b"\0" * 4),
    "hole": pack(header({"x": t("F32", [1], 4, 8)}), b"\0" * 8),
    "overlap": pack(header({"x": t("F32", [2], 0, 8), "y": t("F32", [1], 4, 8)}), b"\0" * 8),
    "size_mismatch": pack(header({"x": t("F32", [3], 0, 8)}), b"\0" * 8),
    "trailing": pack(header({"x": t("U8", [1], 0, 1)}), b"\0\0"),
    "length_past_eof": pack(header({"x": t("U8", [1], 0, 1)}), b"\0", length=1000),
    "not_object": pack("[1,2]"),
    "not_json": pack("{\"a\":"),
    "bad_utf8": pack(b'{"\xff":1}'),
    "nested": pack('{"x":{"dtype":"U8","shape":[1],"data_offsets":[0,1],"extra":[[{"a":[]}]]}}', b"\0"),
    "duplicate": pack('{"x":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},'
                      '"x":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}', b"\0\0"),
}

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
for name, data in SEEDS.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
