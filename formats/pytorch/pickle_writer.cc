// SPDX-License-Identifier: Apache-2.0
// Protocol-2 pickle emission for torch.save-compatible data.pkl (PYTORCH.md §3.1, §6.2).
#include "formats/pytorch/pickle_writer.h"

#include <algorithm>
#include <cstring>

namespace rescope::pytorch {
namespace {

constexpr size_t kBatch = 1000;

[[noreturn]] void Refuse(const std::string& what) {
  ThrowStatus(Status::NotSupported("cannot write " + what + " to a PyTorch file"));
}

// Latin-1 bytes as the UTF-8 text of their code points (how protocol 2 stores bytes).
std::string Latin1ToUtf8(const std::string& bytes) {
  std::string out;
  for (char c : bytes) {
    const auto b = static_cast<uint8_t>(c);
    if (b < 0x80) {
      out.push_back(c);
    } else {
      out.push_back(static_cast<char>(0xC0 | (b >> 6)));
      out.push_back(static_cast<char>(0x80 | (b & 0x3F)));
    }
  }
  return out;
}

}  // namespace

bool PickleWriter::Skipped(const PyNode* container, size_t index) const {
  auto it = skip_.find(container);
  return it != skip_.end() &&
         std::find(it->second.begin(), it->second.end(), index) != it->second.end();
}

void PickleWriter::Put(const void* identity) {
  if (identity != nullptr) memo_[identity] = next_memo_;
  if (next_memo_ < 256) {
    out_.push_back('\x71');
    out_.push_back(static_cast<char>(next_memo_));
  } else {
    out_.push_back('\x72');
    for (int i = 0; i < 4; ++i) out_.push_back(static_cast<char>((next_memo_ >> (8 * i)) & 0xFF));
  }
  ++next_memo_;
}

void PickleWriter::Int(int64_t v) {
  if (v >= 0 && v < 256) {
    out_ += '\x4B';
    out_.push_back(static_cast<char>(v));
  } else if (v >= 0 && v < 65536) {
    out_ += '\x4D';
    out_.push_back(static_cast<char>(v & 0xFF));
    out_.push_back(static_cast<char>(v >> 8));
  } else if (v >= INT32_MIN && v <= INT32_MAX) {
    out_ += '\x4A';
    for (int i = 0; i < 4; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  } else {
    // Fewest bytes that hold v as signed little-endian.
    int n = 8;
    while (n > 1) {
      const int64_t shifted = v >> (8 * (n - 1) - 1);
      if (shifted != 0 && shifted != -1) break;
      --n;
    }
    out_ += '\x8A';
    out_.push_back(static_cast<char>(n));
    for (int i = 0; i < n; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  }
}

void PickleWriter::Str(const std::string& s) {
  out_ += '\x58';
  const auto n = static_cast<uint32_t>(s.size());
  for (int i = 0; i < 4; ++i) out_.push_back(static_cast<char>((n >> (8 * i)) & 0xFF));
  out_ += s;
}

void PickleWriter::SharedStr(const std::string& s) {
  auto it = shared_strings_.find(s);
  if (it != shared_strings_.end()) {
    out_ += it->second < 256 ? '\x68' : '\x6A';
    if (it->second < 256) {
      out_.push_back(static_cast<char>(it->second));
    } else {
      for (int i = 0; i < 4; ++i) out_.push_back(static_cast<char>((it->second >> (8 * i)) & 0xFF));
    }
    return;
  }
  Str(s);
  shared_strings_[s] = next_memo_;
  Put(nullptr);
}

void PickleWriter::Global(const std::string& dotted) {
  auto it = globals_.find(dotted);
  if (it != globals_.end()) {
    if (it->second < 256) {
      out_ += '\x68';
      out_.push_back(static_cast<char>(it->second));
    } else {
      out_ += '\x6A';
      for (int i = 0; i < 4; ++i) out_.push_back(static_cast<char>((it->second >> (8 * i)) & 0xFF));
    }
    return;
  }
  const size_t dot = dotted.rfind('.');
  std::string module = dotted.substr(0, dot);
  if (module == "builtins") module = "__builtin__";  // protocol 2 fix_imports
  out_ += 'c';
  out_ += module + "\n" + dotted.substr(dot + 1) + "\n";
  globals_[dotted] = next_memo_;
  Put(nullptr);
}

void PickleWriter::Items(const PyNode* node, int depth) {
  std::vector<const PyNode*> items;
  for (size_t i = 0; i < node->items.size(); ++i) {
    if (!Skipped(node, i)) items.push_back(node->items[i]);
  }
  for (size_t start = 0; start < items.size(); start += kBatch) {
    const size_t end = std::min(items.size(), start + kBatch);
    if (end - start == 1) {
      Node(items[start], depth + 1);
      out_ += 'a';
      continue;
    }
    out_ += '(';
    for (size_t i = start; i < end; ++i) Node(items[i], depth + 1);
    out_ += 'e';
  }
}

void PickleWriter::Entries(const PyNode* node, int depth) {
  std::vector<std::pair<const PyNode*, const PyNode*>> entries;
  for (size_t i = 0; i < node->entries.size(); ++i) {
    if (!Skipped(node, i)) entries.emplace_back(node->entries[i].first, node->entries[i].second);
  }
  for (size_t start = 0; start < entries.size(); start += kBatch) {
    const size_t end = std::min(entries.size(), start + kBatch);
    if (end - start > 1) out_ += '(';
    for (size_t i = start; i < end; ++i) {
      Node(entries[i].first, depth + 1);
      Node(entries[i].second, depth + 1);
    }
    out_ += end - start == 1 ? 's' : 'u';
  }
}

void PickleWriter::PlainTensor(const TorchTensor& t, bool requires_grad) {
  const bool v3 = t.storage->untyped;
  Global(v3 ? "torch._utils._rebuild_tensor_v3" : "torch._utils._rebuild_tensor_v2");
  out_ += '(';
  auto [it, inserted] = storage_keys_.emplace(t.storage.get(), "");
  if (inserted) {
    it->second = std::to_string(storages_.size());
    storages_.push_back(t.storage);
  }
  out_ += '(';
  SharedStr("storage");
  Global(v3 ? "torch.storage.UntypedStorage" : "torch." + t.storage->type_name);
  SharedStr(it->second);
  SharedStr(t.storage->location);
  Int(static_cast<int64_t>(t.storage->count));
  out_ += 't';
  Put(nullptr);
  out_ += 'Q';
  Int(t.storage_offset);
  auto tuple = [&](const std::vector<int64_t>& v) {
    if (v.empty()) {
      out_ += ')';
      return;
    }
    if (v.size() > 3) out_ += '(';
    for (int64_t x : v) Int(x);
    out_ += v.size() > 3 ? 't' : static_cast<char>(0x84 + v.size());
    Put(nullptr);
  };
  tuple(t.size);
  tuple(t.stride);
  out_ += requires_grad ? '\x88' : '\x89';
  Global("collections.OrderedDict");
  out_ += ")R";
  Put(nullptr);
  if (v3) Global("torch." + t.dtype_name);
  out_ += 't';
  Put(nullptr);
  out_ += 'R';
}

void PickleWriter::Tensor(const PyNode* node, int /*depth*/) {
  const TorchTensor& t = *node->tensor;
  if (!t.storage) Refuse("a tensor without data");
  if (!t.is_parameter) {
    PlainTensor(t, t.requires_grad);
    Put(node);
    return;
  }
  Global("torch._utils._rebuild_parameter");
  PlainTensor(t, false);  // the parameter's data is pickled detached
  Put(nullptr);
  out_ += t.requires_grad ? '\x88' : '\x89';
  Global("collections.OrderedDict");
  out_ += ")R";
  Put(nullptr);
  out_ += '\x87';
  Put(nullptr);
  out_ += 'R';
  Put(node);
}

void PickleWriter::Node(const PyNode* node, int depth) {
  if (auto r = replace_.find(node); r != replace_.end()) node = r->second;
  if (depth > kMaxPickleDepth) Refuse("objects nested this deep");
  if (auto m = memo_.find(node); m != memo_.end()) {
    if (m->second < 256) {
      out_ += '\x68';
      out_.push_back(static_cast<char>(m->second));
    } else {
      out_ += '\x6A';
      for (int i = 0; i < 4; ++i) out_.push_back(static_cast<char>((m->second >> (8 * i)) & 0xFF));
    }
    return;
  }
  switch (node->kind) {
    case PyKind::kNone:
      out_ += 'N';
      return;
    case PyKind::kBool:
      out_ += node->boolean ? '\x88' : '\x89';
      return;
    case PyKind::kInt:
      Int(node->integer);
      return;
    case PyKind::kBigInt:
      out_ += '\x8A';
      out_.push_back(static_cast<char>(node->text.size()));
      out_ += node->text;
      return;
    case PyKind::kFloat: {
      uint64_t bits = 0;
      std::memcpy(&bits, &node->real, 8);
      out_ += 'G';
      for (int i = 7; i >= 0; --i) out_.push_back(static_cast<char>((bits >> (8 * i)) & 0xFF));
      return;
    }
    case PyKind::kStr:
      Str(node->text);
      Put(node);
      return;
    case PyKind::kBytes:
      Global("_codecs.encode");
      Str(Latin1ToUtf8(node->text));
      Put(nullptr);
      SharedStr("latin1");
      out_ += '\x86';
      Put(nullptr);
      out_ += 'R';
      Put(node);
      return;
    case PyKind::kTuple: {
      std::vector<const PyNode*> items;
      for (size_t i = 0; i < node->items.size(); ++i) {
        if (!Skipped(node, i)) items.push_back(node->items[i]);
      }
      const size_t n = items.size();
      if (n == 0) {
        out_ += ')';
        return;
      }
      if (n > 3) out_ += '(';
      for (const PyNode* item : items) Node(item, depth + 1);
      out_ += n > 3 ? 't' : static_cast<char>(0x84 + n);
      Put(node);
      return;
    }
    case PyKind::kList:
      out_ += ']';
      Put(node);
      Items(node, depth);
      return;
    case PyKind::kSet:
      Global("builtins.set");
      out_ += ']';
      Put(nullptr);
      Items(node, depth);
      out_ += '\x85';
      Put(nullptr);
      out_ += 'R';
      Put(node);
      return;
    case PyKind::kDict:
      if (node->ordered) {
        Global("collections.OrderedDict");
        out_ += ")R";
      } else {
        out_ += '}';
      }
      Put(node);
      Entries(node, depth);
      if (node->attributes != nullptr) {
        Node(node->attributes, depth + 1);
        out_ += 'b';
      }
      return;
    case PyKind::kGlobal:
      Global(node->text);
      return;
    case PyKind::kValue:
      Global(node->text);
      out_ += '(';
      for (const PyNode* item : node->items) Node(item, depth + 1);
      out_ += 't';
      Put(nullptr);
      out_ += 'R';
      Put(node);
      return;
    case PyKind::kTensor:
      Tensor(node, depth);
      return;
    case PyKind::kStorage:
      Refuse("a bare storage");
    case PyKind::kOpaque:
      Refuse("'" + node->text + "' (skipped when reading)");
  }
}

std::string PickleWriter::Emit(const PyNode* root) {
  out_ = "\x80\x02";
  Node(root, 0);
  out_ += '.';
  return out_;
}

}  // namespace rescope::pytorch
