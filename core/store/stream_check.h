// SPDX-License-Identifier: Apache-2.0
// A check over one tensor's bytes that rides along the reads another pass makes anyway
// (diff --values recomputes stored CRC32Cs from the windows it compares), so the check
// costs no pass of its own over the data.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>

#include "core/store/byte_source.h"
#include "core/store/status.h"
#include "core/store/tensor_store.h"

namespace rescope {

class StreamCheck {
 public:
  virtual ~StreamCheck() = default;
  // Bytes [offset, offset + bytes.size) of the tensor, offset counted from the entry's
  // data_offset. Windows may repeat bytes already seen or skip ahead; an implementation
  // uses what extends the prefix it has covered and ignores the rest.
  virtual void See(uint64_t offset, ByteView bytes) = 0;
  // `twin` (a check of another tensor of the same size) has been shown, from offset 0 on,
  // exactly the bytes this check would be shown next (the caller compared them): take over
  // its state instead of computing it again. Returns false when it cannot (another kind of
  // check); the caller then shows the bytes with See.
  virtual bool Follow(const StreamCheck& twin) {
    (void)twin;
    return false;
  }
  // Called once, after the last read of the pass: reads the bytes the pass did not show,
  // then returns Ok or the error that must stop the command.
  virtual Status Finish() = 0;
};

// Makes the check for an entry, or nullptr when the entry needs none.
using StreamCheckFactory = std::function<std::unique_ptr<StreamCheck>(const TensorEntry&)>;

}  // namespace rescope
