// SPDX-License-Identifier: Apache-2.0
// A restricted pickle machine for torch.save's data.pkl (PYTORCH.md §3): it builds a graph of
// plain values and never executes anything.
//
// Only the opcodes of torch's weights-only unpickler are accepted (plus, on request, the four
// protocol-4 opcodes torch.save(pickle_protocol=4) uses). GLOBALs are mapped from Python-2
// names, then looked up in a fixed allowlist; an allowlisted callable is "called" by a fixed
// C++ rule on parsed values (OrderedDict, tensor rebuilds, _codecs.encode, ...). Any other
// GLOBAL becomes an opaque placeholder that remembers its name and offset; REDUCE/NEWOBJ/BUILD
// on a placeholder give a placeholder, so the stack stays exact and the caller decides
// (refuse, or list and skip) once it knows where in the object the placeholder sits.
//
// Nodes live in a PickleGraph arena and refer to each other by raw pointer, so memo sharing
// (tied weights are one node reached twice) is kept and cyclic input cannot leak. Graphs can
// be cyclic: walkers must bound their depth (kMaxPickleDepth).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/store/byte_source.h"
#include "core/store/dtype.h"
#include "core/store/status.h"

namespace rescope::pytorch {

inline constexpr int kMaxPickleDepth = 64;

enum class PyKind : uint8_t {
  kNone,
  kBool,
  kInt,
  kBigInt,  // LONG1 wider than 8 bytes; `text` holds the little-endian two's complement bytes
  kFloat,
  kStr,    // `text` holds the UTF-8 bytes as stored
  kBytes,  // `text` holds the bytes
  kTuple,
  kList,
  kDict,  // `ordered` for collections.OrderedDict
  kSet,
  kGlobal,  // an allowlisted global used as a value; `text` = "module.name"
  kStorage,
  kTensor,
  kValue,   // another plain value (complex, torch.device, ...); `text` names its type
  kOpaque,  // a placeholder for something not allowed; `text` = the global behind it
};

// One storage (record data/<key> in a zip; a keyed blob in the legacy stream).
struct TorchStorage {
  std::string key;
  std::string type_name;  // "FloatStorage", "UntypedStorage", ...
  bool untyped = false;   // UntypedStorage: `count` is bytes and the dtype comes per tensor
  uint64_t count = 0;     // the pid's numel: elements (typed) or bytes (untyped)
  std::string location;   // "cpu", "cuda:0", ...
  // Filled by the container once the bytes are found.
  std::shared_ptr<const ByteSource> source;
  uint64_t source_offset = 0;
  uint64_t nbytes = 0;
  bool resolved = false;
};

struct TorchTensor {
  std::shared_ptr<TorchStorage> storage;  // null for a meta tensor (no data)
  std::string dtype_name;                 // torch dtype or storage class name, for messages
  int64_t storage_offset = 0;             // elements
  std::vector<int64_t> size;
  std::vector<int64_t> stride;  // elements
  bool requires_grad = false;
  bool is_parameter = false;
};

struct PyNode {
  PyKind kind = PyKind::kNone;
  bool ordered = false;
  bool boolean = false;
  int64_t integer = 0;
  double real = 0;
  std::string text;
  std::vector<PyNode*> items;                         // tuple, list, set
  std::vector<std::pair<PyNode*, PyNode*>> entries;   // dict, in insertion order
  std::unordered_map<std::string, size_t> key_index;  // dict: canonical key -> entry index
  PyNode* attributes = nullptr;                       // BUILD state of an OrderedDict/tensor
  std::shared_ptr<TorchTensor> tensor;                // kTensor
  std::shared_ptr<TorchStorage> storage;              // kStorage
  uint64_t offset = 0;                                // where it was built (absolute)
};

// "str", "int", "OrderedDict", ... for messages.
std::string KindName(const PyNode& node);

// Owns every node of one or more pickles.
class PickleGraph {
 public:
  PyNode* New(PyKind kind, uint64_t offset);
  PyNode* NewStr(std::string text, uint64_t offset);
  PyNode* NewInt(int64_t value, uint64_t offset);
  size_t size() const { return nodes_.size(); }

 private:
  std::vector<std::unique_ptr<PyNode>> nodes_;
};

// Sets key -> value on a dict node with Python semantics (an equal str/int key is replaced).
void DictSet(PyNode& dict, PyNode* key, PyNode* value);
// The value for a str key, or null.
const PyNode* DictGet(const PyNode& dict, const std::string& key);

struct PickleOptions {
  bool allow_protocol4 = false;  // FRAME, SHORT_BINUNICODE, MEMOIZE, STACK_GLOBAL
};

// Turns a persistent id (a tuple node) into a storage node; throws FormatError.
using PersistentLoad = std::function<PyNode*(PickleGraph&, PyNode* pid, uint64_t offset)>;

struct PickleRun {
  PyNode* root = nullptr;
  uint64_t end = 0;  // offset just after STOP, relative to the start of `bytes`
  int protocol = 0;
};

// Runs one pickle that starts at bytes[0]. `file` and `context` name the bytes in messages
// ("<file>: <context> @0x..: ..."); `base` is bytes[0]'s offset in the file. Throws
// FormatError on anything outside the subset.
PickleRun RunPickle(ByteView bytes, const std::string& file, const std::string& context,
                    uint64_t base, PickleGraph& graph, const PersistentLoad& load,
                    const PickleOptions& options);

// Maps a torch storage class name ("FloatStorage") or dtype name ("float32") to a DType;
// kInvalid when rescope has no DType for it.
DType DTypeForTorchName(const std::string& name);
// The torch dtype name of a DType ("float32"), empty when torch has none.
std::string TorchDTypeName(DType dtype);
// The legacy storage class of a DType ("FloatStorage"), empty for the "new" dtypes.
std::string StorageClassName(DType dtype);

// How torch stores a DType: bytes per torch element, and how many of rescope's elements one
// torch element holds along the last dimension. torch.float4_e2m1fn_x2 is one byte holding
// two float4 values, so its torch shape [r, c] is rescope's (and safetensors') [r, 2c].
// nullopt when torch has no such dtype.
struct TorchLayout {
  uint32_t element_bytes = 0;
  uint32_t last_dim_factor = 1;
};
std::optional<TorchLayout> TorchLayoutOf(DType dtype);

}  // namespace rescope::pytorch
