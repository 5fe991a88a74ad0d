// WasiContext::saveState and restoreState: the part of a WASI guest's state
// that can outlive its process, as bytes (saved with a parked execution,
// SnapshotOptions::host_state). Nothing in it is a host descriptor or a host
// path: descriptors are described by where they came from, and opened again
// beneath what the restorer grants. All integers little-endian.
//
//   8  magic "\0hwasi\r\n", u32 version (1)
//   u8 deterministic, u64 virtual time elapsed, 4 x u64 random generator
//   u32 args, then each: u32 length and bytes; the same for env
//   u32 descriptors, increasing by number; each:
//     u32 number, u64 base rights, u64 inheriting rights, u8 origin:
//       1 stdio:   u8 stream (0 stdin, 1 stdout, 2 stderr)
//       2 preopen: string guest name
//       3 beneath a preopen: string preopen's guest name, string path,
//         u32 lookup flags, u8 filetype (directory or regular file),
//         u16 fdflags, u64 offset (regular files)
//
// A restored state is only ever what the guest could have reached from
// the restorer's grants: every path is opened beneath a granted preopen by
// the same code path_open uses, and rights only narrow.
#include "halter/wasi.h"

#include "wasi/os_fs.h"
#include "wasi/state.h"

#include <algorithm>
#include <cstring>
#include <map>
#include <optional>
#include <unistd.h>

namespace halter {
namespace {

using wasi::Errno;
using wasi::FdEntry;

constexpr char kMagic[8] = {'\0', 'h', 'w', 'a', 's', 'i', '\r', '\n'};
constexpr uint32_t kVersion = 1;
constexpr uint8_t kOriginStdio = 1;
constexpr uint8_t kOriginPreopen = 2;
constexpr uint8_t kOriginBeneath = 3;

class StateWriter {
public:
  void u8(uint8_t v) { out_.push_back(v); }
  void u16(uint16_t v) { raw(&v, 2); }
  void u32(uint32_t v) { raw(&v, 4); }
  void u64(uint64_t v) { raw(&v, 8); }
  void str(const std::string &s) {
    u32(uint32_t(s.size()));
    raw(s.data(), s.size());
  }
  void raw(const void *p, size_t n) {
    const uint8_t *b = static_cast<const uint8_t *>(p);
    out_.insert(out_.end(), b, b + n);
  }
  std::vector<uint8_t> take() { return std::move(out_); }

private:
  std::vector<uint8_t> out_;
};

Error invalidState(const std::string &what) {
  return makeError(ErrorCode::InvalidSnapshot, kNoOffset, "WASI state: " + what);
}

// Bounded reads; the first failure names the field and its offset.
class StateReader {
public:
  explicit StateReader(std::span<const uint8_t> in) : in_(in) {}
  template <class T> Result<T> num(const char *what) {
    T v;
    if (sizeof v > left()) return tooShort(what);
    std::memcpy(&v, in_.data() + at_, sizeof v);
    at_ += sizeof v;
    return v;
  }
  // A string the guest could have given: no NUL inside.
  Result<std::string> str(const char *what) {
    HALTER_ASSIGN_OR_RETURN(uint32_t n, num<uint32_t>(what));
    if (n > left()) return tooShort(what);
    std::string s(reinterpret_cast<const char *>(in_.data() + at_), n);
    if (s.find('\0') != std::string::npos)
      return invalidState(std::string(what) + " at offset " + std::to_string(at_) +
                          " holds a NUL byte");
    at_ += n;
    return s;
  }
  Result<std::vector<std::string>> strings(const char *what) {
    HALTER_ASSIGN_OR_RETURN(uint32_t n, num<uint32_t>(what));
    // Each string takes at least its 4-byte length.
    if (uint64_t(n) * 4 > left())
      return invalidState(std::to_string(n) + " " + what + " do not fit in the state");
    std::vector<std::string> out;
    for (uint32_t i = 0; i < n; ++i) {
      HALTER_ASSIGN_OR_RETURN(std::string s, str(what));
      out.push_back(std::move(s));
    }
    return out;
  }
  size_t left() const { return in_.size() - at_; }
  size_t at() const { return at_; }

private:
  Error tooShort(const char *what) const {
    return invalidState(std::string("it ends inside ") + what + " (offset " + std::to_string(at_) +
                        ")");
  }
  std::span<const uint8_t> in_;
  size_t at_ = 0;
};

Error cannotSave(uint32_t fd, const std::string &why) {
  return makeError(ErrorCode::InvalidArgument, kNoOffset,
                   "cannot save the WASI state: fd " + std::to_string(fd) + " " + why);
}

const char *kindOf(uint8_t filetype) {
  switch (filetype) {
  case wasi::filetype::kBlockDevice:
    return "a block device";
  case wasi::filetype::kCharacterDevice:
    return "a character device";
  case wasi::filetype::kSocketDgram:
  case wasi::filetype::kSocketStream:
    return "a socket";
  case wasi::filetype::kSymbolicLink:
    return "a symbolic link";
  default:
    return "a pipe or another stream";
  }
}

// One saved descriptor, read.
struct SavedFd {
  uint32_t number = 0;
  wasi::Rights base = 0, inheriting = 0;
  uint8_t origin = 0;
  uint8_t stdio = 0;
  std::string preopen; // preopen's guest name (origin 2 and 3)
  std::string path;    // beneath it (origin 3)
  uint32_t lookup = 0;
  uint8_t filetype = 0;
  uint16_t fdflags = 0;
  uint64_t offset = 0;

