// SPDX-License-Identifier: Apache-2.0
// Journaled replacement of a set of files (see write_journal.h).
#include "formats/write_journal.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <set>
#include <sstream>

#include "formats/interrupt_cleanup.h"

namespace rescope {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr std::string_view kJournalPrefix = ".rescope-journal-";
constexpr std::string_view kDoneSuffix = ".done";
constexpr std::string_view kPendingSuffix = ".tmp";
constexpr std::string_view kTempMarker = ".rescope-tmp-";
constexpr std::string_view kBackupMarker = ".rescope-bak-";

struct PlannedSwap {
  std::string final_path;
  std::string temp_path;    // "" = remove final_path
  std::string backup_path;  // "" = final_path did not exist
};

bool Exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

Status Errno(const std::string& what, const std::string& path) {
  return Status::IOError(path + ": " + what + ": " + std::strerror(errno));
}

std::string DirOf(const std::string& path) {
  const fs::path p(path);
  return p.has_parent_path() ? p.parent_path().string() : ".";
}

void SyncDir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

bool ProcessAlive(long pid) {
  if (pid <= 0) return false;
  if (::kill(static_cast<pid_t>(pid), 0) == 0) return true;
  return errno == EPERM;  // alive, owned by someone else
}

// The process id of a tag "<pid>-<hex>" that follows `marker` in `name`.
std::optional<long> TagPid(std::string_view name, std::string_view marker) {
  const size_t at = name.find(marker);
  if (at == std::string_view::npos) return std::nullopt;
  size_t i = at + marker.size();
  long pid = 0;
  size_t digits = 0;
  for (; i < name.size() && name[i] >= '0' && name[i] <= '9' && digits < 10; ++i, ++digits) {
    pid = pid * 10 + (name[i] - '0');
  }
  if (digits == 0 || i >= name.size() || name[i] != '-') return std::nullopt;
  return pid;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Paths in a journal are relative to its directory when they are in it, so that a
// directory moved after a crash still recovers; others are absolute.
std::string ForJournal(const std::string& path, const std::string& dir) {
  if (path.empty()) return path;
  const fs::path abs = fs::absolute(path).lexically_normal();
  if (abs.parent_path() == fs::absolute(dir).lexically_normal()) return abs.filename().string();
  return abs.string();
}

std::string FromJournal(const std::string& entry, const std::string& dir) {
  if (entry.empty() || fs::path(entry).is_absolute()) return entry;
  return (fs::path(dir) / entry).string();
}

Status WriteJournal(const std::string& path, const std::vector<PlannedSwap>& plan,
                    const std::string& dir) {
  json j;
  j["rescope_journal"] = 1;
  j["pid"] = static_cast<long>(::getpid());
  j["files"] = json::array();
  for (const PlannedSwap& p : plan) {
    j["files"].push_back({{"final", ForJournal(p.final_path, dir)},
                          {"temp", ForJournal(p.temp_path, dir)},
                          {"backup", ForJournal(p.backup_path, dir)}});
  }
  const std::string text = j.dump(1) + "\n";
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("cannot create write journal", path);
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t w = ::write(fd, text.data() + done, text.size() - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      Status st = Errno("cannot write write journal", path);
      ::close(fd);
      ::unlink(path.c_str());
      return st;
    }
    done += static_cast<size_t>(w);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    Status st = Errno("cannot sync write journal", path);
    ::unlink(path.c_str());
    return st;
  }
  return Status::Ok();
}

Result<std::vector<PlannedSwap>> ReadJournal(const std::string& path, const std::string& dir) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  json j = json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object() || !j.contains("files") || !j["files"].is_array()) {
    return Status::Corruption(path + ": not a rescope write journal (unreadable JSON)");
  }
  std::vector<PlannedSwap> plan;
  for (const json& f : j["files"]) {
    if (!f.is_object() || !f.contains("final") || !f["final"].is_string() ||
        !f.value("temp", json()).is_string() || !f.value("backup", json()).is_string()) {
      return Status::Corruption(path + ": journal entry without final/temp/backup paths");
    }
    plan.push_back({FromJournal(f["final"].get<std::string>(), dir),
                    FromJournal(f["temp"].get<std::string>(), dir),
                    FromJournal(f["backup"].get<std::string>(), dir)});
  }
  return plan;
}

