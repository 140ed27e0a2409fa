// SPDX-License-Identifier: Apache-2.0
// Attributes TF1 name-based optimizer slots to the variable they belong to, so that a
// rename of a variable can carry its slots along wherever the optimizer put them.
//
// A TF1 optimizer names the slot of variable V after V's path, with its own naming around
// it. The layouts recognised (checked against testdata/real, PROVENANCE.md):
//
//   V/<Slot>                   V/Adam, V/Adam_1, V/Momentum, V/RMSProp_1, V/Ftrl_1,
//                              V/ExponentialMovingAverage, V/adam_m (BERT)
//   training/V/<Slot>          tensor2tensor: training/transformer/.../kernel/Adam
//   [training/]<Opt>/V/<Kslot> Keras optimizers under TF1 names (Estimators):
//                              training/Adagrad/dnn/hiddenlayer_0/kernel/accumulator,
//                              training/Ftrl/linear/.../weights/linear
//
// <Slot> is an optimizer name (Adam, Momentum, RMSProp, Ftrl, Adagrad, ... with an
// optional _<digits> suffix), adam_m/adam_v or ExponentialMovingAverage; <Opt> is an
// optimizer name; <Kslot> is a <Slot> or a Keras slot name (m, v, vhat, accumulator,
// linear, rms, momentum, mg, accum_grad, accum_var). V must be a name in the set, taken as
// a run of whole segments: a partitioned variable's piece `w/part_0` is a V like any other.
//
// An entry that fits a layout for exactly one V in the set is V's slot. One that fits
// several (a variable `training/w` and a variable `w` both own `training/w/Adam`) is
// ambiguous and attributed to none; one that fits a layout but whose V is not in the set is
// unattributed. Neither is ever guessed: the planner names them in warnings.
//
// Slots are recognised for '/'-separated names only; dotted formats keep optimizer state
// apart from the weights (PyTorch `optimizer.state.N`), so nothing there is a slot.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace rescope {

struct SlotOwner {
  std::string owner;   // the variable's name: "dnn/hiddenlayer_0/kernel"
  std::string prefix;  // what comes before it: "", "training/", "training/Adagrad/"
  std::string suffix;  // what comes after it: "/Adam", "/accumulator"
};

struct SlotAttribution {
  std::map<std::string, SlotOwner, std::less<>> slots;  // slot name -> its variable
  // Slot-like entries with no owner in the set (unattributed) or several (ambiguous),
  // with every reading of the name, for warnings.
  std::map<std::string, std::vector<SlotOwner>, std::less<>> unattributed;
  std::map<std::string, std::vector<SlotOwner>, std::less<>> ambiguous;

  const SlotOwner* Find(std::string_view name) const {
    const auto it = slots.find(name);
    return it == slots.end() ? nullptr : &it->second;
  }
};

// Every reading of `name` as a slot (prefix, variable path, suffix), whether or not the
// variable exists; empty when the name fits no layout. Pure function of the name.
std::vector<SlotOwner> SlotLayouts(std::string_view name);

// Attributes every name of `names` (sorted or not, duplicates allowed) that fits a layout.
// `separator` is the names' scope separator; only '/' has slots.
SlotAttribution AttributeSlots(const std::vector<std::string>& names, char separator);

}  // namespace rescope
