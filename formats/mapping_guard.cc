// SPDX-License-Identifier: Apache-2.0
// SIGBUS-to-error guard for mapped files (see mapping_guard.h for why).
#include "formats/mapping_guard.h"

#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <mutex>
#include <vector>

namespace rescope {
namespace {

// The handler reads only these lock-free atomics; everything with allocation (paths,
// messages) lives outside it, under `g_mutex`.
struct Slot {
  std::atomic<uintptr_t> begin{0};
  std::atomic<uintptr_t> end{0};  // 0 = free slot
  std::atomic<bool> faulted{false};
  std::atomic<bool> viewed{false};  // a view into the mapping was handed out
};

// Enough for checkpoints of thousands of shards held open at once; beyond that a mapping
// is still usable, only unguarded.
constexpr size_t kSlots = 8192;
std::array<Slot, kSlots> g_slots;

struct SlotInfo {
  std::string path;
  int fd = -1;
  uint64_t size = 0;
};

std::mutex g_mutex;
std::array<SlotInfo, kSlots>* g_info = nullptr;  // guarded by g_mutex
std::vector<std::string>* g_damaged = nullptr;   // messages, guarded by g_mutex

void OnSigbus(int sig, siginfo_t* info, void*) {
  const auto addr = reinterpret_cast<uintptr_t>(info->si_addr);
  for (Slot& s : g_slots) {
    const uintptr_t end = s.end.load(std::memory_order_acquire);
    const uintptr_t begin = s.begin.load(std::memory_order_acquire);
    if (end == 0 || addr < begin || addr >= end) continue;
    const auto page = static_cast<uintptr_t>(::sysconf(_SC_PAGESIZE));
    const uintptr_t from = addr & ~(page - 1);
    const uintptr_t to = (end + page - 1) & ~(page - 1);
    // Every page from the fault on lies past the new end of file, so all of them are
    // replaced at once: one fault per shrunk mapping, not one per page.
    void* p = ::mmap(reinterpret_cast<void*>(from), to - from, PROT_READ,
                     MAP_FIXED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p != MAP_FAILED) {
      s.faulted.store(true, std::memory_order_release);
      return;  // the faulting instruction runs again and reads zeros
    }
    break;
  }
  // Not ours (or the remap failed): the default action, as if no handler existed.
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  ::sigemptyset(&dfl.sa_mask);
  ::sigaction(sig, &dfl, nullptr);
}

void InstallHandlerOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction sa {};
    sa.sa_sigaction = OnSigbus;
    sa.sa_flags = SA_SIGINFO;
    ::sigemptyset(&sa.sa_mask);
    ::sigaction(SIGBUS, &sa, nullptr);
  });
}

std::string DamageMessage(const SlotInfo& info, bool faulted, uint64_t now) {
  std::string msg = info.path + ": file shrank while rescope read it (mapped " +
                    std::to_string(info.size) + " bytes, ";
  msg += faulted ? "a read ran past its new end" : "now " + std::to_string(now) + " bytes";
  msg +=
      "; another process truncated or rewrote it?); nothing read from it is trusted, "
      "rerun once the file no longer changes";
  return msg;
}

// Damage of slot i, or "" when intact. Caller holds g_mutex.
std::string DamageOf(size_t i) {
  const SlotInfo& info = (*g_info)[i];
  const bool faulted = g_slots[i].faulted.load(std::memory_order_acquire);
  // Nothing was read through the mapping (only pread, which fails on a short read): a
  // shrink cannot have served zeros to anyone.
  if (!faulted && !g_slots[i].viewed.load(std::memory_order_acquire)) return "";
  struct stat st {};
  const bool stat_ok = info.fd >= 0 && ::fstat(info.fd, &st) == 0;
  const uint64_t now = stat_ok ? static_cast<uint64_t>(st.st_size) : info.size;
  if (!faulted && now >= info.size) return "";
  return DamageMessage(info, faulted, now);
}

}  // namespace

int GuardMapping(const void* data, uint64_t size, int fd, const std::string& path) {
  if (data == nullptr || size == 0) return -1;
  InstallHandlerOnce();
  std::lock_guard<std::mutex> lock(g_mutex);
  if (g_info == nullptr) {
    g_info = new std::array<SlotInfo, kSlots>();  // never freed: the handler may outlive main
    g_damaged = new std::vector<std::string>();
  }
  for (size_t i = 0; i < kSlots; ++i) {
    Slot& s = g_slots[i];
    if (s.end.load(std::memory_order_acquire) != 0) continue;
    (*g_info)[i] = SlotInfo{path, fd, size};
    s.faulted.store(false, std::memory_order_relaxed);
    s.viewed.store(false, std::memory_order_relaxed);
    s.begin.store(reinterpret_cast<uintptr_t>(data), std::memory_order_release);
    s.end.store(reinterpret_cast<uintptr_t>(data) + size, std::memory_order_release);
    return static_cast<int>(i);
  }
  return -1;
}

bool MappingFaulted(int slot) {
  return slot >= 0 && g_slots[static_cast<size_t>(slot)].faulted.load(std::memory_order_acquire);
}

void NoteMappingViewed(int slot) {
  if (slot < 0) return;
  std::atomic<bool>& viewed = g_slots[static_cast<size_t>(slot)].viewed;
  // Load first: parallel readers of one file then share the cache line instead of
  // writing it on every read.
  if (!viewed.load(std::memory_order_relaxed)) viewed.store(true, std::memory_order_release);
}

void ReleaseMappingGuard(int slot) {
  if (slot < 0) return;
  std::lock_guard<std::mutex> lock(g_mutex);
  const auto i = static_cast<size_t>(slot);
  std::string damage = DamageOf(i);
  if (!damage.empty()) g_damaged->push_back(std::move(damage));
  g_slots[i].end.store(0, std::memory_order_release);
  g_slots[i].begin.store(0, std::memory_order_release);
  (*g_info)[i] = SlotInfo{};
}

Status MappedFilesIntact() {
  std::lock_guard<std::mutex> lock(g_mutex);
  if (g_info == nullptr) return Status::Ok();
  std::vector<std::string> damage = *g_damaged;
  for (size_t i = 0; i < kSlots; ++i) {
    if (g_slots[i].end.load(std::memory_order_acquire) == 0) continue;
    std::string d = DamageOf(i);
    if (!d.empty()) damage.push_back(std::move(d));
  }
  if (damage.empty()) return Status::Ok();
  std::string msg = damage.front();
  for (size_t i = 1; i < damage.size(); ++i) msg += "\n" + damage[i];
  return Status::IOError(msg);
}

}  // namespace rescope
