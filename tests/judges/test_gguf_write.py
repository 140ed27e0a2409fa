# SPDX-License-Identifier: Apache-2.0
"""Judge (issue 15): GGUF files rescope writes, read back by llama.cpp's own gguf-py.

1. safetensors (torch writes F32/F16/BF16, a scalar) -> convert -> GGUF: gguf.GGUFReader sees
   the same names, dims = row-major shape reversed, the same bytes, offsets at the alignment,
   and no metadata rescope invented; --set adds typed keys; a dtype GGUF has no tensor type
   for (bool) and an untyped new key are refused with no output left behind.
2. gguf-py writes a model whose names carry a stray `model.` prefix, with metadata of every
   value type and F32/F16/Q8_0/Q4_0 tensors -> rescope rename --rule -> GGUFReader: only the
   names changed; every metadata value and tensor byte is identical (and with no map the
   output is gguf-py's file byte for byte). diff GGUF vs safetensors --values: identical.
3. --set/--delete-key: only the intended change, the key's type kept; refusals (unknown key,
   bad value for the type, new key without type) exit 2 and write nothing.
4. safetensors -> GGUF -> safetensors is bit-identical (safetensors reads the result); a Q8_0
   tensor is refused by name for safetensors output unless dropped.
"""
import os

import numpy as np
import torch
import gguf
from gguf import GGMLQuantizationType as Q
from gguf import GGUFReader, GGUFWriter
from safetensors.torch import load_file, save_file

import judgelib as j

out = j.scratch("gguf-write")
SYNTHETIC = ("GGUF.version", "GGUF.tensor_count", "GGUF.kv_count")


def value_bytes(field):
    """A metadata value's stored bytes (type tag onwards), as the file holds them."""
    return b"".join(p.tobytes() for p in field.parts[2:])


def user_fields(reader):
    return {k: f for k, f in reader.fields.items() if k not in SYNTHETIC}


def tensors_of(reader):
    return {t.name: t for t in reader.tensors}


def absent(path, what):
    j.check(not os.path.exists(path), f"{what}: {path} exists after a refusal")


# ---- 1. safetensors -> GGUF
torch.manual_seed(3)
src = {
    "blk.0.attn_q.weight": torch.randn(3, 4),
    "blk.0.ffn_up.weight": torch.randn(2, 3, 4).to(torch.bfloat16),
    "output_norm.weight": torch.randn(5).to(torch.float16),
    "scale": torch.tensor(1.5),
}
st_path = os.path.join(out, "src.safetensors")
save_file(src, st_path)
g_path = os.path.join(out, "from_st.gguf")
j.run("convert", st_path, g_path)
reader = GGUFReader(g_path)
j.check(not user_fields(reader), f"convert invented metadata: {list(user_fields(reader))}")
expected_types = {torch.float32: Q.F32, torch.float16: Q.F16, torch.bfloat16: Q.BF16}
got = tensors_of(reader)
j.check(sorted(got) == sorted(src), f"tensor names {sorted(got)}")
for name, t in src.items():
    if name not in got:
        continue
    r = got[name]
    j.check(r.tensor_type == expected_types[t.dtype], f"{name}: type {r.tensor_type.name}")
    j.check([int(d) for d in r.shape] == list(reversed(t.shape)) or (t.dim() == 0 and r.shape.size == 0),
            f"{name}: GGUF dims {list(r.shape)}, shape {list(t.shape)}")
    j.check(r.data.tobytes() == t.contiguous().view(torch.uint8).numpy().tobytes()
            if t.dim() else r.data.tobytes() == t.numpy().tobytes(), f"{name}: bytes differ")
    j.check((r.data_offset - reader.data_offset) % 32 == 0, f"{name}: offset not aligned")

# --set on convert: typed new keys.
g2 = os.path.join(out, "named.gguf")
j.run("convert", st_path, g2, "--set", "general.architecture:string=llama",
      "--set", "general.name:string=tiny", "--set", "llama.block_count:uint32=1",
      "--set", "tok.ids:int32[]=[1,-2,3]")
f = GGUFReader(g2).fields
j.check(f["general.architecture"].contents() == "llama", "architecture not set")
j.check(f["general.name"].contents() == "tiny", "name not set")
j.check(f["llama.block_count"].types == [gguf.GGUFValueType.UINT32]
        and f["llama.block_count"].contents() == 1, "block_count not uint32 1")
j.check(f["tok.ids"].types == [gguf.GGUFValueType.ARRAY, gguf.GGUFValueType.INT32]
        and f["tok.ids"].contents() == [1, -2, 3], "int32 array not written")

