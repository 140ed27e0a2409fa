// Local stand-in rules for optimizer/bookkeeping names (see the TODO in the header).
#include "core/compat_classify.h"

#include <array>
#include <vector>

namespace rescope {
namespace {

std::vector<std::string_view> Segments(std::string_view name) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    const size_t slash = name.find('/', start);
    out.push_back(name.substr(start, slash - start));
    if (slash == std::string_view::npos) return out;
    start = slash + 1;
  }
}

bool OneOf(std::string_view s, std::initializer_list<std::string_view> set) {
  for (std::string_view x : set) {
    if (s == x) return true;
  }
  return false;
}

}  // namespace

bool IsSetAsideForModelOnly(std::string_view name) {
  if (name == "_CHECKPOINTABLE_OBJECT_GRAPH") return true;
  std::vector<std::string_view> seg = Segments(name);
  for (std::string_view s : seg) {
    if (s == ".OPTIMIZER_SLOT") return true;
  }
  // TF2 object paths end in ".ATTRIBUTES/VARIABLE_VALUE"; look at the object path.
  if (seg.size() >= 2 && seg[seg.size() - 2] == ".ATTRIBUTES") seg.resize(seg.size() - 2);
  if (seg.empty()) return false;
  if (OneOf(seg.front(), {"optimizer", "optimizer_weights"})) return true;
  const std::string_view last = seg.back();
  return OneOf(last, {"global_step", "save_counter", "beta1_power", "beta2_power", "Adam", "Adam_1",
                      "Momentum", "RMSProp", "RMSProp_1", "Adagrad", "Adadelta", "Adadelta_1",
                      "Ftrl", "Ftrl_1", "ExponentialMovingAverage"});
}

}  // namespace rescope
