// SPDX-License-Identifier: Apache-2.0
#include "cli/progress_line.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "cli/cli_common.h"
#include "cli/output_settings.h"

namespace rescope::cli {
namespace {

constexpr int64_t kRedrawNs = 250'000'000;  // at most 4 redraws a second

bool ForcedByTest() {
  const char* v = std::getenv("RESCOPE_TEST_FORCE_PROGRESS");
  return v != nullptr && std::string(v) == "1";
}

std::string Seconds(double s) {
  const auto whole = static_cast<uint64_t>(s + 0.5);
  if (whole < 60) return std::to_string(whole) + "s";
  return std::to_string(whole / 60) + "m" + std::to_string(whole % 60) + "s";
}

}  // namespace

std::string ProgressText(const std::string& what, uint64_t done, uint64_t total, double seconds) {
  done = std::min(done, total);
  std::string text = what + "  " + HumanBytes(done) + " / " + HumanBytes(total);
  if (total > 0) text += "  " + std::to_string(done * 100 / total) + "%";
  if (seconds > 0 && done > 0) {
    const double rate = static_cast<double>(done) / seconds;
    char buf[32];
    std::snprintf(buf, sizeof(buf), "  %.1f MB/s", rate / 1e6);
    text += buf;
    text += "  ETA " + Seconds(static_cast<double>(total - done) / rate);
  }
  return text;
}

uint64_t BytesToStream(const TensorStore& store, bool checksum_pass,
                       const std::function<bool(const TensorEntry&)>& wanted) {
  uint64_t total = 0;
  for (const auto& [name, e] : store) {
    if (!e.data || e.kind == EntryKind::kPartitioned) continue;
    if (wanted && !wanted(e)) continue;
    total += e.byte_size;
    if (checksum_pass && e.stored_crc32c) total += e.byte_size;
  }
  return total;
}

ProgressLine::ProgressLine(std::string what, uint64_t total, bool json)
    : what_(std::move(what)), total_(total), start_(std::chrono::steady_clock::now()) {
  every_chunk_ = ForcedByTest();
  active_ = !json && !Output().quiet && (Output().stderr_is_tty || every_chunk_);
  if (!active_) return;
  next_draw_ns_ = every_chunk_ ? 0 : kRedrawNs;  // short work never shows a line
  SetProgressSink(this);
}

ProgressLine::~ProgressLine() {
  if (!active_) return;
  SetProgressSink(nullptr);
  if (drawn_) std::cerr << "\r\033[K" << std::flush;
}

void ProgressLine::Advance(uint64_t bytes) {
  done_.fetch_add(bytes, std::memory_order_relaxed);
  const int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::steady_clock::now() - start_)
                          .count();
  int64_t due = next_draw_ns_.load(std::memory_order_relaxed);
  if (now < due) return;
  // One thread wins the redraw; the others carry on.
  if (!next_draw_ns_.compare_exchange_strong(due, every_chunk_ ? 0 : now + kRedrawNs)) return;
  Draw();
}

void ProgressLine::Draw() {
  const std::lock_guard<std::mutex> lock(draw_mutex_);
  const uint64_t done = done_.load(std::memory_order_relaxed);
  if (drawn_ && done <= last_drawn_) return;
  last_drawn_ = done;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  // One write per redraw, so the line reaches the terminal whole.
  const std::string line = "\r" + ProgressText(what_, done, total_, seconds) + "\033[K";
  std::cerr.write(line.data(), static_cast<std::streamsize>(line.size()));
  std::cerr.flush();
  drawn_ = true;
}

}  // namespace rescope::cli
