# SPDX-License-Identifier: Apache-2.0
"""Judge (issue 15, part 3): every dtype of safetensors 0.8.0 is listed, renamed and converted
byte-exactly, float8 statistics equal numpy's on ml_dtypes-decoded values, and targets that
cannot hold a dtype refuse naming the tensor, the dtype and the target.

safetensors.torch writes 20 of the 22 dtypes (torch has them all, float4_e2m1fn_x2 as F4 with
the last dimension doubled); F6_E2M3 / F6_E3M2 have no torch or numpy type, so their file is
built from the format's layout (8-byte header length, JSON header, data) and accepted by
safetensors.deserialize before rescope sees it. Outputs are read back with
safetensors.deserialize (raw dtype, shape and bytes) and torch.load.
"""
import json
import os
import struct

import ml_dtypes
import numpy as np
import torch
from safetensors import deserialize
from safetensors.torch import save_file

import judgelib as j

out = j.scratch("stdtypes")
gen = torch.Generator().manual_seed(15)


def random_bits(shape):
    return torch.randint(0, 256, shape, dtype=torch.uint8, generator=gen)


def float_bits(shape, keep):
    """Random bytes with the NaN patterns `keep` rejects replaced by 0x3c (a finite value)."""
    bits = random_bits(shape)
    return torch.where(keep(bits), bits, torch.full_like(bits, 0x3C))


# Random bytes for the 8-bit floats, NaN-free so the statistics compare finite values; one
# tensor per format keeps its NaNs for the byte round trips.
not_e4m3fn_nan = lambda b: (b & 0x7F) != 0x7F
not_fnuz_nan = lambda b: b != 0x80
not_e5m2_special = lambda b: (b & 0x7C) != 0x7C
not_e8m0_nan = lambda b: b != 0xFF
torch_tensors = {
    "w.bool": torch.tensor([True, False, True]),
    "w.u8": random_bits((5,)),
    "w.i8": random_bits((2, 3)).view(torch.int8),
    "w.i16": random_bits((8,)).view(torch.int16),
    "w.u16": random_bits((8,)).view(torch.uint16),
    "w.f16": random_bits((8,)).view(torch.float16),
    "w.bf16": random_bits((2, 4)).view(torch.bfloat16),
    "w.i32": random_bits((8,)).view(torch.int32),
    "w.u32": random_bits((8,)).view(torch.uint32),
    "w.f32": torch.randn(3, 2, generator=gen),
    "w.c64": torch.randn(3, generator=gen, dtype=torch.complex64),
    "w.f64": torch.randn(2, generator=gen, dtype=torch.float64),
    "w.i64": random_bits((16,)).view(torch.int64),
    "w.u64": random_bits((16,)).view(torch.uint64),
    "w.f8_e4m3": float_bits((6, 7), not_e4m3fn_nan).view(torch.float8_e4m3fn),
    "w.f8_e5m2": float_bits((50,), not_e5m2_special).view(torch.float8_e5m2),
    "w.f8_e4m3fnuz": float_bits((3, 3), not_fnuz_nan).view(torch.float8_e4m3fnuz),
    "w.f8_e5m2fnuz": float_bits((9,), not_fnuz_nan).view(torch.float8_e5m2fnuz),
    "w.f8_e8m0": float_bits((4, 8), not_e8m0_nan).view(torch.float8_e8m0fnu),
    "w.f8_e8m0_nan": random_bits((300,)).view(torch.float8_e8m0fnu),
    "w.f8_e4m3_nan": random_bits((300,)).view(torch.float8_e4m3fn),
    "w.f4": random_bits((3, 5)).view(torch.float4_e2m1fn_x2),  # F4 [3, 10]
}
torch_path = os.path.join(out, "all.safetensors")
save_file(torch_tensors, torch_path)


def write_by_layout(path, tensors):
    """A safetensors file from (name, dtype string, shape, bytes), as FORMATS.md lays it out."""
    header, offset, data = {}, 0, b""
    for name, dtype, shape, raw in tensors:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        data += raw
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + data)


f6_path = os.path.join(out, "f6.safetensors")
# 8 six-bit values are 6 bytes, 12 are 9 bytes.
write_by_layout(f6_path, [("p.e2m3", "F6_E2M3", [2, 4], bytes(random_bits((6,)).tolist())),
                          ("p.e3m2", "F6_E3M2", [12], bytes(random_bits((9,)).tolist()))])


