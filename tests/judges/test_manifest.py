# SPDX-License-Identifier: Apache-2.0
"""Judge (issue 12, "What verify proves"): `rescope hash` digests are the SHA-256 that
Python's hashlib computes over the tensors the frameworks hand back and over the files.

A safetensors file written by safetensors.numpy and a TF bundle written by tf.train.Checkpoint:
each tensor's digest must be hashlib.sha256 of the numpy array's bytes (row-major,
little-endian), each file's that of the file. Then: `verify --manifest` passes on the
unchanged checkpoint and fails (exit 1, naming the tensor) after one byte of tensor data is
flipped, which plain `verify` of a safetensors file cannot see; `convert --write-manifest`
writes the digests of its output, equal to those of the input's tensors; a .keras rewritten
with DEFLATE by Python's zipfile is refused after a flip inside its weights member (libzip's
CRC-32 check while inflating).
"""
import hashlib
import json
import os
import zipfile

import numpy as np
from safetensors.numpy import save_file

import judgelib as j

out = j.scratch("manifest")


def sha(data):
    return hashlib.sha256(data).hexdigest()


def array_sha(a):
    a = np.ascontiguousarray(a)
    return sha(a.astype(a.dtype.newbyteorder("<"), copy=False).tobytes())


def file_sha(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def hash_manifest(path, *extra):
    m = os.path.join(out, os.path.basename(path) + ".manifest.json")
    j.run("hash", path, "-o", m, *extra)
    with open(m) as f:
        return m, json.load(f)


def check_tensors(what, manifest, arrays):
    tensors = manifest["tensors"]
    j.check(sorted(tensors) == sorted(arrays),
            f"{what}: manifest tensors {sorted(tensors)[:5]}, expected {sorted(arrays)[:5]}")
    for name, a in arrays.items():
        if name not in tensors:
            continue
        t = tensors[name]
        j.check(t["sha256"] == array_sha(a), f"{what}: {name}: sha256 differs from hashlib's")
        j.check(t["shape"] == list(a.shape), f"{what}: {name}: shape {t['shape']}, {a.shape}")


def check_files(what, manifest, paths):
    files = manifest["files"]
    j.check(sorted(files) == sorted(os.path.basename(p) for p in paths),
            f"{what}: manifest files {sorted(files)}")
    for p in paths:
        entry = files.get(os.path.basename(p), {})
        j.check(entry.get("sha256") == file_sha(p), f"{what}: {p}: file sha256 differs")
        j.check(entry.get("size") == os.path.getsize(p), f"{what}: {p}: size differs")


def flip(path, offset):
    with open(path, "r+b") as f:
        f.seek(offset)
        b = f.read(1)
        f.seek(offset)
        f.write(bytes([b[0] ^ 0xFF]))


# --- safetensors written by safetensors itself ---------------------------------------------
rng = np.random.default_rng(12)
st_arrays = {
    "dense.kernel": rng.standard_normal((64, 33)).astype(np.float32),
    "dense.bias": rng.standard_normal(33).astype(np.float16),
    "embed.ids": rng.integers(-2**40, 2**40, size=(7, 5), dtype=np.int64),
    "mask": rng.integers(0, 2, size=(3, 4)).astype(bool),
    "scale": np.array(2.5, dtype=np.float64),
    "empty": np.zeros((0, 3), dtype=np.int32),
}
st = os.path.join(out, "model.safetensors")
save_file(st_arrays, st)
for jobs in ("1", "3"):
    m_path, m = hash_manifest(st, "-j", jobs)
    j.check(m["schema_version"] == 1 and m["algorithm"] == "sha256", "safetensors: header")
    check_tensors(f"safetensors -j {jobs}", m, st_arrays)
    check_files(f"safetensors -j {jobs}", m, [st])
stdout, _ = j.run("verify", st, "--manifest", m_path)
j.check("6 tensors match, 0 differ, 0 missing, 0 extra; 1 files match" in stdout,
        f"safetensors: verify --manifest: {stdout}")

# One byte inside dense.kernel's data: plain verify cannot see it, the manifest can.
flipped = os.path.join(out, "flipped.safetensors")
with open(st, "rb") as f:
    raw = bytearray(f.read())
header_len = int.from_bytes(raw[:8], "little")
header = json.loads(raw[8:8 + header_len])
begin = 8 + header_len + header["dense.kernel"]["data_offsets"][0]
with open(flipped, "wb") as f:
    f.write(raw)
flip(flipped, begin + 100)
stdout, _ = j.run("verify", flipped)
j.check("structure valid; 6 tensors carry no checksum (use rescope hash / verify --manifest)"
        in stdout, f"safetensors: plain verify: {stdout}")
stdout, _ = j.run("verify", flipped, "--manifest", m_path, expect=1)
j.check("MISMATCH dense.kernel: sha256 " in stdout, f"safetensors flipped: {stdout}")
j.check("5 tensors match, 1 differ" in stdout, f"safetensors flipped: {stdout}")
j.check("MISMATCH file model.safetensors" not in stdout, "flipped copy has another file name")

# --- TF bundle written by TensorFlow --------------------------------------------------------
import tensorflow as tf  # noqa: E402  (after the cheap checks: TF import is slow)

tf_values = {
    "w": rng.standard_normal((5, 7)).astype(np.float32),
    "b": rng.standard_normal(7).astype(np.float64),
    "step": np.array(41, dtype=np.int64),
    "table": rng.integers(0, 255, size=(4, 4, 2)).astype(np.uint8),
}
ckpt = tf.train.Checkpoint(**{k: tf.Variable(v) for k, v in tf_values.items()})
prefix = ckpt.write(os.path.join(out, "tf", "ckpt"))
reader = tf.train.load_checkpoint(prefix)
expected = {}
for name, dtype in reader.get_variable_to_dtype_map().items():
    if dtype == tf.string:
        continue  # the object graph: hashed in the TF string layout, not numpy's
    expected[name] = reader.get_tensor(name)
m_path, m = hash_manifest(prefix)
graph = "_CHECKPOINTABLE_OBJECT_GRAPH"
j.check(m["tensors"].get(graph, {}).get("dtype") == "string", "tf: object graph hashed")
m_numeric = {"tensors": {k: v for k, v in m["tensors"].items() if k != graph},
             "files": m["files"]}
check_tensors("tf bundle", m_numeric, expected)
check_files("tf bundle", m, [prefix + ".index", prefix + ".data-00000-of-00001"])
j.run("verify", prefix, "--manifest", m_path)

# convert --write-manifest: digests of the output's tensors are those of the input's.
st_out = os.path.join(out, "from_tf.safetensors")
st_manifest = os.path.join(out, "from_tf.json")
j.run("convert", prefix, st_out, "--write-manifest", st_manifest)
with open(st_manifest) as f:
    written = json.load(f)
check_tensors("convert --write-manifest", written, expected)
check_files("convert --write-manifest", written, [st_out])
j.run("verify", st_out, "--manifest", st_manifest)
# The TF manifest checks the converted tensors too (files differ in name: not compared).
stdout, _ = j.run("verify", st_out, "--manifest", m_path, expect=1)
j.check(f"MISSING {graph}" in stdout and "4 tensors match, 0 differ, 1 missing" in stdout,
        f"verify converted output against the TF manifest: {stdout}")

# --- .keras re-zipped with DEFLATE: a flip inside the weights member is refused ----------
keras_src = j.data("keras3-custom-model-with-adam-keras-zip", "fixed_model.keras")
deflated = os.path.join(out, "deflated.keras")
with zipfile.ZipFile(keras_src) as zin, zipfile.ZipFile(deflated, "w",
                                                        zipfile.ZIP_DEFLATED) as zout:
    for info in zin.infolist():
        zout.writestr(info.filename, zin.read(info.filename))
j.run("verify", deflated)
with zipfile.ZipFile(deflated) as z:
    info = z.getinfo("model.weights.h5")
with open(deflated, "rb") as f:
    f.seek(info.header_offset + 26)
    name_len, extra_len = np.frombuffer(f.read(4), dtype="<u2")
data_start = info.header_offset + 30 + int(name_len) + int(extra_len)
flip(deflated, data_start + info.compress_size // 2)
stdout, stderr = j.run("verify", deflated, expect=None)
proc_ok = "model.weights.h5" in stderr + stdout
j.check(proc_ok, f"deflated .keras flip: not reported naming the member: {stdout} {stderr}")
j.run("verify", deflated, expect=1)

j.finish()
