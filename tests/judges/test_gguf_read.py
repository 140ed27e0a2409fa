# SPDX-License-Identifier: Apache-2.0
"""Judge (issue 15): rescope reads GGUF files as llama.cpp's own gguf-py package reads them.

Files written by gguf.GGUFWriter (every metadata type, nested arrays, unicode strings,
F32/F16/BF16/I8/I32/Q8_0 tensors, a non-default alignment, a split set) and a hand-built one
with empty arrays: `ls --json`, `info --json` and `show --json` must agree with
gguf.GGUFReader. Hostile files built by hand (huge counts, lengths past EOF, misaligned or
overlapping tensors, data past EOF, big-endian, v1, ...) must fail fast with exit 2 and a
message naming what is wrong.
"""
import json
import os
import shutil
import struct
import time

import gguf
import numpy as np
from gguf import GGMLQuantizationType as Q
from gguf import GGUFValueType as V

import judgelib as j

out = j.scratch("gguf")
rng = np.random.default_rng(15)


def ls_json(path):
    stdout, _ = j.run("ls", "--json", path)
    return {v["name"]: v for v in json.loads(stdout)["variables"]}


def info_json(path):
    stdout, _ = j.run("info", "--json", path)
    return json.loads(stdout)


def show_values(path, name):
    stdout, _ = j.run("show", "--json", "--full", path, name)
    doc = json.loads(stdout)
    return doc


def json_key(label):
    """cli/json_document.cc JsonKey: lowercase, runs of other characters become '_'."""
    key = ""
    for c in label:
        if "A" <= c <= "Z":
            key += c.lower()
        elif ("a" <= c <= "z") or ("0" <= c <= "9") or c == "_":
            key += c
        elif not key or key[-1] != "_":
            key += "_"
    return key


def check_tensors(what, path, reader_tensors, shards=None):
    """ls --json against GGUFReader's tensor infos (shape = dims reversed)."""
    listed = ls_json(path)
    j.check(sorted(listed) == sorted(t.name for t in reader_tensors),
            f"{what}: names {sorted(listed)}")
    for t in reader_tensors:
        e = listed.get(t.name)
        if e is None:
            continue
        dims = [int(d) for d in t.shape]
        j.check(e["shape"] == dims[::-1], f"{what}: {t.name} shape {e['shape']}, dims {dims}")
        j.check(e["notes"]["gguf_dims"] == str(dims).replace("'", ""),
                f"{what}: {t.name} gguf_dims {e['notes']['gguf_dims']}")
        j.check(e["notes"]["ggml_type"] == t.tensor_type.name,
                f"{what}: {t.name} type {e['notes']['ggml_type']}, expected {t.tensor_type.name}")
        j.check(e["bytes"] == int(t.n_bytes), f"{what}: {t.name} bytes {e['bytes']}")
        if shards is None:
            j.check(e["offset"] == int(t.data_offset), f"{what}: {t.name} offset {e['offset']}")
    return listed


def check_values(what, path, t):
    """show --json --full of a plain-typed tensor against GGUFReader's numpy values. rescope
    prints the shortest text that reads back to the same value of the tensor's type, so the
    text is parsed and rounded to that type (bfloat16: round to nearest even on the top 16
    bits of the float32), then compared bit for bit."""
    doc = show_values(path, t.name)
    values = np.asarray(doc["values"], dtype=np.float64)
    expected = np.ascontiguousarray(t.data)
    if t.tensor_type == Q.BF16:
        bits = values.astype(np.float32).view(np.uint32).astype(np.uint64)
        got = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype(np.uint16)
        want = expected.view(np.uint16)
    else:
        got = values.astype(expected.dtype)
        want = expected
    # show --json lists the values flat, in row-major order.
    j.check(got.size == want.size and got.tobytes() == want.tobytes(),
            f"{what}: {t.name} values differ: {got.ravel()[:4]} vs {want.ravel()[:4]}")


