// SPDX-License-Identifier: Apache-2.0
// Progress of long byte-streaming work (verify, diff --values, convert, copy-mode rename).
// The data paths call ReportProgress(bytes) once per chunk they stream; a front end that
// wants a progress display installs a sink, otherwise the call is one relaxed atomic load
// and a branch. Sinks must accept calls from several threads at once.
#pragma once

#include <atomic>
#include <cstdint>

namespace rescope {

class ProgressSink {
 public:
  virtual ~ProgressSink() = default;
  virtual void Advance(uint64_t bytes) = 0;
};

namespace progress_internal {
extern std::atomic<ProgressSink*> g_sink;
}  // namespace progress_internal

// The sink stays installed until replaced; nullptr switches reporting off.
void SetProgressSink(ProgressSink* sink);

inline void ReportProgress(uint64_t bytes) {
  ProgressSink* sink = progress_internal::g_sink.load(std::memory_order_relaxed);
  if (sink != nullptr) sink->Advance(bytes);
}

}  // namespace rescope
