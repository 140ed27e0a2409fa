// SPDX-License-Identifier: Apache-2.0
// The restricted pickle machine of PYTORCH.md §3.1–3.4.
#include "formats/pytorch/pickle_vm.h"

#include <array>
#include <cstring>
#include <string_view>
#include <unordered_set>

#include "formats/byte_cursor.h"
#include "formats/pytorch/pickle_globals.h"

namespace rescope::pytorch {
namespace {

// Decodes UTF-8 (surrogates allowed, as Python's "surrogatepass") into code points.
bool DecodeUtf8(std::string_view s, std::vector<uint32_t>* out) {
  for (size_t i = 0; i < s.size();) {
    const auto b0 = static_cast<uint8_t>(s[i]);
    int extra = 0;
    uint32_t cp = 0;
    if (b0 < 0x80) {
      cp = b0;
    } else if ((b0 & 0xE0) == 0xC0) {
      extra = 1, cp = b0 & 0x1F;
    } else if ((b0 & 0xF0) == 0xE0) {
      extra = 2, cp = b0 & 0x0F;
    } else if ((b0 & 0xF8) == 0xF0) {
      extra = 3, cp = b0 & 0x07;
    } else {
      return false;
    }
    if (extra > 0 && i + static_cast<size_t>(extra) >= s.size()) return false;
    for (int k = 1; k <= extra; ++k) {
      const auto b = static_cast<uint8_t>(s[i + static_cast<size_t>(k)]);
      if ((b & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (b & 0x3F);
    }
    out->push_back(cp);
    i += 1 + static_cast<size_t>(extra);
  }
  return true;
}

std::string CanonicalKey(const PyNode& key) {
  switch (key.kind) {
    case PyKind::kStr:
      return "s:" + key.text;
    case PyKind::kInt:
      return "i:" + std::to_string(key.integer);
    case PyKind::kBool:
      return key.boolean ? "i:1" : "i:0";
    case PyKind::kBytes:
      return "b:" + key.text;
    default:
      return {};
  }
}

// The machine proper. One instance per pickle.
class Machine {
 public:
  Machine(ByteView bytes, const std::string& file, const std::string& context, uint64_t base,
          PickleGraph& graph, const PersistentLoad& load, const PickleOptions& options)
      : cursor_(bytes, file, context, base),
        base_(base),
        graph_(graph),
        load_(load),
        options_(options) {}

  PickleRun Run();

 private:
  [[noreturn]] void Fail(const std::string& message) const { cursor_.FailAt(op_, message); }
  uint64_t Where() const { return base_ + op_; }
  void Push(PyNode* node) { stack_.push_back(node); }
  PyNode* Pop(const char* what);
  PyNode* Top(const char* what);
  std::vector<PyNode*> PopToMark(const char* what);
  PyNode* MemoGet(uint64_t index);
  void MemoPut(uint64_t index);
  std::string ReadLine(const char* what);
  PyNode* MakeGlobal(std::string module, std::string name);
  PyNode* Reduce(PyNode* callable, PyNode* args);
  PyNode* RebuildTensor(const std::string& fn, const std::vector<PyNode*>& args);
  PyNode* MakeValue(const std::string& type, const PyNode* args);
  std::vector<int64_t> IntTuple(const PyNode* node, const char* what);
  int64_t NonNegativeInt(const PyNode* node, const char* what);
  void Build();
  void Append(PyNode* list, const std::vector<PyNode*>& items);
  void SetItems(PyNode* dict, const std::vector<PyNode*>& items);
  bool OpcodeAllowed(uint8_t op) const;

  ByteCursor cursor_;
  uint64_t base_;
  PickleGraph& graph_;
  const PersistentLoad& load_;
  const PickleOptions& options_;
  size_t op_ = 0;
  std::vector<PyNode*> stack_;
  std::vector<size_t> marks_;
  std::unordered_map<uint64_t, PyNode*> memo_;
  int protocol_ = 0;
};

PyNode* Machine::Pop(const char* what) {
  if (stack_.empty() || (!marks_.empty() && stack_.size() <= marks_.back())) {
    Fail(std::string(what) + ": stack underflow");
  }
  PyNode* node = stack_.back();
  stack_.pop_back();
  return node;
}

PyNode* Machine::Top(const char* what) {
  if (stack_.empty() || (!marks_.empty() && stack_.size() <= marks_.back())) {
    Fail(std::string(what) + ": stack underflow");
  }
  return stack_.back();
}

std::vector<PyNode*> Machine::PopToMark(const char* what) {
  if (marks_.empty()) Fail(std::string(what) + ": no MARK on the stack");
  const size_t mark = marks_.back();
  marks_.pop_back();
  std::vector<PyNode*> items(stack_.begin() + static_cast<std::ptrdiff_t>(mark), stack_.end());
  stack_.resize(mark);
  return items;
}

PyNode* Machine::MemoGet(uint64_t index) {
  auto it = memo_.find(index);
  if (it == memo_.end()) Fail("memo entry " + std::to_string(index) + " is not set");
  return it->second;
}

void Machine::MemoPut(uint64_t index) { memo_[index] = Top("BINPUT"); }

std::string Machine::ReadLine(const char* what) {
  std::string line;
  for (;;) {
    const uint8_t c = cursor_.ReadByte(what);
    if (c == '\n') return line;
    if (line.size() >= 256) Fail(std::string(what) + ": line longer than 256 bytes");
    line.push_back(static_cast<char>(c));
  }
}

PyNode* Machine::MakeGlobal(std::string module, std::string name) {
  auto [mod, nm] = MapPython2Name(std::move(module), std::move(name));
  PyNode* node = graph_.New(IsAllowedGlobal(mod, nm) ? PyKind::kGlobal : PyKind::kOpaque, Where());
  node->text = mod + "." + nm;
  return node;
}

bool Machine::OpcodeAllowed(uint8_t op) const {
  switch (op) {
    case 0x80:
    case 0x2E:
    case 0x28:
    case 0x63:
    case 0x71:
    case 0x72:
    case 0x68:
    case 0x6A:
    case 0x29:
    case 0x74:
    case 0x85:
    case 0x86:
    case 0x87:
    case 0x5D:
    case 0x61:
    case 0x65:
    case 0x7D:
    case 0x73:
    case 0x75:
    case 0x4B:
    case 0x4D:
    case 0x4A:
    case 0x8A:
    case 0x47:
    case 0x58:
    case 0x55:
    case 0x4E:
    case 0x88:
    case 0x89:
    case 0x51:
    case 0x52:
    case 0x62:
    case 0x81:
    case 0x8F:
      return true;
    case 0x95:
    case 0x8C:
    case 0x94:
    case 0x93:
      return options_.allow_protocol4;
    default:
      return false;
  }
}

PickleRun Machine::Run() {
  for (;;) {
    op_ = cursor_.position();
    const uint8_t op = cursor_.ReadByte("opcode");
    if (!OpcodeAllowed(op)) {
      std::string message = "unsupported pickle opcode " + Hex(op);
      if (op == 0x95 || op == 0x8C || op == 0x94 || op == 0x93) {
        message +=
            " (pickle protocol 4; torch's weights-only loader refuses it too; "
            "--lenient reads it)";
      }
      Fail(message);
    }
    switch (op) {
      case 0x80:  // PROTO
        protocol_ = cursor_.ReadByte("PROTO");
        if (protocol_ > 5) Fail("unsupported pickle protocol " + std::to_string(protocol_));
        break;
      case 0x2E: {  // STOP
        PyNode* root = Pop("STOP");
        if (!stack_.empty() || !marks_.empty()) Fail("STOP with items left on the stack");
        return {root, cursor_.position(), protocol_};
      }
      case 0x28:  // MARK
        marks_.push_back(stack_.size());
        break;
      case 0x63: {  // GLOBAL
        std::string module = ReadLine("GLOBAL module");
        std::string name = ReadLine("GLOBAL name");
        Push(MakeGlobal(std::move(module), std::move(name)));
        break;
      }
      case 0x93: {  // STACK_GLOBAL
        PyNode* name = Pop("STACK_GLOBAL");
        PyNode* module = Pop("STACK_GLOBAL");
        if (name->kind != PyKind::kStr || module->kind != PyKind::kStr) {
          Fail("STACK_GLOBAL needs two str");
        }
        Push(MakeGlobal(module->text, name->text));
        break;
      }
      case 0x71:
        MemoPut(cursor_.ReadByte("BINPUT"));
        break;
      case 0x72:
        MemoPut(cursor_.ReadFixed32("LONG_BINPUT"));
        break;
      case 0x94:
        MemoPut(memo_.size());
        break;
      case 0x68:
        Push(MemoGet(cursor_.ReadByte("BINGET")));
        break;
      case 0x6A:
        Push(MemoGet(cursor_.ReadFixed32("LONG_BINGET")));
        break;
      case 0x95:  // FRAME: framing only
        (void)cursor_.ReadFixed64("FRAME");
        break;
      case 0x29:
        Push(graph_.New(PyKind::kTuple, Where()));
        break;
      case 0x74: {
        PyNode* tuple = graph_.New(PyKind::kTuple, Where());
        tuple->items = PopToMark("TUPLE");
        Push(tuple);
        break;
      }
      case 0x85:
      case 0x86:
      case 0x87: {
        const size_t n = op - 0x84u;
        PyNode* tuple = graph_.New(PyKind::kTuple, Where());
        tuple->items.resize(n);
        for (size_t i = n; i > 0; --i) tuple->items[i - 1] = Pop("TUPLE1/2/3");
        Push(tuple);
        break;
      }
      case 0x5D:
        Push(graph_.New(PyKind::kList, Where()));
        break;
      case 0x61: {
        PyNode* item = Pop("APPEND");
        Append(Top("APPEND"), {item});
        break;
      }
      case 0x65: {
        std::vector<PyNode*> items = PopToMark("APPENDS");
        Append(Top("APPENDS"), items);
        break;
      }
      case 0x7D:
        Push(graph_.New(PyKind::kDict, Where()));
        break;
      case 0x8F:
        Push(graph_.New(PyKind::kSet, Where()));
        break;
      case 0x73: {
        PyNode* value = Pop("SETITEM");
        PyNode* key = Pop("SETITEM");
        SetItems(Top("SETITEM"), {key, value});
        break;
      }
      case 0x75: {
        std::vector<PyNode*> items = PopToMark("SETITEMS");
        SetItems(Top("SETITEMS"), items);
        break;
      }
      case 0x4B:
        Push(graph_.NewInt(cursor_.ReadByte("BININT1"), Where()));
        break;
      case 0x4D: {
        const ByteView b = cursor_.ReadBytes(2, "BININT2");
        Push(graph_.NewInt(LoadLE16(b.data), Where()));
        break;
      }
      case 0x4A:
        Push(graph_.NewInt(static_cast<int32_t>(cursor_.ReadFixed32("BININT")), Where()));
        break;
      case 0x8A: {  // LONG1
        const uint8_t n = cursor_.ReadByte("LONG1 length");
        const ByteView b = cursor_.ReadBytes(n, "LONG1");
        if (n > 8) {
          PyNode* big = graph_.New(PyKind::kBigInt, Where());
          big->text.assign(reinterpret_cast<const char*>(b.data), n);
          Push(big);
          break;
        }
        uint64_t v = 0;
        for (size_t i = 0; i < n; ++i) v |= static_cast<uint64_t>(b[i]) << (8 * i);
        if (n > 0 && n < 8 && (b[n - 1] & 0x80)) v |= ~uint64_t{0} << (8 * n);
        Push(graph_.NewInt(static_cast<int64_t>(v), Where()));
        break;
      }
      case 0x47: {  // BINFLOAT, big-endian
        const ByteView b = cursor_.ReadBytes(8, "BINFLOAT");
        uint64_t bits = 0;
        for (size_t i = 0; i < 8; ++i) bits = (bits << 8) | b[i];
        PyNode* node = graph_.New(PyKind::kFloat, Where());
        std::memcpy(&node->real, &bits, 8);
        Push(node);
        break;
      }
      case 0x58:
      case 0x8C:
      case 0x55: {
        const uint64_t n = op == 0x58 ? cursor_.ReadFixed32("BINUNICODE length")
                                      : cursor_.ReadByte("string length");
        const ByteView b = cursor_.ReadBytes(n, "string");
        Push(graph_.NewStr(std::string(b.AsStringView()), Where()));
        break;
      }
      case 0x4E:
        Push(graph_.New(PyKind::kNone, Where()));
        break;
      case 0x88:
      case 0x89: {
        PyNode* node = graph_.New(PyKind::kBool, Where());
        node->boolean = op == 0x88;
        Push(node);
        break;
      }
      case 0x51: {  // BINPERSID
        PyNode* pid = Pop("BINPERSID");
        Push(load_(graph_, pid, Where()));
        break;
      }
      case 0x52: {  // REDUCE
        PyNode* args = Pop("REDUCE");
        PyNode* callable = Pop("REDUCE");
        Push(Reduce(callable, args));
        break;
      }
      case 0x81: {  // NEWOBJ
        PyNode* args = Pop("NEWOBJ");
        PyNode* cls = Pop("NEWOBJ");
        if (cls->kind == PyKind::kGlobal && cls->text == "torch.nn.parameter.Parameter") {
          if (args->kind != PyKind::kTuple || args->items.empty() ||
              args->items[0]->kind != PyKind::kTensor) {
            Fail("Parameter() needs a tensor argument");
          }
          PyNode* param = graph_.New(PyKind::kTensor, Where());
          param->tensor = std::make_shared<TorchTensor>(*args->items[0]->tensor);
          param->tensor->is_parameter = true;
          Push(param);
        } else if (cls->kind == PyKind::kOpaque) {
          Push(cls);
        } else {
          Fail("NEWOBJ of " + KindName(*cls) + " " + cls->text + " is not allowed");
        }
        break;
      }
      case 0x62:
        Build();
        break;
      default:
        Fail("unsupported pickle opcode " + Hex(op));
    }
  }
}

void Machine::Append(PyNode* list, const std::vector<PyNode*>& items) {
  if (list->kind == PyKind::kOpaque) return;
  if (list->kind != PyKind::kList) Fail("APPEND to a " + KindName(*list) + ", not a list");
  list->items.insert(list->items.end(), items.begin(), items.end());
}

void Machine::SetItems(PyNode* dict, const std::vector<PyNode*>& items) {
  if (items.size() % 2 != 0) Fail("SETITEMS with an odd number of items");
  if (dict->kind == PyKind::kOpaque) return;
  if (dict->kind != PyKind::kDict) Fail("SETITEM on a " + KindName(*dict) + ", not a dict");
  for (size_t i = 0; i < items.size(); i += 2) DictSet(*dict, items[i], items[i + 1]);
}

void Machine::Build() {
  PyNode* state = Pop("BUILD");
  PyNode* target = Top("BUILD");
  if (target->kind == PyKind::kOpaque) return;
  if (target->kind == PyKind::kDict || target->kind == PyKind::kTensor) {
    // OrderedDict attributes ({'_metadata': ...}) or tensor attributes; both kept as data.
    target->attributes = state;
    return;
  }
  Fail("BUILD on a " + KindName(*target) + " is not allowed");
}

int64_t Machine::NonNegativeInt(const PyNode* node, const char* what) {
  if (node->kind != PyKind::kInt || node->integer < 0) {
    Fail(std::string(what) + " must be a non-negative int (found " + KindName(*node) + ")");
  }
  return node->integer;
}

std::vector<int64_t> Machine::IntTuple(const PyNode* node, const char* what) {
  if (node->kind != PyKind::kTuple && node->kind != PyKind::kList) {
    Fail(std::string(what) + " must be a tuple (found " + KindName(*node) + ")");
  }
  std::vector<int64_t> values;
  for (const PyNode* item : node->items) values.push_back(NonNegativeInt(item, what));
  return values;
}

PyNode* Machine::RebuildTensor(const std::string& fn, const std::vector<PyNode*>& args) {
  const bool v3 = fn == "_rebuild_tensor_v3";
  const size_t min_args = fn == "_rebuild_tensor" ? 4 : (v3 ? 7 : 6);
  if (args.size() < min_args || args.size() > min_args + 1) {
    Fail(fn + " expects " + std::to_string(min_args) + " arguments (found " +
         std::to_string(args.size()) + ")");
  }
  if (args[0]->kind != PyKind::kStorage) {
    Fail(fn + ": argument 1 must be a storage (found " + KindName(*args[0]) + ")");
  }
  auto tensor = std::make_shared<TorchTensor>();
  tensor->storage = args[0]->storage;
  tensor->storage_offset = NonNegativeInt(args[1], "storage_offset");
  tensor->size = IntTuple(args[2], "size");
  tensor->stride = IntTuple(args[3], "stride");
  if (tensor->size.size() != tensor->stride.size()) {
    Fail(fn + ": size has " + std::to_string(tensor->size.size()) + " dims but stride has " +
         std::to_string(tensor->stride.size()));
  }
  if (args.size() > 4) {
    if (args[4]->kind != PyKind::kBool) Fail(fn + ": requires_grad must be a bool");
    tensor->requires_grad = args[4]->boolean;
  }
  tensor->dtype_name = tensor->storage->type_name;
  if (v3) {
    if (args[6]->kind != PyKind::kGlobal || !args[6]->text.starts_with("torch.")) {
      Fail(fn + ": argument 7 must be a torch dtype");
    }
    tensor->dtype_name = args[6]->text.substr(6);
  } else if (tensor->storage->untyped) {
    Fail(fn + ": an UntypedStorage needs _rebuild_tensor_v3");
  }
  if (args.size() == min_args + 1) {
    const PyNode* metadata = args.back();
    if (!(metadata->kind == PyKind::kDict && metadata->entries.empty()) &&
        metadata->kind != PyKind::kNone) {
      ThrowStatus(Status::NotSupported(cursor_.file() + ": " + cursor_.context() + " @" +
                                       Hex(Where()) +
                                       ": tensor with conj/neg metadata is not supported"));
    }
  }
  PyNode* node = graph_.New(PyKind::kTensor, Where());
  node->tensor = std::move(tensor);
  return node;
}

PyNode* Machine::MakeValue(const std::string& type, const PyNode* args) {
  PyNode* node = graph_.New(PyKind::kValue, Where());
  node->text = type;
  if (args->kind == PyKind::kTuple) node->items = args->items;
  return node;
}

PyNode* Machine::Reduce(PyNode* callable, PyNode* args) {
  if (callable->kind == PyKind::kOpaque) return callable;
  if (callable->kind != PyKind::kGlobal) {
    Fail("REDUCE on a " + KindName(*callable) + " is not allowed");
  }
  if (args->kind != PyKind::kTuple) Fail("REDUCE arguments must be a tuple");
  const std::string& fn = callable->text;
  const std::vector<PyNode*>& a = args->items;
  if (fn == "collections.OrderedDict" || fn == "collections.Counter") {
    PyNode* dict = graph_.New(PyKind::kDict, Where());
    dict->ordered = fn == "collections.OrderedDict";
    if (a.size() == 1 && (a[0]->kind == PyKind::kList || a[0]->kind == PyKind::kTuple)) {
      for (PyNode* pair : a[0]->items) {
        if (pair->kind != PyKind::kTuple || pair->items.size() != 2) {
          Fail(fn + ": items must be (key, value) pairs");
        }
        DictSet(*dict, pair->items[0], pair->items[1]);
      }
    } else if (!a.empty()) {
      Fail(fn + ": unexpected arguments");
    }
    return dict;
  }
  if (fn == "torch._utils._rebuild_tensor_v2" || fn == "torch._utils._rebuild_tensor_v3" ||
      fn == "torch._utils._rebuild_tensor") {
    return RebuildTensor(fn.substr(13), a);
  }
  if (fn == "torch._utils._rebuild_parameter" ||
      fn == "torch._utils._rebuild_parameter_with_state") {
    if (a.size() < 3 || a[0]->kind != PyKind::kTensor || a[1]->kind != PyKind::kBool) {
      Fail(fn + ": expects (tensor, requires_grad, hooks)");
    }
    PyNode* param = graph_.New(PyKind::kTensor, Where());
    param->tensor = std::make_shared<TorchTensor>(*a[0]->tensor);
    param->tensor->is_parameter = true;
    param->tensor->requires_grad = a[1]->boolean;
    return param;
  }
  if (fn == "torch._tensor._rebuild_from_type_v2") {
    if (a.size() != 4 || a[0]->kind != PyKind::kGlobal || a[1]->kind != PyKind::kGlobal ||
        (a[1]->text != "torch.Tensor" && a[1]->text != "torch.nn.parameter.Parameter")) {
      PyNode* opaque = graph_.New(PyKind::kOpaque, Where());
      opaque->text = fn;
      return opaque;
    }
    PyNode* result = Reduce(a[0], a[2]);
    if (result->kind == PyKind::kTensor && a[1]->text != "torch.Tensor") {
      result->tensor->is_parameter = true;
    }
    return result;
  }
  if (fn == "_codecs.encode") {
    if (a.size() != 2 || a[0]->kind != PyKind::kStr || a[1]->kind != PyKind::kStr ||
        (a[1]->text != "latin1" && a[1]->text != "latin-1")) {
      Fail("_codecs.encode expects (str, 'latin1')");
    }
    std::vector<uint32_t> points;
    if (!DecodeUtf8(a[0]->text, &points)) Fail("_codecs.encode: invalid UTF-8");
    PyNode* bytes = graph_.New(PyKind::kBytes, Where());
    for (uint32_t cp : points) {
      if (cp > 255) Fail("_codecs.encode: code point above 255");
      bytes->text.push_back(static_cast<char>(cp));
    }
    return bytes;
  }
  if (fn == "builtins.set" || fn == "builtins.frozenset") {
    PyNode* set = graph_.New(PyKind::kSet, Where());
    if (a.size() == 1 && (a[0]->kind == PyKind::kList || a[0]->kind == PyKind::kTuple)) {
      set->items = a[0]->items;
    } else if (!a.empty()) {
      Fail(fn + ": unexpected arguments");
    }
    return set;
  }
  if (fn == "torch.Size") {
    if (a.size() != 1 || a[0]->kind != PyKind::kTuple) Fail("torch.Size expects a tuple");
    return a[0];
  }
  if (fn == "builtins.bytearray" && a.size() == 1 && a[0]->kind == PyKind::kBytes) return a[0];
  if (fn == "builtins.complex" || fn == "torch.device" || fn == "builtins.bytearray") {
    return MakeValue(fn, args);
  }
  // Allowlisted but not interpreted by rescope (sparse, quantized, meta, subclass tensors).
  PyNode* opaque = graph_.New(PyKind::kOpaque, Where());
  opaque->text = fn;
  return opaque;
}

}  // namespace

std::string KindName(const PyNode& node) {
  switch (node.kind) {
    case PyKind::kNone:
      return "NoneType";
    case PyKind::kBool:
      return "bool";
    case PyKind::kInt:
    case PyKind::kBigInt:
      return "int";
    case PyKind::kFloat:
      return "float";
    case PyKind::kStr:
      return "str";
    case PyKind::kBytes:
      return "bytes";
    case PyKind::kTuple:
      return "tuple";
    case PyKind::kList:
      return "list";
    case PyKind::kDict:
      return node.ordered ? "OrderedDict" : "dict";
    case PyKind::kSet:
      return "set";
    case PyKind::kGlobal:
      return "global";
    case PyKind::kStorage:
      return "storage";
    case PyKind::kTensor:
      return "Tensor";
    case PyKind::kValue:
      return node.text;
    case PyKind::kOpaque:
      return node.text;
  }
  return "?";
}

PyNode* PickleGraph::New(PyKind kind, uint64_t offset) {
  nodes_.push_back(std::make_unique<PyNode>());
  nodes_.back()->kind = kind;
  nodes_.back()->offset = offset;
  return nodes_.back().get();
}

PyNode* PickleGraph::NewStr(std::string text, uint64_t offset) {
  PyNode* node = New(PyKind::kStr, offset);
  node->text = std::move(text);
  return node;
}

PyNode* PickleGraph::NewInt(int64_t value, uint64_t offset) {
  PyNode* node = New(PyKind::kInt, offset);
  node->integer = value;
  return node;
}

void DictSet(PyNode& dict, PyNode* key, PyNode* value) {
  const std::string canonical = CanonicalKey(*key);
  if (!canonical.empty()) {
    auto [it, inserted] = dict.key_index.emplace(canonical, dict.entries.size());
    if (!inserted) {
      dict.entries[it->second].second = value;
      return;
    }
  }
  dict.entries.emplace_back(key, value);
}

const PyNode* DictGet(const PyNode& dict, const std::string& key) {
  auto it = dict.key_index.find("s:" + key);
  return it == dict.key_index.end() ? nullptr : dict.entries[it->second].second;
}

PickleRun RunPickle(ByteView bytes, const std::string& file, const std::string& context,
                    uint64_t base, PickleGraph& graph, const PersistentLoad& load,
                    const PickleOptions& options) {
  Machine machine(bytes, file, context, base, graph, load, options);
  return machine.Run();
}

}  // namespace rescope::pytorch
