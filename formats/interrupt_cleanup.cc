// SPDX-License-Identifier: Apache-2.0
// Removal of temporaries on SIGINT, SIGTERM and SIGHUP; see interrupt_cleanup.h.
//
// The handler may run at any moment, on any thread, so everything it touches is
// async-signal-safe: registered paths live in nodes of a push-only list that are never
// freed or modified after they are published, and the handler only walks it and calls
// unlink, rmdir, write, sigaction, pthread_sigmask and raise.
#include "formats/interrupt_cleanup.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace rescope {
namespace {

struct PathNode {
  const char* path;
  bool is_directory;
  PathNode* next;
};

std::atomic<PathNode*> g_paths{nullptr};
std::atomic<int> g_defer_depth{0};
std::atomic<int> g_pending_signal{0};
constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};

void Push(const std::string& path, bool is_directory) {
  // Deliberately never freed: the handler may be reading the list at any time.
  auto* node = new PathNode{strdup(path.c_str()), is_directory, nullptr};
  PathNode* head = g_paths.load(std::memory_order_relaxed);
  do {
    node->next = head;
  } while (!g_paths.compare_exchange_weak(head, node, std::memory_order_release,
                                          std::memory_order_relaxed));
}

void WriteStderr(std::string_view s) {
  while (!s.empty()) {
    const ssize_t n = ::write(STDERR_FILENO, s.data(), s.size());
    if (n <= 0) return;
    s.remove_prefix(static_cast<size_t>(n));
  }
}

const char* SignalName(int sig) {
  switch (sig) {
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    case SIGHUP:
      return "SIGHUP";
    default:
      return "a signal";
  }
}

[[noreturn]] void CleanUpAndDie(int sig) {
  int removed = 0;
  // Files first, then directories (newest first, so children before parents).
  for (PathNode* n = g_paths.load(std::memory_order_acquire); n != nullptr; n = n->next) {
    if (!n->is_directory && n->path != nullptr && ::unlink(n->path) == 0) ++removed;
  }
  for (PathNode* n = g_paths.load(std::memory_order_acquire); n != nullptr; n = n->next) {
    if (n->is_directory && n->path != nullptr) ::rmdir(n->path);
  }
  WriteStderr("rescope: interrupted by ");
  WriteStderr(SignalName(sig));
  WriteStderr(removed > 0 ? "; removed the unfinished output's temporary files\n" : "\n");
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  ::sigaction(sig, &dfl, nullptr);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, sig);
  ::pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
  ::raise(sig);
  ::_exit(128 + sig);  // not reached: the default action of these signals is to terminate
}

void OnSignal(int sig) {
  if (g_defer_depth.load() > 0) {
    g_pending_signal.store(sig);
    return;
  }
  CleanUpAndDie(sig);
}

}  // namespace

void InstallInterruptCleanup() {
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  for (int sig : kSignals) sigaddset(&sa.sa_mask, sig);  // one cleanup at a time
  sa.sa_flags = SA_RESTART;
  for (int sig : kSignals) {
    struct sigaction old {};
    // A signal the parent set to be ignored (nohup, a background job) stays ignored.
    if (::sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_IGN) continue;
    ::sigaction(sig, &sa, nullptr);
  }
}

void RemoveOnInterrupt(const std::string& path) { Push(path, false); }
void RemoveDirectoryOnInterrupt(const std::string& path) { Push(path, true); }

DeferInterrupts::DeferInterrupts() { g_defer_depth.fetch_add(1); }

DeferInterrupts::~DeferInterrupts() {
  if (g_defer_depth.fetch_sub(1) == 1) {
    const int sig = g_pending_signal.exchange(0);
    if (sig != 0) CleanUpAndDie(sig);
  }
}

void MaybeSignalForTest() {
  static const char* spec = std::getenv("RESCOPE_TEST_SIGNAL_AFTER_TEMPS");
  if (spec == nullptr) return;
  static long count = 0;
  char* rest = nullptr;
  const long at = std::strtol(spec, &rest, 10);
  if (++count != at || rest == nullptr || *rest != ':') return;
  const std::string_view name(rest + 1);
  const int sig = name == "TERM" ? SIGTERM : name == "HUP" ? SIGHUP : SIGINT;
  ::raise(sig);
}

}  // namespace rescope
