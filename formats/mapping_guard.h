// SPDX-License-Identifier: Apache-2.0
// MappingGuard: turns a read of a memory-mapped file that shrank after it was mapped into a
// clean error instead of a SIGBUS that kills the process.
//
// Why a fault handler and not pread everywhere: views into mappings (ByteSource::Read,
// MappedFile::All) are handed to parsers, CRC loops and libhdf5 (file images), so no
// single copy loop could be wrapped in sigsetjmp, and re-checking fstat before each access
// is racy (the file can shrink between the check and the access). Instead every mapping
// registers its address range here. On SIGBUS inside a registered range the handler maps
// anonymous zero pages over the rest of that mapping (MAP_FIXED, so the faulting read
// resumes and sees zeros) and marks the mapping as damaged. Zeros are never trusted: the
// mapping's next Read fails, AtomicOutput refuses to commit, and main turns any damage into
// exit 2 with a message naming the file (MappedFilesIntact). A SIGBUS outside every
// registered range keeps the default action (the process dies as it would have).
// A file that shrank within its last page raises no fault (the kernel zero-fills the
// page's tail); MappedFilesIntact also compares each file's current size with its mapped
// size to catch that case.
#pragma once

#include <cstdint>
#include <string>

#include "core/store/status.h"

namespace rescope {

// Registers [data, data + size) mapped from descriptor `fd` of `path`. Returns a slot
// handle for the calls below, or -1 when the registry is full (the mapping then simply
// is not guarded).
int GuardMapping(const void* data, uint64_t size, int fd, const std::string& path);
// True once a read of the slot's mapping faulted past the end of the file.
bool MappingFaulted(int slot);
// Called whenever a view into the slot's mapping is handed out (MappedFile::Read, All).
// Only such a mapping can have served zeros past a new end of file: one that was only
// read with pread (ReadStreaming, which fails on a short read) is not damage when its file
// shrinks, so a shrink that was already reported as an error does not void later writes.
void NoteMappingViewed(int slot);
// Before the mapping goes away: records damage (a fault, or a file now smaller than
// its viewed mapping) for MappedFilesIntact, then frees the slot.
void ReleaseMappingGuard(int slot);
// An error naming every mapped file that shrank while rescope read it (including those
// already unmapped), or Ok. Results computed from such a file must not be trusted.
Status MappedFilesIntact();

}  // namespace rescope
