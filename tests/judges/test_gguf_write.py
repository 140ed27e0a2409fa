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
5. Split sets (llama.cpp gguf-split's layout): a gguf-py split set renamed to
   `out-00001-of-00003.gguf` gives three parts, each read by GGUFReader: part i holds the
   renamed tensors of source part i with the same bytes; metadata only in the first part,
   then split.no (uint16) / split.count (uint16) / split.tensors.count (int32); the other
   parts hold only those keys; an identity rename is gguf-py's set byte for byte. A name with
   another part count, or a split name for a one-file source, is refused with nothing
   written. --max-shard-size cuts parts as gguf-py's split_max_size does (byte for byte).
   rescope's own ls and verify read the written sets.
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

# ---- 5. Split sets.
split_dir = j.scratch("gguf-split")
SPLIT_KEYS = ["split.no", "split.count", "split.tensors.count"]


def split_tensors():
    """Seven tensors whose sizes are multiples of 32 (gguf-py's and gguf-split's size rules,
    unpadded and padded bytes, then agree)."""
    r = np.random.default_rng(11)
    tensors = [("model.token_embd.weight", r.standard_normal((4, 16)).astype(np.float32)),
               ("model.blk.0.attn_norm.weight", r.standard_normal(16).astype(np.float16))]
    q = gguf.quants.quantize(r.standard_normal((16, 32)).astype(np.float32), Q.Q8_0)  # 16*34 B
    tensors.append(("model.blk.0.attn_q.weight", q))
    for i in range(4):
        tensors.append((f"model.blk.{i}.ffn_up.weight", r.standard_normal((8, 8)).astype(np.float32)))
    return tensors


def write_gguf_py(path, **split):
    w = GGUFWriter(path, arch="llama", **split)
    w.add_name("split model")
    w.add_context_length(512)
    w.add_array("x.strs", ["a", "b"])
    for name, arr in split_tensors():
        if arr.dtype == np.uint8:
            w.add_tensor(name, arr, raw_shape=arr.shape, raw_dtype=Q.Q8_0)
        else:
            w.add_tensor(name, arr)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def parts_of(prefix, n):
    return [f"{prefix}-{i:05d}-of-{n:05d}.gguf" for i in range(1, n + 1)]


def bytes_of(path):
    with open(path, "rb") as fh:
        return fh.read()


def check_split_set(what, src_paths, out_paths, rename=lambda n: n):
    """Every part as llama.cpp's gguf-split writes it, against the source parts."""
    total = sum(len(GGUFReader(p).tensors) for p in src_paths)
    first_src = user_fields(GGUFReader(src_paths[0]))
    for i, (sp, op) in enumerate(zip(src_paths, out_paths)):
        j.check(os.path.exists(op), f"{what}: part {op} not written")
        if not os.path.exists(op):
            continue
        src, got = GGUFReader(sp), GGUFReader(op)
        same_tensors(f"{what} part {i + 1}", src, got, rename)
        fields = user_fields(got)
        want_keys = ([k for k in first_src if not k.startswith("split.")] if i == 0 else []) + SPLIT_KEYS
        j.check(list(fields) == want_keys, f"{what} part {i + 1}: keys {list(fields)}")
        if i == 0:
            for k in want_keys[:-3]:
                j.check(k in fields and value_bytes(fields[k]) == value_bytes(first_src[k]),
                        f"{what}: {k} changed")
        for key, typ, val in [("split.no", gguf.GGUFValueType.UINT16, i),
                              ("split.count", gguf.GGUFValueType.UINT16, len(out_paths)),
                              ("split.tensors.count", gguf.GGUFValueType.INT32, total)]:
            f = fields.get(key)
            j.check(f is not None and f.types == [typ] and f.contents() == val,
                    f"{what} part {i + 1}: {key} = {f and f.contents()} {f and f.types}")
        for t in got.tensors:
            j.check((t.data_offset - got.data_offset) % 32 == 0, f"{what}: {t.name} not aligned")


write_gguf_py(os.path.join(split_dir, "src.gguf"), split_max_tensors=3)
src_parts = [os.path.join(split_dir, p) for p in parts_of("src", 3)]
j.check(all(os.path.exists(p) for p in src_parts), f"gguf-py split set: {sorted(os.listdir(split_dir))}")

# rename keeps the partition: part i holds the renamed tensors of source part i.
out_parts = [os.path.join(split_dir, p) for p in parts_of("out", 3)]
stdout, _ = j.run("rename", src_parts[0], "--rule", "model.=", "-o", out_parts[0])
check_split_set("rename split", src_parts, out_parts, lambda n: n.removeprefix("model."))
j.check(all(os.path.basename(p) in stdout for p in out_parts), f"rename split stdout: {stdout}")

# An identity rename is gguf-py's split set byte for byte (same layout rules).
same_parts = [os.path.join(split_dir, p) for p in parts_of("same", 3)]
j.run("rename", src_parts[1], "-o", same_parts[0])
for a, b in zip(src_parts, same_parts):
    j.check(os.path.exists(b) and bytes_of(a) == bytes_of(b), f"identity split rename: {b} differs")

# rescope reads what it wrote: ls lists every tensor, verify passes.
stdout, _ = j.run("ls", out_parts[0])
for name, _ in split_tensors():
    j.check(name.removeprefix("model.") in stdout, f"ls of written set lacks {name}")
j.run("verify", out_parts[0])

# Refusals, nothing written: a name saying 2 parts for a 3-part source, a split name for a
# one-file source without --max-shard-size, a name of part 2.
two = os.path.join(split_dir, "two-00001-of-00002.gguf")
_, err = j.run("rename", src_parts[0], "-o", two, expect=2)
j.check("2 parts" in err and "3 parts" in err, f"mismatched part count message: {err}")
j.check(not any(p.startswith("two") for p in os.listdir(split_dir)), "mismatched count wrote files")
single = os.path.join(split_dir, "single.gguf")
write_gguf_py(single)
_, err = j.run("convert", single, two, expect=2)
j.check("--max-shard-size" in err, f"split name for one file: {err}")
j.check(not any(p.startswith("two") for p in os.listdir(split_dir)), "one-file source wrote files")
_, err = j.run("rename", src_parts[0], "-o", os.path.join(split_dir, "p-00002-of-00003.gguf"), expect=2)
j.check("first part" in err, f"part 2 name: {err}")
j.check(not any(p.startswith("p-") for p in os.listdir(split_dir)), "part 2 name wrote files")

# A split source written as one file merges the parts and says so.
merged = os.path.join(split_dir, "merged.gguf")
_, err = j.run("rename", src_parts[0], "-o", merged)
j.check("merged" in err, f"merge not reported on stderr: {err!r}")
mr = GGUFReader(merged)
j.check(not [k for k in user_fields(mr) if k.startswith("split.")], "merged file keeps split keys")
j.check([t.name for t in mr.tensors] == [n for n, _ in split_tensors()], "merged tensor order")

# --max-shard-size cuts as gguf-py's split_max_size (tensor bytes, a new part before the
# tensor that would go past the limit): the parts are gguf-py's byte for byte.
for limit in (700, 1000):
    ref_dir = j.scratch(f"gguf-ref-{limit}")
    write_gguf_py(os.path.join(ref_dir, "cut.gguf"), split_max_size=limit)
    ref = sorted(os.listdir(ref_dir))
    cut = os.path.join(split_dir, f"cut{limit}.gguf")
    j.run("convert", single, cut, "--max-shard-size", str(limit))
    mine = sorted(p for p in os.listdir(split_dir) if p.startswith(f"cut{limit}-"))
    j.check(len(ref) > 1 and [p.replace(f"cut{limit}", "cut") for p in mine] == ref,
            f"--max-shard-size {limit}: parts {mine}, gguf-py {ref}")
    for a, b in zip(ref, mine):
        j.check(bytes_of(os.path.join(ref_dir, a)) == bytes_of(os.path.join(split_dir, b)),
                f"--max-shard-size {limit}: {b} differs from gguf-py's {a}")
    j.run("verify", os.path.join(split_dir, mine[0]) if mine else cut)

j.finish()
