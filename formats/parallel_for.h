// SPDX-License-Identifier: Apache-2.0
// A small parallel loop for work split into independent items (verifying the tensors of a
// checkpoint, hashing its files): items are handed out one at a time in index order, so
// threads read a file front to back together and a slow item does not hold up the others.
// Results go into slots the caller indexes by item, which keeps output order independent of
// the thread count.
#pragma once

#include <cstddef>
#include <functional>

namespace rescope {

// Threads to use when the user asked for none in particular: the hardware's concurrency
// (at least 1).
unsigned DefaultThreadCount();

// Calls body(i) once for every i in [0, count), on up to `threads` threads (the caller's
// included; 0 means DefaultThreadCount()), and returns when all calls have returned. body
// must be safe to call concurrently for different i and must not throw.
void ParallelFor(size_t count, unsigned threads, const std::function<void(size_t)>& body);

}  // namespace rescope
