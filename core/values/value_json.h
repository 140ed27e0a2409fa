// SPDX-License-Identifier: Apache-2.0
// A tensor's values as a flat JSON array in row-major order (for `show --json`).
//
// Element encoding:
//   floats   -> numbers holding the shortest decimal of the value in its own dtype
//               (a float32 0.1 serializes as 0.1, not 0.10000000149011612);
//               NaN, +Inf, -Inf -> the strings "nan", "inf", "-inf" (JSON has no such
//               numbers);
//   integers -> exact JSON integers (int64/uint64 kept exact);
//   bool     -> true/false;
//   complex  -> [real, imag] pairs encoded like floats;
//   strings  -> JSON strings when the bytes are valid UTF-8, otherwise an object
//               {"hex": "<lowercase hex of the bytes>"} (JSON strings must be Unicode).
// The whole array is built in memory: callers decide what size is reasonable.
#pragma once

#include <nlohmann/json.hpp>

#include "core/store/status.h"
#include "core/store/tensor_store.h"

namespace rescope {

// Errors: those of the value readers (undecodable dtype, missing or corrupt data).
Result<nlohmann::json> ValuesToJson(const TensorEntry& entry);

// One float in the encoding above.
nlohmann::json FloatToJson(double value, DType dtype);

}  // namespace rescope