def raw(path):
    """name -> (dtype string, shape, bytes) as the safetensors library reads the file."""
    with open(path, "rb") as f:
        return {k: (v["dtype"], list(v["shape"]), bytes(v["data"])) for k, v in deserialize(f.read())}


originals = {**raw(torch_path), **raw(f6_path)}
dtypes = sorted({v[0] for v in originals.values()})
j.check(len(dtypes) == 22, f"the inputs hold {len(dtypes)} dtypes, expected all 22: {dtypes}")
j.check(originals["w.f4"][0] == "F4" and originals["w.f4"][1] == [3, 10],
        f"float4_e2m1fn_x2 [3, 5] written as {originals['w.f4'][:2]}, expected F4 [3, 10]")


def same_raw(what, expected, actual, rename=lambda n: n):
    j.check(sorted(rename(n) for n in expected) == sorted(actual),
            f"{what}: names {sorted(actual)}")
    for name, (dtype, shape, data) in expected.items():
        got = actual.get(rename(name))
        if got is None:
            continue
        j.check(got[0] == dtype and got[1] == shape,
                f"{what}: {name}: {got[0]} {got[1]}, expected {dtype} {shape}")
        j.check(got[2] == data, f"{what}: {name}: bytes differ")


# 1. ls names every tensor with its dtype and its shape in values.
expected_names = {"F4": "float4_e2m1fn_x2", "F6_E2M3": "float6_e2m3fn", "F6_E3M2": "float6_e3m2fn",
                  "F8_E8M0": "float8_e8m0fnu", "F8_E4M3": "float8_e4m3fn", "F8_E5M2": "float8_e5m2",
                  "F8_E4M3FNUZ": "float8_e4m3fnuz", "F8_E5M2FNUZ": "float8_e5m2fnuz"}
for path in (torch_path, f6_path):
    listing, _ = j.run("ls", path, "--json")
    doc = json.loads(listing)
    by_name = {v["name"]: v for v in doc["variables"]}
    for name, (dtype, shape, data) in raw(path).items():
        v = by_name.get(name)
        if not j.check(v is not None, f"ls {path}: {name} missing"):
            continue
        if dtype in expected_names:
            j.check(v["dtype"] == expected_names[dtype],
                    f"ls: {name}: dtype {v['dtype']}, expected {expected_names[dtype]}")
        j.check(v["shape"] == shape, f"ls: {name}: shape {v['shape']}, expected {shape}")

# 2. rename and convert to safetensors keep every dtype, shape and byte.
for path in (torch_path, f6_path):
    stem = os.path.basename(path)
    renamed = os.path.join(out, "renamed-" + stem)
    j.run("rename", path, "-o", renamed, "--rule", "w.=x.", "--rule", "p.=q.", "--allow-unmatched")
    swap = lambda n: "x." + n[2:] if n.startswith("w.") else "q." + n[2:]
    same_raw(f"rename {stem}", raw(path), raw(renamed), swap)
    converted = os.path.join(out, "converted-" + stem)
    j.run("convert", path, converted)
    same_raw(f"convert {stem} -> safetensors", raw(path), raw(converted))

# 3. To PyTorch: torch.load gives the torch dtypes and bytes safetensors.torch wrote
# (float4_e2m1fn_x2 with its last dimension halved again); back to safetensors is identical.
pt_path = os.path.join(out, "all.pt")
j.run("convert", torch_path, pt_path)
loaded = torch.load(pt_path, weights_only=True)
j.check(sorted(loaded) == sorted(torch_tensors), f"torch.load: names {sorted(loaded)}")
for name, t in torch_tensors.items():
    got = loaded.get(name)
    if got is None:
        continue
    j.check(got.dtype == t.dtype and got.shape == t.shape,
            f"torch.load: {name}: {got.dtype} {tuple(got.shape)}, expected {t.dtype} {tuple(t.shape)}")
    j.check(got.contiguous().view(torch.uint8).numpy().tobytes()
            == t.contiguous().view(torch.uint8).numpy().tobytes(), f"torch.load: {name}: bytes differ")
