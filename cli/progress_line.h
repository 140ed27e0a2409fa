// SPDX-License-Identifier: Apache-2.0
// The progress line of long work on stderr: "converting  1.2 GiB / 2.0 GiB  61%  412 MB/s
// ETA 2s", redrawn at most 4 times a second and erased when the work ends. Shown only when
// stderr is a terminal and neither -q nor --json was given (RESCOPE_TEST_FORCE_PROGRESS=1
// forces it, redrawing on every chunk, for tests).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include "core/output/progress.h"
#include "core/store/tensor_store.h"

namespace rescope::cli {

// "done / total  pct  rate  ETA" for the given figures; rate in decimal MB/s.
std::string ProgressText(const std::string& what, uint64_t done, uint64_t total, double seconds);

// The bytes a pass over `store` streams: every entry with data (for which `wanted` says
// yes, all when empty), twice for those whose stored checksum is checked first.
uint64_t BytesToStream(const TensorStore& store, bool checksum_pass,
                       const std::function<bool(const TensorEntry&)>& wanted = {});

class ProgressLine final : public ProgressSink {
 public:
  // Installs itself as the progress sink when a progress line is wanted; `total` is the
  // bytes the work is expected to stream (done is capped at it: it is an estimate).
  ProgressLine(std::string what, uint64_t total, bool json);
  ~ProgressLine() override;  // uninstalls and erases the line
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  void Advance(uint64_t bytes) override;

 private:
  void Draw();

  std::string what_;
  uint64_t total_;
  bool active_ = false;
  bool every_chunk_ = false;
  std::atomic<bool> drawn_{false};
  std::chrono::steady_clock::time_point start_;
  std::atomic<uint64_t> done_{0};
  std::atomic<int64_t> next_draw_ns_{0};
  // Several streaming threads may win a redraw at once (always with the test hook): one
  // draws at a time, from the latest count, so the line never goes backwards or interleaves.
  std::mutex draw_mutex_;
  uint64_t last_drawn_ = 0;
};

}  // namespace rescope::cli