# Refusals: a bool tensor, a new key without a type.
bool_path = os.path.join(out, "bool.safetensors")
save_file({"mask": torch.tensor([True, False])}, bool_path)
refused = os.path.join(out, "refused.gguf")
_, err = j.run("convert", bool_path, refused, expect=2)
j.check("mask" in err and "bool" in err, f"bool refusal does not name tensor and dtype: {err}")
absent(refused, "bool tensor")
_, err = j.run("convert", st_path, refused, "--set", "general.name=x", expect=2)
j.check("general.name:TYPE=VALUE" in err, f"untyped new key: {err}")
absent(refused, "untyped new key")

# diff across formats compares row-major shapes and exact values.
stdout, _ = j.run("diff", g_path, st_path, "--values")
j.check("identical (4)" in stdout, f"diff GGUF vs safetensors: {stdout}")

# ---- 4 (first half). safetensors -> GGUF -> safetensors, bit-identical.
back = os.path.join(out, "back.safetensors")
j.run("convert", g_path, back)
loaded = load_file(back)
j.check(sorted(loaded) == sorted(src), f"round trip names {sorted(loaded)}")
for name, t in src.items():
    if name in loaded:
        a, b = t.contiguous(), loaded[name].contiguous()
        j.check(a.dtype == b.dtype and a.shape == b.shape, f"{name}: {b.dtype} {list(b.shape)}")
        j.check(a.view(torch.uint8).numpy().tobytes() == b.view(torch.uint8).numpy().tobytes()
                if a.dim() else a.numpy().tobytes() == b.numpy().tobytes(), f"{name}: round trip bytes")

# ---- 2. gguf-py writes; rescope renames.
rng = np.random.default_rng(7)
m_path = os.path.join(out, "m.gguf")
w = GGUFWriter(m_path, arch="llama")
w.add_name("orig")
w.add_context_length(2048)
w.add_uint8("x.u8", 200)
w.add_int8("x.i8", -5)
w.add_uint16("x.u16", 60000)
w.add_int16("x.i16", -300)
w.add_int32("x.i32", -70000)
w.add_uint64("x.u64", 2**63 + 5)
w.add_int64("x.i64", -(2**40))
w.add_float32("x.f32", 0.1)
w.add_float64("x.f64", 1e-300)
w.add_bool("x.flag", True)
w.add_array("x.strs", ["a", "bé", ""])
w.add_array("x.floats", [0.5, -1.25, 3.0])
w.add_token_types([1, 2, 3, 6])
f32 = rng.standard_normal((4, 64)).astype(np.float32)
w.add_tensor("model.token_embd.weight", f32)
w.add_tensor("model.output_norm.weight", rng.standard_normal(64).astype(np.float16))
q8 = gguf.quants.quantize(rng.standard_normal((2, 64)).astype(np.float32), Q.Q8_0)
w.add_tensor("model.blk.0.attn_q.weight", q8, raw_shape=q8.shape, raw_dtype=Q.Q8_0)
q4 = gguf.quants.quantize(rng.standard_normal((3, 32)).astype(np.float32), Q.Q4_0)
w.add_tensor("model.blk.0.ffn_down.weight", q4, raw_shape=q4.shape, raw_dtype=Q.Q4_0)
w.write_header_to_file()
w.write_kv_data_to_file()
w.write_tensors_to_file()
w.close()
orig = GGUFReader(m_path)

renamed = os.path.join(out, "renamed.gguf")
j.run("rename", m_path, "--rule", "model.=", "-o", renamed)
new = GGUFReader(renamed)


def same_metadata(what, before, after, changed=(), deleted=()):
    a, b = user_fields(before), user_fields(after)
    j.check(list(b) == [k for k in a if k not in deleted] + [k for k in b if k not in a],
            f"{what}: key order {list(b)}")
    for k in a:
        if k in deleted:
            j.check(k not in b, f"{what}: {k} not deleted")
        elif k not in changed:
            j.check(k in b and value_bytes(a[k]) == value_bytes(b[k]), f"{what}: {k} changed")


def same_tensors(what, before, after, rename=lambda n: n):
    a, b = before.tensors, after.tensors
    j.check([rename(t.name) for t in a] == [t.name for t in b], f"{what}: names {[t.name for t in b]}")
    for ta, tb in zip(a, b):
        j.check(ta.tensor_type == tb.tensor_type and list(ta.shape) == list(tb.shape),
                f"{what}: {tb.name} type/dims")
        j.check(ta.data.tobytes() == tb.data.tobytes(), f"{what}: {tb.name} bytes")


