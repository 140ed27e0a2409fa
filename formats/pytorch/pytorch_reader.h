// SPDX-License-Identifier: Apache-2.0
// Reader for PyTorch checkpoints (PYTORCH.md): torch.save zip files, the legacy (pre-1.6)
// stream, and Hugging Face `pytorch_model.bin.index.json` shard sets.
//
// data.pkl is interpreted by the restricted pickle machine (pickle_vm.h): nothing is
// executed. Every tensor reachable from the top-level object becomes a TensorEntry named by
// its dotted path (a state_dict's keys as they are: `fc.weight`; nested checkpoints:
// `model.fc.weight`, `optimizer.state.0.exp_avg`; a bare top-level tensor: `tensor`). Entry
// bytes are the tensor's logical row-major bytes: a zero-copy view of the mapped storage
// record when the tensor is contiguous, otherwise a StridedByteSource gathering through the
// strides. Tensors sharing a storage carry the note ("shares_storage_with", other name); the
// same tensor reached twice (tied weights) also carries ("alias_of", first name).
//
// Non-tensor leaves are left out of the store and listed in Checkpoint::properties as
// ("skipped", "<path>: <type>"): plain data (ints, floats, strings, None, empty containers,
// allowlisted values such as a training checkpoint's epoch and loss) always; objects behind
// a GLOBAL that is not allowed (numpy arrays, pickled classes) only with ReadOptions::lenient,
// else the open fails naming the first one's path, the global and its data.pkl offset.
// Pickle protocol 4 (FRAME etc.) is read only with lenient, as torch refuses it.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/store/tensor_store.h"
#include "formats/pytorch/pickle_vm.h"

namespace rescope::pytorch {

// Where a tensor entry sits in the source object graph (for the writer).
struct TensorSlot {
  const PyNode* container = nullptr;  // the dict or list holding it; null for a bare tensor
  size_t index = 0;                   // entry index in the dict / item index in the list
  const PyNode* tensor = nullptr;
  std::string container_path;  // dotted path of the container ("" = top level)
};

// What WritePyTorch needs to re-emit a file read by OpenPyTorch (single files only).
struct PyTorchState : FormatState {
  std::string path;
  bool legacy = false;
  std::string archive;                    // zip folder name
  std::vector<std::string> record_order;  // zip record names under the folder
  std::shared_ptr<PickleGraph> graph;
  const PyNode* root = nullptr;
  std::map<std::string, TensorSlot> slots;  // entry name -> where it sits
  std::vector<std::string> key_order;       // entry names in file order
  // Containers carrying `_metadata`: dotted container path ("" = top level) -> the
  // OrderedDict of prefix -> {'version': N}.
  std::map<std::string, const PyNode*> metadata;
  std::string serialization_id;  // .data/serialization_id, if any
};

// Content sniffing (PYTORCH.md §1): a zip with a `<folder>/data.pkl` record, the legacy magic,
// a `*.bin.index.json` file, or a directory holding pytorch_model.bin(.index.json).
bool SniffPyTorch(const std::string& path);

struct ReadOptions {
  bool lenient = false;
};

// Opens a file, an index JSON, or a directory (index preferred over pytorch_model.bin).
// Checkpoint::format is "pytorch_zip" or "pytorch_legacy". Errors: kCorruption for bad bytes,
// kNotSupported for TorchScript archives, refused globals, unknown dtypes (naming the
// tensor), big-endian data; messages name the file and the place.
Result<Checkpoint> OpenPyTorch(const std::string& path, const ReadOptions& options = {});

// Opens one file held in memory (tests, fuzzing). `name` is used in messages.
Result<Checkpoint> OpenPyTorchBytes(std::shared_ptr<const ByteSource> bytes,
                                    const ReadOptions& options = {});

}  // namespace rescope::pytorch
