// WasiContext: building the descriptor table from a WasiConfig.
#include "halter/wasi.h"

#include "wasi/os_fs.h"
#include "wasi/state.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace halter {
namespace {

using wasi::FdEntry;
using wasi::FdKind;

Error osError(const std::string &what) {
  int e = errno;
  return makeError(e == ENOENT ? ErrorCode::NotFound : ErrorCode::Io, kNoOffset,
                   what + ": " + std::strerror(e));
}

// A host descriptor as a stdio stream: its rights follow what it is.
void describeHostStream(FdEntry &entry, bool input) {
  entry.kind = FdKind::Host;
  struct stat st;
  entry.filetype = fstat(entry.host_fd, &st) == 0 ? wasi::filetypeFromMode(st.st_mode)
                                                  : wasi::filetype::kUnknown;
  namespace r = wasi::right;
  entry.base = r::kFdFdstatSetFlags | r::kFdFilestatGet | r::kPollFdReadwrite |
               (input ? r::kFdRead : r::kFdWrite);
  // A file can be positioned (seeking the host's own inherited stdio moves
  // the host's offset, as a shell redirection would); a terminal must not
  // look seekable, or wasi-libc's isatty() says no.
  if (entry.filetype == wasi::filetype::kRegularFile)
    entry.base |= r::kFdSeek | r::kFdTell | r::kFdSync | r::kFdDatasync | r::kFdAdvise;
}

Result<std::unique_ptr<FdEntry>> makeStdio(const WasiStdio &binding, int index, bool input,
                                           uint64_t max_captured,
                                           std::shared_ptr<wasi::MemoryStream> &capture) {
  auto entry = std::make_unique<FdEntry>();
  entry->stdio_index = index;
  namespace r = wasi::right;
  switch (binding.kind) {
  case WasiStdio::Kind::Null:
    entry->kind = FdKind::Null;
    entry->filetype = wasi::filetype::kCharacterDevice;
    entry->base = r::kStream;
    break;
  case WasiStdio::Kind::Buffer:
    entry->kind = FdKind::Memory;
    entry->filetype = wasi::filetype::kUnknown;
    entry->base = r::kFdFdstatSetFlags | r::kFdFilestatGet | r::kPollFdReadwrite |
                  (input ? r::kFdRead : r::kFdWrite);
    entry->memory = std::make_shared<wasi::MemoryStream>();
    if (input)
      entry->memory->data = binding.data;
    else
      entry->memory->max_bytes = max_captured;
    capture = entry->memory;
    break;
  case WasiStdio::Kind::Inherit:
    entry->host_fd = index;
    describeHostStream(*entry, input);
    break;
  case WasiStdio::Kind::HostFd:
    if (binding.fd < 0)
      return makeError(ErrorCode::InvalidArgument, kNoOffset, "WASI stdio: negative host fd");
    entry->host_fd = binding.fd;
    describeHostStream(*entry, input);
    break;
  case WasiStdio::Kind::File: {
    int flags = input ? O_RDONLY : (O_WRONLY | O_CREAT | O_TRUNC);
    int fd = ::open(binding.path.c_str(), flags | O_CLOEXEC | O_NOCTTY, 0666);
    if (fd < 0) return osError("WASI stdio file " + binding.path);
    entry->owned.reset(fd);
    entry->host_fd = fd;
    describeHostStream(*entry, input);
    break;
  }
  }
  return entry;
}

const std::string kEmpty;

} // namespace

WasiContext::WasiContext(std::unique_ptr<State> state) : state_(std::move(state)) {}
WasiContext::~WasiContext() = default;