  std::string describe() const {
    if (origin == kOriginStdio) return "fd " + std::to_string(number) + " (stdio)";
    if (origin == kOriginPreopen)
      return "fd " + std::to_string(number) + " (preopen " + preopen + ")";
    return "fd " + std::to_string(number) + " (" + path + " beneath " + preopen + ")";
  }
};

struct SavedState {
  bool deterministic = false;
  uint64_t elapsed = 0;
  std::array<uint64_t, 4> random{};
  std::vector<std::string> args, env;
  std::vector<SavedFd> fds;
};

Result<SavedState> readState(std::span<const uint8_t> bytes) {
  if (bytes.size() < 12 || std::memcmp(bytes.data(), kMagic, 8) != 0)
    return invalidState("not a WASI state (no \"\\0hwasi\\r\\n\" magic)");
  StateReader r(bytes.subspan(8));
  HALTER_ASSIGN_OR_RETURN(uint32_t version, r.num<uint32_t>("the version"));
  if (version != kVersion)
    return invalidState("version " + std::to_string(version) + "; this halter reads version " +
                        std::to_string(kVersion));
  SavedState s;
  HALTER_ASSIGN_OR_RETURN(uint8_t det, r.num<uint8_t>("the deterministic flag"));
  if (det > 1) return invalidState("deterministic flag " + std::to_string(det));
  s.deterministic = det == 1;
  HALTER_ASSIGN_OR_RETURN(s.elapsed, r.num<uint64_t>("the virtual time"));
  for (uint64_t &v : s.random) {
    HALTER_ASSIGN_OR_RETURN(v, r.num<uint64_t>("the random generator"));
  }
  // xoshiro's all-zero state is a fixed point: every byte would be zero.
  if (s.deterministic && s.random == std::array<uint64_t, 4>{})
    return invalidState("an all-zero random generator");
  HALTER_ASSIGN_OR_RETURN(s.args, r.strings("args"));
  HALTER_ASSIGN_OR_RETURN(s.env, r.strings("env entries"));
  HALTER_ASSIGN_OR_RETURN(uint32_t count, r.num<uint32_t>("the descriptor count"));
  if (uint64_t(count) * 21 > r.left())
    return invalidState(std::to_string(count) + " descriptors do not fit in the state");
  for (uint32_t i = 0; i < count; ++i) {
    SavedFd fd;
    HALTER_ASSIGN_OR_RETURN(fd.number, r.num<uint32_t>("a descriptor number"));
    if (!s.fds.empty() && fd.number <= s.fds.back().number)
      return invalidState("descriptor " + std::to_string(fd.number) + " out of order");
    HALTER_ASSIGN_OR_RETURN(fd.base, r.num<uint64_t>("base rights"));
    HALTER_ASSIGN_OR_RETURN(fd.inheriting, r.num<uint64_t>("inheriting rights"));
    HALTER_ASSIGN_OR_RETURN(fd.origin, r.num<uint8_t>("a descriptor's origin"));
    switch (fd.origin) {
    case kOriginStdio: {
      HALTER_ASSIGN_OR_RETURN(fd.stdio, r.num<uint8_t>("a stdio stream"));
      if (fd.stdio > 2) return invalidState("stdio stream " + std::to_string(fd.stdio));
      break;
    }
    case kOriginPreopen: {
      HALTER_ASSIGN_OR_RETURN(fd.preopen, r.str("a preopen's name"));
      break;
    }
    case kOriginBeneath: {
      HALTER_ASSIGN_OR_RETURN(fd.preopen, r.str("a preopen's name"));
      HALTER_ASSIGN_OR_RETURN(fd.path, r.str("a path"));
      HALTER_ASSIGN_OR_RETURN(fd.lookup, r.num<uint32_t>("lookup flags"));
      HALTER_ASSIGN_OR_RETURN(fd.filetype, r.num<uint8_t>("a file type"));
      if (fd.filetype != wasi::filetype::kDirectory && fd.filetype != wasi::filetype::kRegularFile)
        return invalidState(fd.describe() + ": file type " + std::to_string(fd.filetype));
      HALTER_ASSIGN_OR_RETURN(fd.fdflags, r.num<uint16_t>("fdflags"));
      HALTER_ASSIGN_OR_RETURN(fd.offset, r.num<uint64_t>("a file offset"));
      if (fd.offset > uint64_t(INT64_MAX))
        return invalidState(fd.describe() + ": offset " + std::to_string(fd.offset));
      break;
    }
    default:
      return invalidState("descriptor " + std::to_string(fd.number) + ": origin " +
                          std::to_string(fd.origin));
    }
    s.fds.push_back(std::move(fd));
  }
  if (r.left() != 0) return invalidState(std::to_string(r.left()) + " bytes after the end");
  return s;
}

std::string errnoText(Errno e) {
  switch (e) {
  case Errno::NoEnt:
    return "it no longer exists";
  case Errno::NotCapable:
    return "it resolves outside the preopen";
  case Errno::RoFs:
    return "it was open for writing and the preopen is granted read-only";
  case Errno::NotDir:
    return "a component is not a directory";
  case Errno::Acces:
  case Errno::Perm:
    return "permission denied";
  case Errno::Loop:
    return "too many symbolic links, or a symbolic link opened without following";
  default:
    return "WASI errno " + std::to_string(static_cast<int>(e));
  }
}

} // namespace

Result<std::vector<uint8_t>> WasiContext::saveState() const {
  const wasi::State &st = *state_;
  if (st.exit_code)
    return makeError(ErrorCode::InvalidArgument, kNoOffset,
                     "cannot save the WASI state: the guest has exited");
  StateWriter w;
  w.raw(kMagic, 8);
  w.u32(kVersion);
  w.u8(st.clock.deterministic() ? 1 : 0);
  w.u64(st.clock.virtualElapsed());
  for (uint64_t v : st.random.state()) w.u64(v);
  for (const auto *list : {&st.args, &st.env}) {
    w.u32(uint32_t(list->size()));
    for (const std::string &s : *list) w.str(s);
  }
  w.u32(uint32_t(st.fds.entries().size()));
  for (const auto &[number, entry] : st.fds.entries()) {
    const FdEntry &e = *entry;
    w.u32(number);
    w.u64(e.base);
    w.u64(e.inheriting);
    if (e.stdio_index >= 0) {
      w.u8(kOriginStdio);
      w.u8(uint8_t(e.stdio_index));
    } else if (e.is_preopen) {
      w.u8(kOriginPreopen);
      w.str(e.preopen_name);
    } else if (e.is_socket) {
      return cannotSave(number, "is a socket; a connection does not outlive its process");
    } else if (!e.beneath_preopen) {
      return cannotSave(number, "was not opened beneath a preopen");
    } else if (e.origin_too_long) {
      return cannotSave(number, "was opened beneath " + e.origin_preopen +
                                    " by a path longer than " +
                                    std::to_string(wasi::kMaxOriginPath) + " bytes");
    } else if (!e.isDirectory() && e.filetype != wasi::filetype::kRegularFile) {
      return cannotSave(number, "(" + e.origin_path + " beneath " + e.origin_preopen + ") is " +
                                    kindOf(e.filetype) +
                                    "; only files and directories can be "
                                    "opened again");
    } else {
      uint64_t offset = 0;
      if (!e.isDirectory()) {
        const off_t at = ::lseek(e.host_fd, 0, SEEK_CUR);
        if (at < 0)
          return cannotSave(number, "(" + e.origin_path +
                                        "): its offset cannot be read: " + std::strerror(errno));
        offset = uint64_t(at);
      }
      w.u8(kOriginBeneath);
      w.str(e.origin_preopen);
      w.str(e.origin_path);
      w.u32(e.origin_lookup);
      w.u8(e.filetype);
      w.u16(e.fdflags);
      w.u64(offset);
    }
  }
  return w.take();
}

Result<void> WasiContext::restoreState(std::span<const uint8_t> saved_bytes,
                                       const WasiConfig &grants) {
  HALTER_ASSIGN_OR_RETURN(SavedState saved, readState(saved_bytes));
  // The grants' stdio, preopens and caps; the saved program's args, env and
  // clocks (makeState checks the strings as it checks a config's).
  WasiConfig config = grants;
  config.args = saved.args;
  config.env = saved.env;
  config.deterministic = saved.deterministic;
  HALTER_ASSIGN_OR_RETURN(std::unique_ptr<State> fresh, makeState(config));
  fresh->clock.advanceTo(saved.elapsed);
  fresh->random.setState(saved.random);

  // Where the fresh table (made from the grants) holds each stdio stream
  // and each preopen.
  std::optional<uint32_t> stdio_at[3];
  std::vector<std::pair<uint32_t, std::string>> preopen_at; // in grant order
  for (const auto &[number, entry] : fresh->fds.entries()) {
    if (entry->stdio_index >= 0) stdio_at[entry->stdio_index] = number;
    if (entry->is_preopen) preopen_at.emplace_back(number, entry->preopen_name);
  }
  auto missing = [](const SavedFd &fd) {
    return makeError(ErrorCode::NotFound, kNoOffset,
                     "cannot restore the WASI state: " + fd.describe() + " needs a preopen named " +
                         fd.preopen + " (--dir HOST::" + fd.preopen + ")");
  };

  // Files and directories first, while every preopen is still in the
  // fresh table to resolve beneath.
  std::map<uint32_t, std::unique_ptr<FdEntry>> restored;
  for (const SavedFd &fd : saved.fds) {
    if (fd.origin != kOriginBeneath) continue;
    FdEntry *dir = nullptr;
    for (const auto &[number, name] : preopen_at)
      if (!dir && name == fd.preopen) dir = fresh->fds.entries().at(number).get();
    if (!dir) return missing(fd);
    const uint16_t oflags = fd.filetype == wasi::filetype::kDirectory ? wasi::oflag::kDirectory : 0;
    std::unique_ptr<FdEntry> entry;
    if (Errno e = wasi::pathOpen(*dir, fd.path, fd.lookup, oflags, fd.base, fd.inheriting,
                                 fd.fdflags, entry);
        e != Errno::Success)
      return makeError(e == Errno::NoEnt ? ErrorCode::NotFound : ErrorCode::InvalidArgument,
                       kNoOffset,
                       "cannot restore the WASI state: " + fd.describe() +
                           " cannot be opened again: " + errnoText(e));
    if (entry->filetype != fd.filetype)
      return makeError(ErrorCode::InvalidArgument, kNoOffset,
                       "cannot restore the WASI state: " + fd.describe() + " was a " +
                           (fd.filetype == wasi::filetype::kDirectory ? "directory" : "file") +
                           " and is something else now");
    if (!entry->isDirectory() && ::lseek(entry->host_fd, off_t(fd.offset), SEEK_SET) < 0)
      return makeError(ErrorCode::Io, kNoOffset,
                       "cannot restore the WASI state: " + fd.describe() + ": seek to " +
                           std::to_string(fd.offset) + ": " + std::strerror(errno));
    // Saved again later, it names the same file.
    wasi::setOrigin(*entry, *dir, fd.path, fd.lookup);
    restored[fd.number] = std::move(entry);
  }
  // Then stdio and preopens, each granted one taken once, their rights
  // narrowed to the saved ones.
  for (const SavedFd &fd : saved.fds) {
    if (fd.origin == kOriginBeneath) continue;
    std::optional<uint32_t> from;
    if (fd.origin == kOriginStdio) {
      from = stdio_at[fd.stdio];
      stdio_at[fd.stdio].reset();
      if (!from) return invalidState("stdio stream " + std::to_string(fd.stdio) + " appears twice");
    } else {
      auto it = std::find_if(preopen_at.begin(), preopen_at.end(),
                             [&](const auto &p) { return p.second == fd.preopen; });
      if (it == preopen_at.end()) return missing(fd);
      from = it->first;
      preopen_at.erase(it);
    }
    std::unique_ptr<FdEntry> entry = fresh->fds.release(*from);
    entry->base &= fd.base;
    entry->inheriting &= fd.inheriting;
    restored[fd.number] = std::move(entry);
  }
  wasi::FdTable table(std::max<uint32_t>(grants.max_open_fds, 3));
  for (auto &[number, entry] : restored)
    if (!table.insertAt(number, std::move(entry)))
      return makeError(ErrorCode::ResourceLimit, kNoOffset,
                       "cannot restore the WASI state: " + std::to_string(restored.size()) +
                           " descriptors do not fit in WasiConfig::max_open_fds " +
                           std::to_string(grants.max_open_fds));
  fresh->fds = std::move(table);
  state_ = std::move(fresh);
  return okResult();
}

} // namespace halter
