// SPDX-License-Identifier: Apache-2.0
// PickleWriter: emits protocol-2 pickles the way CPython's pickler does for torch.save
// (PYTORCH.md §6.2): memo indices in order, BINGET for a node seen before, batches of 1000,
// Python-2 global names, tensors as _rebuild_tensor_v2/_v3 calls with persistent ids.
//
// Works on PickleGraph nodes; `replace` lets a caller substitute nodes (renamed keys, dropped
// entries) without touching the source graph. Storages get new keys "0", "1", ... in
// first-emitted order; storages() lists them for the zip writer.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/store/status.h"
#include "formats/pytorch/pickle_vm.h"

namespace rescope::pytorch {

class PickleWriter {
 public:
  // Substitutes `to` wherever `from` would be emitted (by identity).
  void Replace(const PyNode* from, const PyNode* to) { replace_[from] = to; }
  // Dict entries / list items to leave out, by container and index.
  void Skip(const PyNode* container, size_t index) { skip_[container].push_back(index); }

  // Emits PROTO 2, `root`, STOP. Throws FormatError (kNotSupported) for nodes that cannot be
  // written (placeholders) or graphs nested deeper than kMaxPickleDepth.
  std::string Emit(const PyNode* root);

  // Storages in key order ("0", "1", ...).
  const std::vector<std::shared_ptr<TorchStorage>>& storages() const { return storages_; }

 private:
  void Node(const PyNode* node, int depth);
  void Int(int64_t v);
  void Str(const std::string& s);
  void SharedStr(const std::string& s);  // one memo node per distinct text (pids)
  void Global(const std::string& dotted);
  void Put(const void* identity);
  void Tensor(const PyNode* node, int depth);
  void PlainTensor(const TorchTensor& t, bool requires_grad);
  void Items(const PyNode* node, int depth);
  void Entries(const PyNode* node, int depth);
  bool Skipped(const PyNode* container, size_t index) const;

  std::string out_;
  uint32_t next_memo_ = 0;
  std::unordered_map<const void*, uint32_t> memo_;
  std::map<std::string, uint32_t> globals_, shared_strings_;
  std::unordered_map<const PyNode*, const PyNode*> replace_;
  std::unordered_map<const PyNode*, std::vector<size_t>> skip_;
  std::unordered_map<const TorchStorage*, std::string> storage_keys_;
  std::vector<std::shared_ptr<TorchStorage>> storages_;
};

}  // namespace rescope::pytorch
