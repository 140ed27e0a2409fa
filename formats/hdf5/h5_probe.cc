// SPDX-License-Identifier: Apache-2.0
// Forked-child probe of an HDF5 file's metadata (see h5_probe.h for why).
#include "formats/hdf5/h5_probe.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <thread>

namespace rescope {
namespace {

// In the child: nothing may reach the user's terminal, and a crash must not spend
// seconds writing a core file.
void QuietChild() {
  const int null_fd = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (null_fd >= 0) {
    ::dup2(null_fd, STDOUT_FILENO);
    ::dup2(null_fd, STDERR_FILENO);
    ::close(null_fd);
  }
  struct rlimit no_core {};
  ::setrlimit(RLIMIT_CORE, &no_core);
}

std::string SignalName(int sig) {
  switch (sig) {
    case SIGSEGV:
      return "SIGSEGV";
    case SIGBUS:
      return "SIGBUS";
    case SIGABRT:
      return "SIGABRT";
    case SIGFPE:
      return "SIGFPE";
    case SIGILL:
      return "SIGILL";
    case SIGKILL:
      return "SIGKILL";
    default:
      return "signal";
  }
}

}  // namespace

Status ProbeInChild(const std::string& path, std::chrono::seconds timeout,
                    const std::function<bool()>& work) {
  const pid_t pid = ::fork();
  if (pid < 0) return Status::Ok();
  if (pid == 0) {
    QuietChild();
    bool ok = false;
    try {
      ok = work();
    } catch (...) {
      ok = false;
    }
    ::_exit(ok ? 0 : 3);
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto pause = std::chrono::microseconds(200);
  int wstatus = 0;
  for (;;) {
    const pid_t done = ::waitpid(pid, &wstatus, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) return Status::Ok();  // cannot happen for our own child
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid, SIGKILL);
      while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
      }
      return Status::Corruption(path + ": the HDF5 library did not finish within " +
                                std::to_string(timeout.count()) +
                                " s while reading this file's metadata; the file is corrupt");
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::microseconds(20000));
  }
  if (WIFEXITED(wstatus) && (WEXITSTATUS(wstatus) == 0 || WEXITSTATUS(wstatus) == 3)) {
    return Status::Ok();
  }
  if (WIFSIGNALED(wstatus)) {
    const int sig = WTERMSIG(wstatus);
    return Status::Corruption(path + ": the HDF5 library crashed (signal " + std::to_string(sig) +
                              ": " + SignalName(sig) +
                              ") while reading this file's metadata; the file is corrupt");
  }
  return Status::Corruption(path + ": the HDF5 library failed (exit status " +
                            std::to_string(WEXITSTATUS(wstatus)) +
                            ") while reading this file's metadata; the file is corrupt");
}

std::chrono::seconds Hdf5ProbeTimeout() {
  if (const char* env = std::getenv("RESCOPE_HDF5_PROBE_TIMEOUT")) {
    char* end = nullptr;
    const long v = std::strtol(env, &end, 10);
    if (end != env && *end == '\0' && v >= 1 && v <= 3600) return std::chrono::seconds(v);
  }
  return std::chrono::seconds(30);
}

}  // namespace rescope