// Puts every file back as it was before the write (see the cases below).
Status RollBack(const std::vector<PlannedSwap>& plan) {
  for (auto it = plan.rbegin(); it != plan.rend(); ++it) {
    const PlannedSwap& p = *it;
    if (!p.backup_path.empty() && Exists(p.backup_path)) {
      // The old file is the backup: put it back (a no-op when the rename of the new file
      // had not happened, since then final and backup are one inode; remove the link then).
      if (::rename(p.backup_path.c_str(), p.final_path.c_str()) != 0) {
        return Errno("cannot restore from " + p.backup_path, p.final_path);
      }
      if (Exists(p.backup_path)) ::unlink(p.backup_path.c_str());
    } else if (p.backup_path.empty() && !p.temp_path.empty() && !Exists(p.temp_path)) {
      // A file that did not exist before and was already renamed into place.
      if (Exists(p.final_path) && ::unlink(p.final_path.c_str()) != 0) {
        return Errno("cannot remove new file", p.final_path);
      }
    }
    // Otherwise the old file was never touched (backups are all made before any rename).
    if (!p.temp_path.empty() && Exists(p.temp_path)) ::unlink(p.temp_path.c_str());
  }
  return Status::Ok();
}

// True when a journal not marked done describes a fresh set (no file replaced, so no
// backups) whose files were all renamed into place: the switch finished and only the
// "done" mark was missing when the process died. The last rename is then the commit point
// of the set; rolling back would delete a complete output, and refusing to read it would
// report a complete output as broken. A set that replaced files never counts: its backups
// decide, since a partly rolled-back replacement also has every temporary gone.
bool FreshSetInPlace(const std::vector<PlannedSwap>& plan) {
  for (const PlannedSwap& p : plan) {
    if (!p.backup_path.empty() || p.temp_path.empty()) return false;
    if (Exists(p.temp_path) || !Exists(p.final_path)) return false;
  }
  return !plan.empty();
}

// The new set is complete: only backups and temporaries remain to go.
void RollForward(const std::vector<PlannedSwap>& plan) {
  for (const PlannedSwap& p : plan) {
    if (!p.backup_path.empty() && Exists(p.backup_path)) ::unlink(p.backup_path.c_str());
    if (!p.temp_path.empty() && Exists(p.temp_path)) ::unlink(p.temp_path.c_str());
  }
}

// Serializes commits into one directory (a second `rename -o DIR` waits for the first to
// finish its renames instead of interleaving with them). flock on the directory itself
// leaves no lock file behind.
class DirectoryLock {
 public:
  explicit DirectoryLock(const std::string& dir)
      : fd_(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) {
    if (fd_ >= 0) {
      while (::flock(fd_, LOCK_EX) != 0 && errno == EINTR) {
      }
    }
  }
  ~DirectoryLock() {
    if (fd_ >= 0) ::close(fd_);  // releases the lock
  }
  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;

 private:
  int fd_;
};

}  // namespace

std::string NewWriteTag() {
  static std::mt19937_64 rng{std::random_device{}()};
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%ld-%016llx", static_cast<long>(::getpid()),
                static_cast<unsigned long long>(rng()));
  return buf;
}

void MaybeKillForTest() {
  static const long kill_at = [] {
    const char* v = std::getenv("RESCOPE_TEST_KILL_AT_STEP");
    return v != nullptr ? std::strtol(v, nullptr, 10) : 0L;
  }();
  // RESCOPE_TEST_KILL_SIGNAL=INT|TERM|HUP sends that signal instead of SIGKILL: the swap
  // must then finish before the run ends (DeferInterrupts).
  static const int sig = [] {
    const std::string name = std::getenv("RESCOPE_TEST_KILL_SIGNAL") != nullptr
                                 ? std::getenv("RESCOPE_TEST_KILL_SIGNAL")
                                 : "";
    return name == "INT" ? SIGINT : name == "TERM" ? SIGTERM : name == "HUP" ? SIGHUP : SIGKILL;
  }();
  static long step = 0;
  if (kill_at > 0 && ++step == kill_at) ::raise(sig);
}

