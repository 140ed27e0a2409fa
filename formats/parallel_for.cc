// SPDX-License-Identifier: Apache-2.0
// ParallelFor: a shared counter hands out item indexes to a few std::threads.
#include "formats/parallel_for.h"

#include <algorithm>
#include <atomic>
#include <system_error>
#include <thread>
#include <vector>

namespace rescope {

unsigned DefaultThreadCount() { return std::max(1u, std::thread::hardware_concurrency()); }

void ParallelFor(size_t count, unsigned threads, const std::function<void(size_t)>& body) {
  if (threads == 0) threads = DefaultThreadCount();
  const size_t workers = std::min<size_t>(threads, count);
  if (workers <= 1) {
    for (size_t i = 0; i < count; ++i) body(i);
    return;
  }
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next.fetch_add(1); i < count; i = next.fetch_add(1)) body(i);
  };
  std::vector<std::thread> pool;
  pool.reserve(workers - 1);
  for (size_t t = 1; t < workers; ++t) {
    try {
      pool.emplace_back(work);
    } catch (const std::system_error&) {
      break;  // no more threads to be had: the ones running (and this one) do all the items
    }
  }
  work();
  for (std::thread& t : pool) t.join();
}

}  // namespace rescope