back = os.path.join(out, "back.safetensors")
j.run("convert", pt_path, back)
same_raw("safetensors -> PyTorch -> safetensors", raw(torch_path), raw(back))

# float6 has no torch dtype: not carried, and the note names tensor, dtype and target.
stdout, _ = j.run("convert", f6_path, os.path.join(out, "f6.pt"))
for name, dtype in (("p.e2m3", "float6_e2m3fn"), ("p.e3m2", "float6_e3m2fn")):
    j.check(f'not carried: "{name}" (dtype {dtype} has no PyTorch equivalent)' in stdout,
            f"convert F6 -> PyTorch: no note for {name}: {stdout}")

# 4. A tensor bundle names dtypes by TF DataType: float8_e8m0fnu and the packed floats refuse.
_, err = j.run("convert", torch_path, os.path.join(out, "tf", "model.ckpt"), "--to", "tf_bundle",
               expect=2)
j.check(any(f'tensor "{name}": dtype {dtype} cannot be written to a tensor bundle (TensorFlow '
            "has no such DataType)" in err
            for name, dtype in (("w.f4", "float4_e2m1fn_x2"), ("w.f8_e8m0", "float8_e8m0fnu"),
                                ("w.f8_e8m0_nan", "float8_e8m0fnu"))),
        f"convert -> tf_bundle: {err}")
j.check(not os.path.exists(os.path.join(out, "tf", "model.ckpt.index")),
        "convert -> tf_bundle: an index was written after the refusal")
_, err = j.run("convert", f6_path, os.path.join(out, "tf6", "model.ckpt"), "--to", "tf_bundle",
               "--dry-run", expect=2)
j.check("dtype float6_e" in err and "cannot be written to a tensor bundle" in err,
        f"convert F6 -> tf_bundle --dry-run: {err}")

# 5. Statistics of the 8-bit floats equal numpy's over the values ml_dtypes decodes.
decoders = {"w.f8_e4m3": ml_dtypes.float8_e4m3fn, "w.f8_e5m2": ml_dtypes.float8_e5m2,
            "w.f8_e4m3fnuz": ml_dtypes.float8_e4m3fnuz, "w.f8_e5m2fnuz": ml_dtypes.float8_e5m2fnuz,
            "w.f8_e8m0": ml_dtypes.float8_e8m0fnu, "w.f8_e8m0_nan": ml_dtypes.float8_e8m0fnu,
            "w.f8_e4m3_nan": ml_dtypes.float8_e4m3fn}
for name, np_type in decoders.items():
    values = np.frombuffer(originals[name][2], dtype=np_type).astype(np.float64)
    finite = values[np.isfinite(values)]
    stdout, _ = j.run("show", torch_path, name, "--stats", "--json")
    stats = json.loads(stdout)["stats"]
    expected = {"count": values.size, "nan": int(np.isnan(values).sum()),
                "inf": int(np.isinf(values).sum()), "zeros": int((values == 0).sum()),
                "min": finite.min(), "max": finite.max()}
    for key, want in expected.items():
        j.check(stats.get(key) == want, f"show --stats {name}: {key} {stats.get(key)}, expected {want}")
    for key, want in (("mean", finite.mean()), ("std", finite.std())):
        j.check(np.isclose(stats.get(key, np.nan), want, rtol=1e-12, atol=0),
                f"show --stats {name}: {key} {stats.get(key)}, expected {want}")
    # show prints the shortest decimal that identifies a value in its own type: parsed back
    # into that type by ml_dtypes, it is the stored value.
    shown, _ = j.run("show", torch_path, name, "--json")
    got = np.array([float(v) for v in json.loads(shown)["values"]]).astype(np_type)
    j.check(np.array_equal(got.astype(np.float64), values, equal_nan=True),
            f"show {name}: values differ from ml_dtypes")

# diff --values between the file and its PyTorch copy finds the float8 values equal.
stdout, _ = j.run("diff", torch_path, pt_path, "--values")
j.check("w.f8_e8m0" not in stdout, f"diff --values of identical copies: {stdout}")

# 6. Packed values are listed but not decoded; show says why instead of printing a guess.
_, err = j.run("show", torch_path, "w.f4", expect=2)
j.check("packed sub-byte values are not decoded" in err, f"show w.f4: {err}")

j.finish()