Status ReplaceFiles(const std::vector<FileSwap>& swaps, const std::string& tag) {
  if (swaps.empty()) return Status::Ok();
  // Ctrl-C here waits until the swap is complete: then the output is whole and the run
  // still ends with the signal.
  DeferInterrupts hold_signals;
  const std::string dir = DirOf(swaps.back().final_path);
  DirectoryLock lock(dir);
  if (swaps.size() == 1 && !swaps[0].temp_path.empty()) {
    // One rename is atomic by itself: no journal needed.
    MaybeKillForTest();
    const FileSwap& s = swaps[0];
    if (::rename(s.temp_path.c_str(), s.final_path.c_str()) != 0) {
      return Errno("cannot rename into place from " + s.temp_path, s.final_path);
    }
    if (Exists(s.temp_path)) ::unlink(s.temp_path.c_str());
    SyncDir(dir);
    return Status::Ok();
  }
  std::vector<PlannedSwap> plan;
  std::set<std::string> dirs;
  for (const FileSwap& s : swaps) {
    PlannedSwap p{s.final_path, s.temp_path, ""};
    if (Exists(s.final_path)) p.backup_path = s.final_path + std::string(kBackupMarker) + tag;
    plan.push_back(std::move(p));
    dirs.insert(DirOf(s.final_path));
  }
  const std::string journal = (fs::path(dir) / (std::string(kJournalPrefix) + tag)).string();
  const std::string pending = journal + std::string(kPendingSuffix);
  const std::string done = journal + std::string(kDoneSuffix);

  // 1. The journal appears complete or not at all.
  MaybeKillForTest();
  RESCOPE_RETURN_IF_ERROR(WriteJournal(pending, plan, dir));
  MaybeKillForTest();
  if (::rename(pending.c_str(), journal.c_str()) != 0) {
    Status st = Errno("cannot rename write journal into place", journal);
    ::unlink(pending.c_str());
    return st;
  }
  SyncDir(dir);

  auto abandon = [&](Status failure) {
    // Put the old files back; the journal goes only when that worked, so that a later run
    // can finish the job otherwise.
    if (RollBack(plan).ok()) {
      ::unlink(journal.c_str());
      SyncDir(dir);
    }
    return failure;
  };

  // 2. Backups of everything that will be replaced or removed.
  for (const PlannedSwap& p : plan) {
    if (p.backup_path.empty()) continue;
    MaybeKillForTest();
    if (::link(p.final_path.c_str(), p.backup_path.c_str()) != 0) {
      return abandon(Errno("cannot keep a backup (hard link) while replacing", p.final_path));
    }
  }
  for (const std::string& d : dirs) SyncDir(d);

  // 3. The switch.
  for (const PlannedSwap& p : plan) {
    MaybeKillForTest();
    if (!p.temp_path.empty()) {
      if (::rename(p.temp_path.c_str(), p.final_path.c_str()) != 0) {
        return abandon(Errno("cannot rename into place from " + p.temp_path, p.final_path));
      }
      // rename() of two links to one inode does nothing (--link-data of an unchanged shard).
      if (Exists(p.temp_path)) ::unlink(p.temp_path.c_str());
    } else if (Exists(p.final_path) && ::unlink(p.final_path.c_str()) != 0) {
      return abandon(Errno("cannot remove", p.final_path));
    }
  }
  for (const std::string& d : dirs) SyncDir(d);

  // 4. Done: from here on a crash rolls forward.
  MaybeKillForTest();
  if (::rename(journal.c_str(), done.c_str()) != 0) {
    return abandon(Errno("cannot mark write journal done", journal));
  }
  SyncDir(dir);
  for (const PlannedSwap& p : plan) {
    if (p.backup_path.empty()) continue;
    MaybeKillForTest();
    ::unlink(p.backup_path.c_str());
  }
  MaybeKillForTest();
  ::unlink(done.c_str());
  for (const std::string& d : dirs) SyncDir(d);
  return Status::Ok();
}

