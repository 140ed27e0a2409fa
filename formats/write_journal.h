// SPDX-License-Identifier: Apache-2.0
// Crash-safe replacement of a set of files (a TF bundle's index and data shards, a sharded
// safetensors or PyTorch set and its index): after a crash at any moment, the target is the
// old set or the new one once the journal has been replayed.
//
// A rename of one file is atomic; a rename of several is not. Before touching any existing
// file, ReplaceFiles writes a journal (`.rescope-journal-<pid>-<id>`) naming every file and
// hard-links each file it will replace or remove to a backup name. It then renames the new
// files into place, removes the files the new set no longer has, and marks the journal done
// by renaming it (`...done`, one atomic step) before deleting backups and journal. Replaying
// a journal of a process that no longer runs rolls back (restores the backups, removes new
// files) when it is not marked done, and forward (deletes the backups) when it is. A fresh
// set (no file replaced) whose files are all renamed into place also rolls forward: its last
// rename was the commit, only the "done" mark was missing.
//
// The same process-id tag names temporaries (`<file>.rescope-tmp-<pid>-<id>`), so that
// files left by a killed run are recognized as such and removed by the next run, while
// those of a live run are left alone.
#pragma once

#include <string>
#include <vector>

#include "core/store/status.h"

namespace rescope {

// Marks the folder a SavedModel is built in beside its target
// (`<target>.rescope-savedmodel-<pid>-<id>`), renamed into place when complete; a dead
// process's build folder is removed whole by RecoverInterruptedWrites.
inline constexpr const char* kSavedModelBuildMarker = ".rescope-savedmodel-";

// "<pid>-<16 hex digits>", fresh per call: the tag of one write's temporaries and journal.
std::string NewWriteTag();

// One file of a replacement: `temp` (already complete and fsynced) becomes `final`; an
// empty `temp` means `final` is removed (a stale shard of the old set).
struct FileSwap {
  std::string final_path;
  std::string temp_path;
};

// Applies `swaps` in order, crash-safely as described above. The journal lives in the
// directory of the last swap's final path. `tag` is the write's NewWriteTag().
Status ReplaceFiles(const std::vector<FileSwap>& swaps, const std::string& tag);

// What RecoverInterruptedWrites did, one line per journal or stale file, for stderr.
struct RecoveryReport {
  std::vector<std::string> notes;
};

// Replays the journals of dead processes in `dir` and removes their temporaries, backups
// and SavedModel build folders. Never touches files of a process that is still running. Safe to
// call anywhere.
Status RecoverInterruptedWrites(const std::string& dir, RecoveryReport* report);

// Journals of dead processes in `dir` (their paths) whose write may have stopped half-way: a
// checkpoint in such a directory may be a mix of two versions (or an incomplete fresh set)
// until RecoverInterruptedWrites runs. Journals marked done, and those of a fresh set whose
// files are all in place, are not listed: the new version is complete there.
std::vector<std::string> FindInterruptedWrites(const std::string& dir);

// Test hook: with RESCOPE_TEST_KILL_AT_STEP=N in the environment, the N-th filesystem step
// of ReplaceFiles (1-based) kills the process with SIGKILL, as a power cut or kill -9
// would, so that tests can stop a write at every point. Unset: no effect.
void MaybeKillForTest();

}  // namespace rescope
