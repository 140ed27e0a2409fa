// SPDX-License-Identifier: Apache-2.0
// Name patterns of optimizer state and bookkeeping variables, checked against the real
// checkpoints listed in testdata/real/PROVENANCE.md.
#include "core/rename/optimizer_state.h"

#include <array>

namespace rescope {
namespace {

// The names TF1 optimizers give their slot variables (Optimizer._name): the slot of
// `w` is `w/<name>`, further slots `w/<name>_1`, and a second optimizer of the same kind
// is uniquified to `<name>_2`, ... .
constexpr std::array<std::string_view, 15> kOptimizerNames = {
    "Adam",     "AdamW",    "Adamax",          "AdaMax",    "Nadam",
    "LazyAdam", "Momentum", "Adagrad",         "AdagradDA", "Ftrl",
    "RMSProp",  "Adadelta", "ProximalAdagrad", "LAMB",      "SGD"};

std::string_view LastSegment(std::string_view name) {
  const size_t slash = name.rfind('/');
  return slash == std::string_view::npos ? name : name.substr(slash + 1);
}

std::string_view Segment(std::string_view name, size_t index) {
  for (size_t i = 0; i < index; ++i) {
    const size_t slash = name.find('/');
    if (slash == std::string_view::npos) return {};
    name.remove_prefix(slash + 1);
  }
  return name.substr(0, name.find('/'));
}

// "Adam" -> "Adam", "Adam_12" -> "Adam": strips one `_<digits>` suffix.
std::string_view StripNumberSuffix(std::string_view s) {
  const size_t underscore = s.rfind('_');
  if (underscore == std::string_view::npos || underscore + 1 == s.size()) return s;
  for (size_t i = underscore + 1; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return s;
  }
  return s.substr(0, underscore);
}

bool IsSlotSegment(std::string_view segment) {
  return IsOptimizerName(segment) || segment == "adam_m" || segment == "adam_v";
}

bool IsAdafactorSlot(std::string_view segment) {
  for (const std::string_view suffix : {"_slot_v", "_slot_vc", "_slot_vr", "_slot_m"}) {
    if (segment.size() > suffix.size() && segment.ends_with(suffix)) return true;
  }
  return false;
}

bool IsPyTorchOptimizerKey(std::string_view name) {
  for (const std::string_view owner : {"optimizer.", "optimizer_state_dict.", "optim."}) {
    if (!name.starts_with(owner)) continue;
    const std::string_view rest = name.substr(owner.size());
    if (rest.starts_with("state.") || rest.starts_with("param_groups.") || rest == "state" ||
        rest == "param_groups") {
      return true;
    }
  }
  return false;
}

}  // namespace

bool IsOptimizerName(std::string_view segment) {
  const std::string_view base = StripNumberSuffix(segment);
  for (const std::string_view name : kOptimizerNames) {
    if (base == name) return true;
  }
  return false;
}

bool IsOptimizerState(std::string_view name) {
  if (name.find("/.OPTIMIZER_SLOT/") != std::string_view::npos) return true;
  if (IsPyTorchOptimizerKey(name)) return true;
  if (name.starts_with('/')) name.remove_prefix(1);  // HDF5 object paths
  const std::string_view first = Segment(name, 0);
  if (first == "optimizer" || first == "optimizer_weights") return true;
  const bool has_path = name.find('/') != std::string_view::npos;
  if (has_path && Segment(name, 1) == "optimizer" &&
      name.find("/.ATTRIBUTES/") != std::string_view::npos) {
    return true;
  }
  const std::string_view last = LastSegment(name);
  const std::string_view last_base = StripNumberSuffix(last);
  if (last_base == "beta1_power" || last_base == "beta2_power") return true;
  if (!has_path) return false;
  if (IsSlotSegment(last) || IsAdafactorSlot(last)) return true;
  if (first == "training") {
    // Keras-v2 optimizers under TF1 names keep everything under training/<Optimizer>/,
    // including hyperparameters (training/Ftrl/learning_rate_power).
    if (IsOptimizerName(Segment(name, 1))) return true;
    if (last == "accumulator" || last == "linear") return true;
  }
  return false;
}

bool IsBookkeeping(std::string_view name) {
  constexpr std::string_view kTf2Suffix = "/.ATTRIBUTES/VARIABLE_VALUE";
  if (name == "_CHECKPOINTABLE_OBJECT_GRAPH") return true;
  if (name.ends_with(kTf2Suffix)) name.remove_suffix(kTf2Suffix.size());
  return name == "global_step" || name == "save_counter";
}

}  // namespace rescope