def check_metadata(what, path, reader):
    props = info_json(path)["properties"]
    for field in reader.fields.values():
        if field.name.startswith("GGUF."):
            continue
        key = json_key("metadata." + field.name)
        got = props.get(key)
        if not j.check(got is not None, f"{what}: {field.name} not in info --json"):
            continue
        vtype = field.types[0]
        if vtype == V.ARRAY:
            # parts: key length, key, type, element type, count, elements
            elem = V(int(field.parts[3][0])).name.lower()
            count = int(field.parts[4][0])
            prefix = f"array of {count} {elem}"
            j.check(got == prefix if count == 0 else str(got).startswith(prefix + ": ["),
                    f"{what}: {field.name} shown as {got!r}, expected {prefix}")
            continue
        value = field.contents()
        if vtype == V.STRING:
            j.check(got == value, f"{what}: {field.name} {got!r}, expected {value!r}")
        elif vtype == V.BOOL:
            j.check(got == ("true" if value else "false"), f"{what}: {field.name} {got!r}")
        elif vtype in (V.FLOAT32, V.FLOAT64):
            dt = np.float32 if vtype == V.FLOAT32 else np.float64
            j.check(dt(float(got)) == dt(value), f"{what}: {field.name} {got!r} vs {value!r}")
        else:
            j.check(int(got) == int(value), f"{what}: {field.name} {got!r} vs {value!r}")


# 1. Every metadata type, plain and Q8_0 tensors.
full = os.path.join(out, "full.gguf")
w = gguf.GGUFWriter(full, "llama")
w.add_uint8("t.u8", 200)
w.add_int8("t.i8", -5)
w.add_uint16("t.u16", 65535)
w.add_int16("t.i16", -300)
w.add_uint32("t.u32", 4000000000)
w.add_int32("t.i32", -7)
w.add_float32("t.f32", 0.1)
w.add_uint64("t.u64", 2**64 - 1)
w.add_int64("t.i64", -2**63)
w.add_float64("t.f64", 0.1)
w.add_bool("t.bool", True)
w.add_string("t.str", "héllo — 世界 🦙\nline 2")
w.add_array("t.ints", [1, -2, 3])
w.add_array("t.floats", [0.5, -1.25])
w.add_array("t.strs", ["a", "β", ""])
w.add_array("t.nested", [[1, 2], [3]])
w.add_key_value("t.u64s", [1, 2**63], V.ARRAY, sub_type=V.UINT64)
w.add_array("tokenizer.ggml.tokens", ["<s>", "</s>", "x", "y"])
w.add_string("tokenizer.ggml.model", "gpt2")
w.add_tensor("token_embd.weight", rng.standard_normal((3, 4)).astype(np.float32))
w.add_tensor("blk.0.f16", rng.standard_normal((2, 8)).astype(np.float16))
w.add_tensor("blk.0.bf16", rng.integers(0, 0x7f00, (4, 8), dtype=np.uint16), raw_dtype=Q.BF16)
w.add_tensor("blk.0.i8", rng.integers(-128, 127, (5,), dtype=np.int8))
w.add_tensor("blk.0.i32", rng.integers(-2**31, 2**31 - 1, (2, 3), dtype=np.int32))
w.add_tensor("blk.0.q8", gguf.quants.quantize(rng.standard_normal((2, 64)).astype(np.float32),
                                                Q.Q8_0), raw_dtype=Q.Q8_0)
w.write_header_to_file()
w.write_kv_data_to_file()
w.write_tensors_to_file()
w.close()
reader = gguf.GGUFReader(full)
check_tensors("full", full, reader.tensors)
for t in reader.tensors:
    if t.tensor_type != Q.Q8_0:
        check_values("full", full, t)
