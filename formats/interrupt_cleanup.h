// SPDX-License-Identifier: Apache-2.0
// What an interrupted run leaves behind. Ctrl-C, `kill` (SIGTERM) and a closed terminal
// (SIGHUP) end rescope without running destructors, so the temporaries of an unfinished
// write would stay. The handler installed here removes every temporary this process named
// and every directory it created that is still empty, then dies of the same signal, so the
// shell sees 128+signal as usual.
//
// A write's commit (the renames that make an output visible, with its journal) is never cut
// in half: a signal arriving inside a DeferInterrupts scope is held until the scope ends,
// so the output is then complete, and the run still ends with the signal.
#pragma once

#include <string>

namespace rescope {

// Installs the handler for SIGINT, SIGTERM and SIGHUP (once, at start-up).
void InstallInterruptCleanup();

// Paths removed (unlink) if the process is interrupted. A path that no longer exists at that
// moment (renamed into place, or already removed) is harmless: temporaries have names
// unique to this process, so the name can only ever refer to our own file.
void RemoveOnInterrupt(const std::string& path);
// Directories removed (rmdir, so only when empty) if the process is interrupted; the most
// recently registered goes first, so register parents before children.
void RemoveDirectoryOnInterrupt(const std::string& path);
// A directory this process builds under a name unique to it (a SavedModel's build folder)
// removed with everything in it if the process is interrupted; symbolic links inside are
// removed, never followed. Trees go after files and before the directories above.
void RemoveTreeOnInterrupt(const std::string& path);

class DeferInterrupts {
 public:
  DeferInterrupts();
  ~DeferInterrupts();
  DeferInterrupts(const DeferInterrupts&) = delete;
  DeferInterrupts& operator=(const DeferInterrupts&) = delete;
};

// Test hook: RESCOPE_TEST_SIGNAL_AFTER_TEMPS=N:SIG makes the process send itself SIG (INT,
// TERM or HUP) right after its N-th temporary is named, as a user's Ctrl-C would.
void MaybeSignalForTest();

}  // namespace rescope
