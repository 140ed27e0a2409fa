// SPDX-License-Identifier: Apache-2.0
// Recognises variables that hold optimizer state or training bookkeeping rather than
// model weights, from their names alone (TF1, TF2 object-based, Keras, PyTorch naming).
//
// Used by `rename --drop-optimizer` (PlanOptions::drop_optimizer) and by commands that
// want to show or compare model weights only. Pure functions of the name; no allocation
// beyond the call, thread-safe.
#pragma once

#include <string_view>

namespace rescope {

// True for optimizer state:
//  * TF1 slots: a last path segment naming an optimizer slot after the variable path:
//    `w/Adam`, `w/Adam_1`, `w/Momentum`, `w/Adagrad`, `w/Ftrl`, `w/Ftrl_1`, `w/RMSProp`,
//    `w/RMSProp_1`, `w/Adadelta`, `w/AdamW`, ... (any known optimizer name, optionally
//    with a `_<digits>` suffix), and BERT's AdamWeightDecayOptimizer `w/adam_m`, `w/adam_v`;
//  * Adam's `beta1_power` / `beta2_power` (with a `_<digits>` suffix too) in any scope;
//  * names under `training/` that are slots, `.../accumulator`, `.../linear`, or that sit
//    under an optimizer's own scope (`training/Ftrl/iter`, `training/Adagrad/decay`);
//  * TF2 slot variables (anything containing `/.OPTIMIZER_SLOT/`) and optimizer objects:
//    first segment `optimizer` (`optimizer/iter/.ATTRIBUTES/VARIABLE_VALUE`,
//    `optimizer/base_optimizer/...`, Keras 3 `optimizer/vars/0`), or second segment
//    `optimizer` in a `.ATTRIBUTES` key (`model/optimizer/iter/.ATTRIBUTES/...`);
//  * Adafactor (mesh-tf, T5) slots: last segment ending `_slot_v`, `_slot_vc`,
//    `_slot_vr` or `_slot_m`;
//  * Keras HDF5 `optimizer_weights/...` (a leading '/' is ignored);
//  * PyTorch `optimizer.state.*` / `optimizer.param_groups.*` (also under
//    `optimizer_state_dict.` and `optim.`).
bool IsOptimizerState(std::string_view name);

// True if `segment` is the name a TF1 optimizer gives itself and its slots (`Adam`,
// `Momentum`, `RMSProp`, `Ftrl`, `Adagrad`, ...), optionally with a `_<digits>` suffix
// (`Adam_1`, a second slot or a second optimizer of the same kind).
bool IsOptimizerName(std::string_view segment);

// True for training bookkeeping that is neither a weight nor optimizer state:
// `global_step`, `save_counter` (with or without the TF2 `/.ATTRIBUTES/VARIABLE_VALUE`
// suffix) and the TF2 object graph `_CHECKPOINTABLE_OBJECT_GRAPH`.
bool IsBookkeeping(std::string_view name);

}  // namespace rescope
