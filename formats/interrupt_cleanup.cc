// SPDX-License-Identifier: Apache-2.0
// Removal of temporaries on SIGINT, SIGTERM and SIGHUP; see interrupt_cleanup.h.
//
// The handler may run at any moment, on any thread, so everything it touches is
// async-signal-safe: registered paths live in nodes of a push-only list that are never
// freed or modified after they are published, and the handler only walks it and calls
// unlink, rmdir, openat, getdents64, unlinkat, close, write, sigaction, pthread_sigmask and
// raise (opendir/readdir may allocate, so trees are walked with the raw system calls).
#include "formats/interrupt_cleanup.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace rescope {
namespace {

enum class PathKind { kFile, kTree, kDirectory };

struct PathNode {
  const char* path;
  PathKind kind;
  PathNode* next;
};

std::atomic<PathNode*> g_paths{nullptr};
std::atomic<int> g_defer_depth{0};
std::atomic<int> g_pending_signal{0};
constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};

void Push(const std::string& path, PathKind kind) {
  // Deliberately never freed: the handler may be reading the list at any time.
  auto* node = new PathNode{strdup(path.c_str()), kind, nullptr};
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

// The record getdents64 fills (the kernel's struct linux_dirent64).
struct DirentRecord {
  uint64_t inode;
  int64_t next_offset;
  unsigned short length;
  unsigned char type;
  char name[1];
};

// Removes `name` under the directory `parent_fd` with everything in it, using only system
// calls. Deep trees are cut off at a fixed depth (a build folder is a few levels deep):
// what remains is left for the next run's clean-up of dead processes' build folders.
bool RemoveTreeAt(int parent_fd, const char* name, int depth) {
  if (::unlinkat(parent_fd, name, 0) == 0) return true;  // a file or a symbolic link
  if (errno != EISDIR && errno != EPERM) return false;
  if (depth >= 16) return false;
  const int fd = ::openat(parent_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return false;
  // Entries are removed while the directory is read; passes repeat until one removes
  // nothing, so an entry the listing skipped after a removal is not missed.
  for (bool removed_any = true; removed_any;) {
    removed_any = false;
    if (::lseek(fd, 0, SEEK_SET) != 0) break;
    alignas(8) char buf[2048];
    for (;;) {
      const long n = ::syscall(SYS_getdents64, fd, buf, sizeof(buf));
      if (n <= 0) break;
      for (long at = 0; at < n;) {
        const auto* entry = reinterpret_cast<const DirentRecord*>(buf + at);
        at += entry->length;
        const char* child = entry->name;
        if (child[0] == '.' && (child[1] == 0 || (child[1] == '.' && child[2] == 0))) continue;
        if (RemoveTreeAt(fd, child, depth + 1)) removed_any = true;
      }
    }
  }
  ::close(fd);
  return ::unlinkat(parent_fd, name, AT_REMOVEDIR) == 0;
}

[[noreturn]] void CleanUpAndDie(int sig) {
  int removed = 0;
  // Files first, then trees, then directories (newest first, so children before parents).
  for (PathNode* n = g_paths.load(std::memory_order_acquire); n != nullptr; n = n->next) {
    if (n->kind == PathKind::kFile && n->path != nullptr && ::unlink(n->path) == 0) ++removed;
  }
  for (PathNode* n = g_paths.load(std::memory_order_acquire); n != nullptr; n = n->next) {
    if (n->kind == PathKind::kTree && n->path != nullptr && RemoveTreeAt(AT_FDCWD, n->path, 0)) {
      ++removed;
    }
  }
  for (PathNode* n = g_paths.load(std::memory_order_acquire); n != nullptr; n = n->next) {
    if (n->kind == PathKind::kDirectory && n->path != nullptr) ::rmdir(n->path);
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

void RemoveOnInterrupt(const std::string& path) { Push(path, PathKind::kFile); }
void RemoveDirectoryOnInterrupt(const std::string& path) { Push(path, PathKind::kDirectory); }
void RemoveTreeOnInterrupt(const std::string& path) { Push(path, PathKind::kTree); }

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
