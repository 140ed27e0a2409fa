# SPDX-License-Identifier: Apache-2.0
"""Writes the seed corpus of tests/fuzz/hdf5_fuzzer: tiny HDF5 files made with h5py.

HDF5 normally reserves 2 KiB blocks for metadata and small raw data; both are set to 0
through the C library (h5py does not expose the calls) so each file is a few hundred bytes.
Usage: python3 tests/fuzz/make_hdf5_fuzzer_seeds.py tests/fuzz/corpus/hdf5_fuzzer
"""
import ctypes, io, os, sys, zipfile
import h5py, numpy as np

lib = ctypes.CDLL("libhdf5_serial.so.103")

def tiny_file(target):
    fapl = h5py.h5p.create(h5py.h5p.FILE_ACCESS)
    fapl.set_libver_bounds(h5py.h5f.LIBVER_LATEST, h5py.h5f.LIBVER_LATEST)
    lib.H5Pset_meta_block_size(ctypes.c_int64(fapl.id), ctypes.c_uint64(0))
    lib.H5Pset_small_data_block_size(ctypes.c_int64(fapl.id), ctypes.c_uint64(0))
    if isinstance(target, str):
        fid = h5py.h5f.create(target.encode(), h5py.h5f.ACC_TRUNC, fapl=fapl)
    else:
        fapl.set_fileobj_driver(h5py.h5fd.fileobj_driver, target)
        fid = h5py.h5f.create(b"in-memory", h5py.h5f.ACC_TRUNC, fapl=fapl)
    return h5py.File(fid)

def keras2(f):
    f.attrs["layer_names"] = np.array([b"d"], dtype="S1")
    g = f.create_group("d")
    g.attrs["weight_names"] = np.array([b"d/k:0"], dtype="S5")
    g["d/k:0"] = np.array([1.0, 2.0], dtype="<f4")

def keras3(f):
    f["layers/dense/vars/0"] = np.array([[0.5]], dtype="<f4")
    f["optimizer/vars/0"] = np.int64(7)

def generic(f):
    f["s"] = np.array([b"ab", b"c"], dtype="S2")
    f["b"] = np.array([True, False])
    f.create_dataset("z", data=np.arange(8, dtype=">i2"), chunks=(4,), compression="gzip")

d = sys.argv[1]
for name, fill in [("keras2.h5", keras2), ("keras3.weights.h5", keras3), ("generic.h5", generic)]:
    with tiny_file(os.path.join(d, name)) as f:
        fill(f)
bio = io.BytesIO()
with tiny_file(bio) as f:
    keras3(f)
with zipfile.ZipFile(os.path.join(d, "tiny.keras"), "w") as z:
    z.writestr("metadata.json", '{"keras_version": "3.6.0"}')
    z.writestr("model.weights.h5", bio.getvalue())
