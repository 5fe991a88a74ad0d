#include "module_file.h"

#include "exit_status.h"
#include "halter/limit_text.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fmt/core.h>
#include <sys/stat.h>
#include <unistd.h>

namespace halter::cli {

namespace {

Error ioError(const std::string &path, int err) {
  return makeError(ErrorCode::Io, kNoOffset, path + ": " + std::strerror(err));
}

// `what` ends in "above" or "more than": "its size, 2.00 GiB, is above".
Error tooLarge(const std::string &path, const std::string &what, uint64_t max_bytes) {
  return makeError(ErrorCode::ResourceLimit, kNoOffset,
                   path + ": " + what + " the limit of " + formatSize(max_bytes) +
                       " for module files (--max-module-size changes it)");
}

// Closes the descriptor on every path out.
struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

} // namespace

Result<std::vector<uint8_t>> readModuleFile(const std::string &path, uint64_t max_bytes) {
  Fd file{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (file.fd < 0) return ioError(path, errno);
  struct stat st {};
  if (::fstat(file.fd, &st) != 0) return ioError(path, errno);
  if (S_ISDIR(st.st_mode)) return ioError(path, EISDIR);
  std::vector<uint8_t> bytes;
  if (S_ISREG(st.st_mode)) {
    if (uint64_t(st.st_size) > max_bytes)
      return tooLarge(path, "its size, " + formatSize(uint64_t(st.st_size)) + ", is above",
                      max_bytes);
    bytes.reserve(size_t(st.st_size));
  }
  // Whatever stat said, never hold more than the bound: read at most one
  // byte past it, to tell "exactly the limit" from "more".
  constexpr size_t kChunk = 65536;
  for (;;) {
    uint64_t room = max_bytes - std::min<uint64_t>(bytes.size(), max_bytes) + 1;
    size_t want = size_t(std::min<uint64_t>(kChunk, room));
    size_t at = bytes.size();
    bytes.resize(at + want);
    ssize_t n = ::read(file.fd, bytes.data() + at, want);
    if (n < 0 && errno == EINTR) {
      bytes.resize(at);
      continue;
    }
    if (n < 0) return ioError(path, errno);
    bytes.resize(at + size_t(n));
    if (n == 0) break;
    if (bytes.size() > max_bytes) return tooLarge(path, "it holds more than", max_bytes);
  }
  return bytes;
}

std::optional<std::vector<uint8_t>> loadModuleFile(const std::string &path,
                                                   const std::string &max_size_text, int *status) {
  uint64_t max_bytes = kDefaultMaxModuleSize;
  if (!max_size_text.empty()) {
    auto parsed = parseSize(max_size_text);
    if (!parsed) {
      fmt::print(stderr, "error: --max-module-size: {}\n", parsed.error().message);
      *status = kExitUsage;
      return std::nullopt;
    }
    max_bytes = *parsed;
  }
  auto bytes = readModuleFile(path, max_bytes);
  if (!bytes) {
    bool too_large = bytes.error().code == ErrorCode::ResourceLimit;
    fmt::print(stderr, "error: {}{}\n", too_large ? "" : "cannot read ", bytes.error().message);
    *status = too_large ? kExitTooLarge : kExitInvalid;
    return std::nullopt;
  }
  return std::move(bytes).value();
}

std::shared_ptr<const Module> compileModuleFile(const std::string &path,
                                                const std::string &max_size_text, int *status,
                                                uint64_t *file_size,
                                                const CompileOptions &options) {
  auto bytes = loadModuleFile(path, max_size_text, status);
  if (!bytes) return nullptr;
  if (file_size != nullptr) *file_size = bytes->size();
  auto compiled = Module::compile(*bytes, options);
  if (!compiled) {
    fmt::print(stderr, "error: {}\n", compiled.error().describe());
    *status = kExitInvalid;
    return nullptr;
  }
  return *compiled;
}

} // namespace halter::cli