Status RecoverInterruptedWrites(const std::string& dir, RecoveryReport* report) {
  std::vector<std::string> names;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (const dirent* e = ::readdir(d)) names.emplace_back(e->d_name);
    ::closedir(d);
  } else {
    return Status::Ok();  // nothing to recover in a directory that is not there
  }
  DirectoryLock lock(dir);
  // Journals first: rolling back needs the backups and temporaries they name.
  for (const std::string& name : names) {
    if (name.rfind(kJournalPrefix, 0) != 0) continue;
    const std::optional<long> pid = TagPid(name, kJournalPrefix);
    if (!pid || ProcessAlive(*pid)) continue;
    const std::string path = (fs::path(dir) / name).string();
    if (EndsWith(name, kPendingSuffix)) {
      ::unlink(path.c_str());  // never became valid: nothing was touched
      continue;
    }
    RESCOPE_ASSIGN_OR_RETURN(std::vector<PlannedSwap> plan, ReadJournal(path, dir));
    std::string files;
    for (const PlannedSwap& p : plan) {
      files += (files.empty() ? "" : ", ") + fs::path(p.final_path).filename().string();
    }
    if (EndsWith(name, kDoneSuffix) || FreshSetInPlace(plan)) {
      RollForward(plan);
      if (report) {
        report->notes.push_back("finished an interrupted write by rescope (process " +
                                std::to_string(*pid) + ") in " + dir + ": " + files +
                                " are the new version");
      }
    } else {
      RESCOPE_RETURN_IF_ERROR(RollBack(plan));
      if (report) {
        report->notes.push_back("rolled back an interrupted write by rescope (process " +
                                std::to_string(*pid) + ") in " + dir + ": " + files +
                                " are the old version again");
      }
    }
    ::unlink(path.c_str());
  }
  // Then temporaries and backups of processes that no longer run.
  for (const std::string& name : names) {
    std::optional<long> pid = TagPid(name, kTempMarker);
    if (!pid) pid = TagPid(name, kBackupMarker);
    if (!pid || ProcessAlive(*pid)) continue;
    const std::string path = (fs::path(dir) / name).string();
    if (!Exists(path)) continue;  // handled with its journal
    if (::unlink(path.c_str()) == 0 && report) {
      report->notes.push_back("removed " + path + ", left by a killed rescope (process " +
                              std::to_string(*pid) + ")");
    }
  }
  // And SavedModel build folders of processes that no longer run, with all they hold.
  for (const std::string& name : names) {
    const std::optional<long> pid = TagPid(name, kSavedModelBuildMarker);
    if (!pid || ProcessAlive(*pid)) continue;
    const std::string path = (fs::path(dir) / name).string();
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) continue;
    std::error_code ec;
    fs::remove_all(path, ec);
    if (ec) {
      return Status::IOError(path + ": cannot remove this SavedModel build folder left by a " +
                             "killed rescope (process " + std::to_string(*pid) +
                             "): " + ec.message());
    }
    if (report) {
      report->notes.push_back("removed " + path + "/, a SavedModel build folder left by a " +
                              "killed rescope (process " + std::to_string(*pid) + ")");
    }
  }
  SyncDir(dir);
  return Status::Ok();
}

std::vector<std::string> FindInterruptedWrites(const std::string& dir) {
  std::vector<std::string> found;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return found;
  while (const dirent* e = ::readdir(d)) {
    const std::string_view name = e->d_name;
    // A pending journal never took effect; a done one, or a fresh set whose files are all
    // in place, leaves the new version complete (recovery only removes leftovers).
    if (name.rfind(kJournalPrefix, 0) != 0 || EndsWith(name, kPendingSuffix) ||
        EndsWith(name, kDoneSuffix)) {
      continue;
    }
    const std::optional<long> pid = TagPid(name, kJournalPrefix);
    if (!pid || ProcessAlive(*pid)) continue;
    const std::string path = (fs::path(dir) / name).string();
    const Result<std::vector<PlannedSwap>> plan = ReadJournal(path, dir);
    if (plan.ok() && FreshSetInPlace(*plan)) continue;
    found.push_back(path);
  }
  ::closedir(d);
  return found;
}

}  // namespace rescope
