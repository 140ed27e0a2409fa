// SPDX-License-Identifier: Apache-2.0
// The Keras HDF5 writer: renames in real Keras 2 / Keras 3 files read back by rescope and,
// independently, by h5py (the judge python, via popen); filters and chunking kept; TF bundle →
// HDF5 → TF bundle round trips keep every tensor's bytes.
#include "formats/keras_h5/keras_h5_writer.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <filesystem>

#include "formats/keras_h5/keras_h5_reader.h"
#include "formats/tf_bundle/tf_bundle_reader.h"
#include "formats/tf_bundle/tf_bundle_writer.h"
#include "keras_h5_test_util.h"

using namespace rescope;
using namespace rescope::keras_test;

namespace {

// The judge python, which has h5py ("" when it is missing).
std::string PythonWithH5py() { return rescope::test::JudgePython(); }

// Runs `script` (written to a file in `dir`) with h5py's python; returns its stdout.
std::string RunPython(const TempDir& dir, const std::string& script) {
  const std::string py = PythonWithH5py();
  REQUIRE(!py.empty());
  const std::string file = dir.File("check.py");
  WriteFile(file, std::vector<uint8_t>(script.begin(), script.end()));
  FILE* pipe = ::popen((py + " " + file + " 2>&1").c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  char buf[4096];
  while (size_t n = std::fread(buf, 1, sizeof(buf), pipe)) out.append(buf, n);
  ::pclose(pipe);
  return out;
}

// A copy of `c`'s store with `renames` applied and `drops` removed.
TensorStore Renamed(const Checkpoint& c, const std::map<std::string, std::string>& renames,
                    const std::set<std::string>& drops = {}) {
  TensorStore out;
  for (const auto& [name, e] : c.store) {
    if (drops.count(name)) continue;
    TensorEntry copy = e;
    if (auto it = renames.find(name); it != renames.end()) copy.Rename(it->second);
    REQUIRE(out.Add(std::move(copy)).ok());
  }
  return out;
}

}  // namespace

TEST_CASE("keras_h5_writer: renaming a Keras 2 full-model layer") {
  REQUIRE_REAL_DATA();
  REQUIRE_JUDGE_PYTHON(python);
  TempDir dir("keras-write");
  const std::string src = kReal + "/hls4ml-keras2_13_1-prelu-full-model-h5/prelu.h5";
  auto in = OpenKerasH5(src);
  REQUIRE(in.ok());
  const std::vector<uint8_t> alpha = Bytes(Get(*in, "p_re_lu/alpha"));
  const std::string out = dir.File("renamed.h5");
  std::vector<std::string> notes;
  auto written = WriteKerasH5(*in, Renamed(*in, {{"p_re_lu/alpha", "act/alpha"}}), out, &notes);
  REQUIRE_MESSAGE(written.ok(), written.status().message());
  CHECK(*written == std::vector<std::string>{out});
  CHECK(std::find(notes.begin(), notes.end(),
                  "layer p_re_lu renamed to act (group, layer_names, weight_names)") !=
        notes.end());

  auto back = OpenKerasH5(out);
  REQUIRE(back.ok());
  CHECK(back->format == "keras_h5");
  CHECK(back->store.size() == 1);
  CHECK(Bytes(Get(*back, "act/alpha")) == alpha);
  CHECK(Note(Get(*back, "act/alpha"), "hdf5_path") == "/model_weights/act/act/alpha:0");

  const std::string report = RunPython(dir, R"(
import h5py, json, numpy as np
a = h5py.File(')" + src + R"(', 'r'); b = h5py.File(')" +
                                                out + R"(', 'r')
mw = b['model_weights']
print('layer_names', [x.decode() if isinstance(x, bytes) else x for x in mw.attrs['layer_names']], mw.attrs['layer_names'].dtype)
print('weight_names', list(mw['act'].attrs['weight_names']))
print('top', mw['top_level_model_weights'].attrs['weight_names'].dtype, mw['top_level_model_weights'].attrs['weight_names'].shape)
print('old_gone', 'p_re_lu' not in mw)
print('equal', np.array_equal(a['model_weights/p_re_lu/p_re_lu/alpha:0'][()], mw['act/act/alpha:0'][()]))
cfg = json.loads(b.attrs['model_config'])
print('config', [l['config']['name'] for l in cfg['config']['layers']])
print('root', sorted(b.attrs.keys()), b.attrs['keras_version'], mw.attrs['backend'])
)");
  CHECK(report ==
        "layer_names ['act'] object\n"
        "weight_names ['act/alpha:0']\n"
        "top float64 (0,)\n"
        "old_gone True\n"
        "equal True\n"
        "config ['input_1', 'act']\n"
        "root ['backend', 'keras_version', 'model_config'] 2.13.1 tensorflow\n");
}

TEST_CASE("keras_h5_writer: filters, chunking, fixed-length names and drops survive a rename") {
  REQUIRE_JUDGE_PYTHON(python);
  TempDir dir("keras-write");
  const std::string src = dir.File("compressed.h5");
  // A Keras 2 weights-only file as Keras 2 writes it: fixed-length (numpy 'S') names.
  const std::string made = RunPython(dir, R"(
import h5py, numpy as np
f = h5py.File(')" + src + R"(', 'w')
f.attrs['backend'] = b'tensorflow'; f.attrs['keras_version'] = b'2.4.0'
f.attrs['layer_names'] = np.array([b'dense', b'other', b'gone'])
g = f.create_group('dense'); g.attrs['weight_names'] = np.array([b'dense/kernel:0', b'dense/bias:0'])
g.create_dataset('dense/kernel:0', data=np.arange(12, dtype='<f4').reshape(3, 4), chunks=(2, 2), compression='gzip', compression_opts=4)
g.create_dataset('dense/bias:0', data=np.array([1, 2, 3, 4], dtype='<f4'))
o = f.create_group('other'); o.attrs['weight_names'] = np.array([b'other/w:0'])
d = o.create_dataset('other/w:0', data=np.arange(10, dtype='<i8'), chunks=(5,), shuffle=True, compression='gzip', compression_opts=1)
d.attrs['note'] = 'kept'
x = f.create_group('gone'); x.attrs['weight_names'] = np.array([b'gone/v:0'])
x.create_dataset('gone/v:0', data=np.zeros(1000, dtype='<f8'))
f.close(); print('ok')
)");
  REQUIRE(made == "ok\n");
  auto in = OpenKerasH5(src);
  REQUIRE(in.ok());
  const std::string out = dir.File("out.h5");
  std::vector<std::string> notes;
  auto written = WriteKerasH5(
      *in, Renamed(*in, {{"dense/kernel", "fc/kernel"}, {"dense/bias", "fc/bias"}}, {"gone/v"}),
      out, &notes);
  REQUIRE_MESSAGE(written.ok(), written.status().message());
  auto back = OpenKerasH5(out);
  REQUIRE(back.ok());
  CHECK(back->store.size() == 3);
  CHECK(Bytes(Get(*back, "fc/kernel")) == Bytes(Get(*in, "dense/kernel")));
  CHECK(Bytes(Get(*back, "other/w")) == Bytes(Get(*in, "other/w")));
  CHECK(std::filesystem::file_size(out) < std::filesystem::file_size(src));  // 8000 dropped bytes

  const std::string report = RunPython(dir, R"(
import h5py
b = h5py.File(')" + out + R"(', 'r')
print(b.attrs['layer_names'].tolist(), b.attrs['layer_names'].dtype)
print(b['fc'].attrs['weight_names'].tolist(), b['fc'].attrs['weight_names'].dtype)
print(b['gone'].attrs['weight_names'].dtype, b['gone'].attrs['weight_names'].shape, list(b['gone'].keys()))
k = b['fc/fc/kernel:0']; w = b['other/other/w:0']
print(k.compression, k.compression_opts, k.chunks, k[()].sum())
print(w.compression, w.shuffle, w.chunks, w.attrs['note'], w[()].tolist())
print(sorted(b.keys()), list(b['fc'].keys()))
)");
  CHECK(report ==
        "[b'fc', b'other', b'gone'] |S5\n"
        "[b'fc/kernel:0', b'fc/bias:0'] |S11\n"
        "float64 (0,) []\n"
        "gzip 4 (2, 2) 66.0\n"
        "gzip True (5,) kept [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]\n"
        "['fc', 'gone', 'other'] ['fc']\n");
}

TEST_CASE("keras_h5_writer: renaming a layer group in a Keras 3 .keras archive") {
  REQUIRE_REAL_DATA();
  REQUIRE_JUDGE_PYTHON(python);
  TempDir dir("keras-write");
  const std::string src =
      kReal + "/keras3-nested-container-keras-zip/pre_pr22362_nested_container.keras";
  auto in = OpenKerasH5(src);
  REQUIRE(in.ok());
  const std::string out = dir.File("renamed.keras");
  std::vector<std::string> notes;
  auto written = WriteKerasH5(
      *in, Renamed(*in, {{"layers/dense_1/vars/0", "layers/renamed/vars/0"}}), out, &notes);
  REQUIRE_MESSAGE(written.ok(), written.status().message());
  auto back = OpenKerasH5(out);
  REQUIRE(back.ok());
  CHECK(back->format == "keras_zip");
  CHECK(back->store.size() == in->store.size());
  CHECK(back->store.Find("layers/dense_1/vars/0") == nullptr);
  CHECK(Bytes(Get(*back, "layers/renamed/vars/0")) == Bytes(Get(*in, "layers/dense_1/vars/0")));
  CHECK(Bytes(Get(*back, "layers/dense_3/vars/1")) == Bytes(Get(*in, "layers/dense_3/vars/1")));

  const std::string report = RunPython(dir, R"(
import h5py, io, zipfile
a = zipfile.ZipFile(')" + src + R"('); b = zipfile.ZipFile(')" +
                                                out + R"(')
print([i.filename for i in b.infolist()], [i.compress_type for i in b.infolist()])
print(all(a.read(n) == b.read(n) for n in ('config.json', 'metadata.json')))
f = h5py.File(io.BytesIO(b.read('model.weights.h5')), 'r')
print(sorted(f['layers'].keys()), f['layers/renamed/vars'].attrs['name'], f['vars'].attrs['name'])
)");
  CHECK(report ==
        "['metadata.json', 'config.json', 'model.weights.h5'] [0, 0, 0]\n"
        "True\n"
        "['dense', 'dense_2', 'dense_3', 'renamed'] d_1 nested_dense_model\n");
}

TEST_CASE("keras_h5_writer: TF bundle -> HDF5 -> TF bundle keeps every tensor") {
  REQUIRE_REAL_DATA();
  TempDir dir("keras-write");
  auto tf = tfbundle::OpenTfBundle(kReal + "/tfx-estimator-wide-deep-3ckpts/model.ckpt-1000");
  REQUIRE(tf.ok());
  // All 60 tensors (names of any depth: generic layout) and the dnn/ ones only
  // ("dnn/<layer>/<weight>": Keras 2 layout).
  for (const bool dnn_only : {false, true}) {
    INFO("dnn_only ", dnn_only);
    Checkpoint source = *tf;
    if (dnn_only) {
      std::set<std::string> drop;
      for (const auto& [name, e] : tf->store) {
        if (name.rfind("dnn/", 0) != 0) drop.insert(name);
      }
      source.store = Renamed(*tf, {}, drop);
    }
    const std::string h5 = dir.File(dnn_only ? "dnn.h5" : "all.h5");
    std::vector<std::string> notes;
    auto written = WriteKerasH5(source, source.store, h5, &notes);
    REQUIRE_MESSAGE(written.ok(), written.status().message());
    REQUIRE(!notes.empty());
    CHECK(notes.back().rfind(dnn_only ? "HDF5 layout: Keras 2 weights" : "HDF5 layout: generic",
                             0) == 0);
    auto mid = OpenKerasH5(h5);
    REQUIRE(mid.ok());
    CHECK(mid->format == (dnn_only ? "keras_h5" : "hdf5"));
    const std::string prefix = dir.File(dnn_only ? "dnn_back" : "all_back");
    auto report = tfbundle::WriteTfBundle(*mid, mid->store, prefix, {});
    REQUIRE_MESSAGE(report.ok(), report.status().message());
    auto back = tfbundle::OpenTfBundle(prefix);
    REQUIRE(back.ok());
    CHECK(back->store.size() == source.store.size());
    for (const auto& [name, e] : source.store) {
      INFO(name);
      const TensorEntry* b = back->store.Find(name);
      REQUIRE(b != nullptr);
      CHECK(b->dtype == e.dtype);
      CHECK(b->shape == e.shape);
      CHECK(Bytes(*b) == Bytes(e));
    }
  }
}

TEST_CASE("keras_h5_writer: contiguous datasets of every fixed-size type are copied byte exact") {
  REQUIRE_JUDGE_PYTHON(python);
  TempDir dir("keras-write");
  const std::string src = dir.File("types.h5");
  // Contiguous datasets take the raw-copy path; the variable-length strings and the never
  // written (unallocated) dataset go through H5Ocopy.
  const std::string made = RunPython(dir, R"(
import h5py, numpy as np
f = h5py.File(')" + src + R"(', 'w')
f.create_dataset('a/f16', data=np.array([1.5, -2.0, 0.25], dtype='<f2'))
f.create_dataset('a/i64', data=np.arange(6, dtype='<i8').reshape(2, 3)).attrs['unit'] = 'count'
f.create_dataset('a/flag', data=np.array([True, False, True]))
f.create_dataset('a/scalar', data=np.float64(2.5))
f.create_dataset('a/fixed', data=np.array([b'ab', b'cde']))
f.create_dataset('a/text', data=['x', 'yz'], dtype=h5py.string_dtype())
f.create_dataset('a/empty', data=np.zeros((0, 3), dtype='<f4'))
f.create_dataset('a/late', shape=(4,), dtype='<f4')
f.close(); print('ok')
)");
  REQUIRE(made == "ok\n");
  auto in = OpenKerasH5(src);
  REQUIRE(in.ok());
  std::map<std::string, std::string> renames;
  for (const auto& [name, e] : in->store) renames[name] = "b/" + name.substr(2);
  const std::string out = dir.File("out.h5");
  std::vector<std::string> notes;
  auto written = WriteKerasH5(*in, Renamed(*in, renames), out, &notes);
  REQUIRE_MESSAGE(written.ok(), written.status().message());
  auto back = OpenKerasH5(out);
  REQUIRE(back.ok());
  CHECK(back->store.size() == 8);
  CHECK(Bytes(Get(*back, "b/i64")) == Bytes(Get(*in, "a/i64")));

  const std::string report = RunPython(dir, R"(
import h5py
b = h5py.File(')" + out + R"(', 'r'); g = b['b']
print(sorted(b.keys()), sorted(g.keys()))
print(g['f16'][()].tolist(), g['f16'].dtype, g['i64'][()].tolist(), g['i64'].attrs['unit'])
print(g['flag'][()].tolist(), g['scalar'][()], g['fixed'][()].tolist(), g['fixed'].dtype)
print(g['text'].asstr()[()].tolist(), g['empty'].shape, g['late'][()].tolist(), g['late'].id.get_storage_size())
print(all(g[n].id.get_create_plist().get_layout() == h5py.h5d.CONTIGUOUS for n in g))
)");
  CHECK(report ==
        "['b'] ['empty', 'f16', 'fixed', 'flag', 'i64', 'late', 'scalar', 'text']\n"
        "[1.5, -2.0, 0.25] float16 [[0, 1, 2], [3, 4, 5]] count\n"
        "[True, False, True] 2.5 [b'ab', b'cde'] |S3\n"
        "['x', 'yz'] (0, 3) [0.0, 0.0, 0.0, 0.0] 0\n"
        "True\n");
}