Result<std::unique_ptr<WasiContext::State>> WasiContext::makeState(const WasiConfig &config) {
  auto state = std::make_unique<State>(std::max<uint32_t>(config.max_open_fds, 3),
                                       config.deterministic, config.seed);
  state->args = config.args;
  state->env = config.env;
  for (const auto &e : config.env)
    if (e.find('=') == std::string::npos)
      return makeError(ErrorCode::InvalidArgument, kNoOffset,
                       "WASI environment entry without '=': " + e);
  // The guest sees NUL-terminated strings: a NUL inside would silently cut one.
  auto hasNul = [](const std::string &s) { return s.find('\0') != std::string::npos; };
  for (const auto *list : {&config.args, &config.env})
    for (const auto &s : *list)
      if (hasNul(s))
        return makeError(ErrorCode::InvalidArgument, kNoOffset,
                         "WASI argument or environment entry holds a NUL byte");
  for (const auto &p : config.preopens)
    if (hasNul(p.guest_path) || hasNul(p.host_path))
      return makeError(ErrorCode::InvalidArgument, kNoOffset, "WASI preopen path holds a NUL byte");

  const WasiStdio *stdio[3] = {&config.stdin_stream, &config.stdout_stream, &config.stderr_stream};
  for (int i = 0; i < 3; ++i) {
    std::shared_ptr<wasi::MemoryStream> capture;
    HALTER_ASSIGN_OR_RETURN(auto entry,
                            makeStdio(*stdio[i], i, i == 0, config.max_captured_bytes, capture));
    if (i == 1) state->stdout_capture = capture;
    if (i == 2) state->stderr_capture = capture;
    uint32_t fd;
    if (state->fds.insert(std::move(entry), fd) != wasi::Errno::Success)
      return makeError(ErrorCode::ResourceLimit, kNoOffset, "WASI: descriptor table full");
  }

  for (const auto &p : config.preopens) {
    if (p.guest_path.empty())
      return makeError(ErrorCode::InvalidArgument, kNoOffset,
                       "WASI preopen " + p.host_path + ": empty guest path");
    int fd = ::open(p.host_path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return osError("WASI preopen " + p.host_path);
    auto entry = std::make_unique<FdEntry>();
    entry->kind = FdKind::Host;
    entry->filetype = wasi::filetype::kDirectory;
    entry->owned.reset(fd);
    entry->host_fd = fd;
    entry->base = wasi::right::kDirectory;
    // Children may be asked for any right; the write capability (EROFS
    // otherwise) is what keeps a read-only preopen read-only. wasi-libc masks
    // requested rights with these, so they must include writing for a
    // write-mode open to reach the check instead of silently opening read-only.
    entry->inheriting = wasi::right::kDirectory | wasi::right::kFile;
    entry->writable = p.writable;
    entry->is_preopen = true;
    entry->preopen_name = p.guest_path;
    uint32_t number;
    if (state->fds.insert(std::move(entry), number) != wasi::Errno::Success)
      return makeError(ErrorCode::ResourceLimit, kNoOffset, "WASI: descriptor table full");
  }

  for (int sock : config.sockets) {
    int fd = ::fcntl(sock, F_DUPFD_CLOEXEC, 0);
    if (fd < 0) return osError("WASI socket");
    auto entry = std::make_unique<FdEntry>();
    entry->owned.reset(fd);
    entry->host_fd = fd;
    describeHostStream(*entry, true);
    if (entry->filetype != wasi::filetype::kSocketStream)
      return makeError(ErrorCode::InvalidArgument, kNoOffset, "WASI socket: not a socket");
    entry->is_socket = true;
    entry->base = wasi::right::kSocket;
    entry->inheriting = wasi::right::kSocket;
    uint32_t number;
    if (state->fds.insert(std::move(entry), number) != wasi::Errno::Success)
      return makeError(ErrorCode::ResourceLimit, kNoOffset, "WASI: descriptor table full");
  }
  return state;
}

Result<std::shared_ptr<WasiContext>> WasiContext::create(const WasiConfig &config) {
  HALTER_ASSIGN_OR_RETURN(std::unique_ptr<State> state, makeState(config));
  return std::shared_ptr<WasiContext>(new WasiContext(std::move(state)));
}

Result<void> WasiContext::reset(const WasiConfig &config) {
  HALTER_ASSIGN_OR_RETURN(std::unique_ptr<State> state, makeState(config));
  state_ = std::move(state);
  return okResult();
}

const std::string &WasiContext::capturedStdout() const {
  return state_->stdout_capture ? state_->stdout_capture->data : kEmpty;
}
const std::string &WasiContext::capturedStderr() const {
  return state_->stderr_capture ? state_->stderr_capture->data : kEmpty;
}
std::optional<int> WasiContext::exitCode() const {
  return state_->exit_code;
}

} // namespace halter
