#include "halter/file_bytes.h"

#include "halter/limit_text.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace halter {

namespace {

Error ioError(const std::string &path, int err) {
  return makeError(ErrorCode::Io, kNoOffset, path + ": " + std::strerror(err));
}

Error tooLarge(const std::string &path, const std::string &what, uint64_t max_bytes) {
  return makeError(ErrorCode::ResourceLimit, kNoOffset,
                   path + ": " + what + " the limit of " + formatSize(max_bytes));
}

// Closes the descriptor on every path out.
struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

template <class Bytes> Result<Bytes> readBounded(const std::string &path, uint64_t max_bytes) {
  Fd file{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (file.fd < 0) return ioError(path, errno);
  struct stat st {};
  if (::fstat(file.fd, &st) != 0) return ioError(path, errno);
  if (S_ISDIR(st.st_mode)) return ioError(path, EISDIR);
  Bytes bytes;
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

} // namespace

Result<std::vector<uint8_t>> readFileBytes(const std::string &path, uint64_t max_bytes) {
  return readBounded<std::vector<uint8_t>>(path, max_bytes);
}

Result<std::string> readFileText(const std::string &path, uint64_t max_bytes) {
  return readBounded<std::string>(path, max_bytes);
}

} // namespace halter