# With no map and no edit, the output is gguf-py's file byte for byte (same layout rules).
same = os.path.join(out, "same.gguf")
j.run("rename", m_path, "-o", same)
with open(m_path, "rb") as a, open(same, "rb") as b:
    j.check(a.read() == b.read(), "identity rename is not byte-identical to gguf-py's file")

same_metadata("rename", orig, new)
same_tensors("rename", orig, new, lambda n: n.removeprefix("model."))

# ---- 3. --set / --delete-key
edited = os.path.join(out, "edited.gguf")
j.run("rename", m_path, "-o", edited, "--set", "general.name=changed",
      "--set", "llama.context_length=4096", "--set", "x.floats=[1,2]", "--delete-key", "x.i8")
e = GGUFReader(edited)
same_metadata("edit", orig, e, changed=("general.name", "llama.context_length", "x.floats"),
              deleted=("x.i8",))
same_tensors("edit", orig, e)
ef = e.fields
j.check(ef["general.name"].contents() == "changed", "general.name not changed")
j.check(ef["llama.context_length"].types == orig.fields["llama.context_length"].types
        and ef["llama.context_length"].contents() == 4096, "context_length type or value")
j.check(ef["x.floats"].types == [gguf.GGUFValueType.ARRAY, gguf.GGUFValueType.FLOAT32]
        and ef["x.floats"].contents() == [1.0, 2.0], "float array type or value")

bad = os.path.join(out, "bad.gguf")
for args, needle in [
    (["--delete-key", "no.such.key"], "no such key"),
    (["--set", "llama.context_length=abc"], "not a uint32"),
    (["--set", "llama.context_length=-1"], "not a uint32"),
    (["--set", "x.u8=256"], "not a uint8"),
    (["--set", "x.flag=yes"], "true or false"),
    (["--set", "brand.new=1"], "needs its type"),
    (["--set", "general.alignment:uint32=48"], "power of two"),
]:
    _, err = j.run("rename", m_path, "-o", bad, *args, expect=2)
    j.check(needle in err, f"{args}: message {err!r}")
    absent(bad, " ".join(args))

# general.alignment set: the tensors are laid out at it, and gguf-py reads them.
aligned = os.path.join(out, "aligned.gguf")
j.run("rename", m_path, "-o", aligned, "--set", "general.alignment:uint32=64")
al = GGUFReader(aligned)
same_tensors("alignment 64", orig, al)
for t in al.tensors:
    j.check((t.data_offset - al.data_offset) % 64 == 0 and al.data_offset % 64 == 0,
            f"alignment 64: {t.name} at {t.data_offset}")

# ---- 4 (second half). quantized tensors are not carried into safetensors silently.
qst = os.path.join(out, "q.safetensors")
_, err = j.run("convert", m_path, qst, expect=2)
j.check("model.blk.0.attn_q.weight" in err and "q8_0" in err.lower(), f"Q8_0 refusal: {err}")
absent(qst, "quantized to safetensors")
j.run("convert", m_path, qst, "--drop", "model.blk.*")
plain = load_file(qst)
j.check(sorted(plain) == ["model.output_norm.weight", "model.token_embd.weight"],
        f"dropped quantized: {sorted(plain)}")
if "model.token_embd.weight" in plain:
    j.same_array("token_embd", f32, plain["model.token_embd.weight"].numpy())

# --dequantize: Q8_0 and Q4_0 written as float32, equal bit for bit to gguf-py's own
# dequantizer (the reference port of ggml's dequantize_row_*), the rest unchanged.
deq = os.path.join(out, "deq.safetensors")
j.run("convert", m_path, deq, "--dequantize")
got = load_file(deq)
j.check(sorted(got) == sorted(t.name for t in orig.tensors), f"dequantized names: {sorted(got)}")
for t in orig.tensors:
    want = gguf.quants.dequantize(t.data, t.tensor_type).reshape(
        [int(d) for d in reversed(t.shape.tolist())])
    have = got[t.name].numpy()
    if t.tensor_type in (Q.Q8_0, Q.Q4_0):
        j.check(have.dtype == np.float32, f"{t.name}: dequantized dtype {have.dtype}")
        j.same_array(f"dequantized {t.name}", want.astype(np.float32), have)
    else:  # carried as stored (gguf-py's dequantize would widen F16 to float32)
        j.same_array(f"carried {t.name}", np.asarray(t.data).reshape(want.shape), have)

j.finish()
