// SPDX-License-Identifier: Apache-2.0
#include "core/output/progress.h"

namespace rescope {

namespace progress_internal {
std::atomic<ProgressSink*> g_sink{nullptr};
}  // namespace progress_internal

void SetProgressSink(ProgressSink* sink) {
  progress_internal::g_sink.store(sink, std::memory_order_release);
}

}  // namespace rescope