check_metadata("full", full, reader)
info = info_json(full)
j.check(info["format"] == "gguf", f"format {info.get('format')}")
j.check(info["properties"].get("architecture") == "llama", "architecture")
j.check(info["properties"].get("tokenizer_tokens") == 4, "tokenizer tokens count")
j.check(info["properties"].get("tensor_type_q8_0") == "1 tensors, 136 bytes",
        f"type mix {info['properties'].get('tensor_type_q8_0')}")
_, err = j.run("verify", full)

# 2. A non-default alignment.
aligned = os.path.join(out, "aligned.gguf")
w = gguf.GGUFWriter(aligned, "llama")
w.add_custom_alignment(256)
for i in range(3):
    w.add_tensor(f"w{i}", rng.standard_normal((3, 5)).astype(np.float32))
w.write_header_to_file()
w.write_kv_data_to_file()
w.write_tensors_to_file()
w.close()
reader = gguf.GGUFReader(aligned)
listed = check_tensors("aligned", aligned, reader.tensors)
j.check(all(e["offset"] % 256 == 0 for e in listed.values()), "aligned: offsets not 256-aligned")
for t in reader.tensors:
    check_values("aligned", aligned, t)

# 3. A split set of three files; any part opens the whole set.
split_dir = os.path.join(out, "split")
os.mkdir(split_dir)
w = gguf.GGUFWriter(os.path.join(split_dir, "model.gguf"), "llama", split_max_tensors=2)
w.add_string("general.name", "split test")
expected_split = {}
for i in range(5):
    arr = rng.standard_normal((2, 3)).astype(np.float32)
    expected_split[f"blk.{i}.weight"] = arr
    w.add_tensor(f"blk.{i}.weight", arr)
w.write_header_to_file()
w.write_kv_data_to_file()
w.write_tensors_to_file()
w.close()
parts = sorted(os.listdir(split_dir))
j.check(parts == [f"model-0000{i}-of-00003.gguf" for i in (1, 2, 3)], f"split files {parts}")
all_tensors = []
for p in parts:
    all_tensors += gguf.GGUFReader(os.path.join(split_dir, p)).tensors
for p in parts:
    check_tensors(f"split via {p}", os.path.join(split_dir, p), all_tensors, shards=True)
second = os.path.join(split_dir, parts[1])
for t in all_tensors:
    check_values("split", second, t)
os.rename(os.path.join(split_dir, parts[2]), os.path.join(out, "moved.gguf"))
_, err = j.run("ls", second, expect=2)
j.check(parts[2] in err and "missing" in err, f"missing part: {err}")


# 4. Hand-built files: empty arrays (gguf-py's writer refuses them; its reader reads them) and
# hostile headers.
def s(text):
    b = text.encode()
    return struct.pack("<Q", len(b)) + b


def kv(key, vtype, payload):
    return s(key) + struct.pack("<I", vtype) + payload


def tinfo(name, dims, ggml_type, offset):
    return (s(name) + struct.pack("<I", len(dims)) + b"".join(struct.pack("<Q", d) for d in dims)
            + struct.pack("<IQ", ggml_type, offset))


def build(kvs=(), infos=(), data=b"", version=3, n_tensors=None, n_kv=None, align=32):
    head = b"GGUF" + struct.pack("<I", version)
    head += struct.pack("<QQ", len(infos) if n_tensors is None else n_tensors,
                        len(kvs) if n_kv is None else n_kv)
    head += b"".join(kvs) + b"".join(infos)
    head += b"\0" * ((-len(head)) % align)
    return head + data


def write(name, content):
    path = os.path.join(out, name)
    with open(path, "wb") as f:
        f.write(content)
    return path


empty = write("empty_arrays.gguf", build(
    kvs=[kv("e.ints", 9, struct.pack("<IQ", 5, 0)), kv("e.strs", 9, struct.pack("<IQ", 8, 0)),
         kv("e.nested", 9, struct.pack("<IQ", 9, 2) + struct.pack("<IQ", 0, 0) * 2)],
    infos=[tinfo("x", [4], 0, 0)], data=np.arange(4, dtype=np.float32).tobytes()))
reader = gguf.GGUFReader(empty)
check_tensors("empty arrays", empty, reader.tensors)
check_metadata("empty arrays", empty, reader)
props = info_json(empty)["properties"]
j.check(props.get("metadata_e_ints") == "array of 0 int32", f"empty: {props.get('metadata_e_ints')}")

f32x4 = np.arange(4, dtype=np.float32).tobytes()
hostile = {
    "huge tensor count": (build(n_tensors=2**63), "tensor infos"),
    "huge kv count": (build(n_kv=2**63 - 1), "metadata key-value pairs"),
    "string past EOF": (build(kvs=[struct.pack("<Q", 2**60) + b"k"]), "runs past end"),
    "array count": (build(kvs=[kv("a", 9, struct.pack("<IQ", 8, 2**62))]), "array key \"a\""),
    "nested array count": (build(kvs=[kv("a", 9, struct.pack("<IQ", 9, 1) +
                                         struct.pack("<IQ", 4, 2**61))]), "array key \"a\""),
    "deep nesting": (build(kvs=[kv("a", 9, struct.pack("<IQ", 9, 1) * 40)]), "nested deeper"),
    "bad value type": (build(kvs=[kv("a", 13, b"\0" * 8)]), "unknown value type 13"),
    "misaligned offset": (build(infos=[tinfo("x", [4], 0, 8)], data=f32x4 * 2), "alignment"),
    "overlap": (build(infos=[tinfo("x", [16], 0, 0), tinfo("y", [4], 0, 32)], data=f32x4 * 4),
                "overlaps"),
    "data past EOF": (build(infos=[tinfo("x", [64], 0, 0)], data=f32x4), "past the end"),
    "dims overflow": (build(infos=[tinfo("x", [2**40, 2**40], 0, 0)], data=f32x4), "overflow"),
    "dim over int64": (build(infos=[tinfo("x", [2**63], 0, 0)], data=f32x4), "2^63-1"),
    "five dims": (build(infos=[tinfo("x", [1] * 5, 0, 0)], data=f32x4), "at most 4"),
    "unknown type": (build(infos=[tinfo("x", [4], 99, 0)], data=f32x4), "ggml_type 99"),
    "partial block": (build(infos=[tinfo("x", [33], 8, 0)], data=b"\0" * 64), "block of 32"),
    "duplicate key": (build(kvs=[kv("a", 4, b"\0" * 4)] * 2), "duplicate key"),
    "duplicate tensor": (build(infos=[tinfo("x", [4], 0, 0), tinfo("x", [4], 0, 32)],
                               data=f32x4 * 4), "duplicate tensor"),
    "alignment not power of two": (build(kvs=[kv("general.alignment", 4, struct.pack("<I", 48))]),
                                   "power of two"),
    "alignment type": (build(kvs=[kv("general.alignment", 10, struct.pack("<Q", 64))]), "uint32"),
    "v1": (build(version=1), "v1"),
    "v4": (build(version=4), "version 4"),
    "truncated": (build()[:12], "truncated"),
}
# A big-endian file as gguf-py writes it.
big = os.path.join(out, "big.gguf")
w = gguf.GGUFWriter(big, "llama", endianess=gguf.GGUFEndian.BIG)
w.add_tensor("x", np.arange(4, dtype=np.float32))
w.write_header_to_file()
w.write_kv_data_to_file()
w.write_tensors_to_file()
w.close()
with open(big, "rb") as f:
    hostile["big-endian (gguf-py)"] = (f.read(), "big-endian")

for what, (content, needle) in hostile.items():
    path = write(what.replace(" ", "_") + ".gguf", content)
    start = time.monotonic()
    _, err = j.run("ls", path, expect=2)
    elapsed = time.monotonic() - start
    j.check(needle in err and path in err, f"{what}: message {err!r} lacks {needle!r}")
    j.check(elapsed < 1.0, f"{what}: took {elapsed:.2f} s")

j.finish()
