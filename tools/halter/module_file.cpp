#include "module_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace halter::cli {

Result<std::vector<uint8_t>> readModuleFile(const std::string &path) {
  FILE *file = std::fopen(path.c_str(), "rb");
  if (!file) return makeError(ErrorCode::Io, kNoOffset, path + ": " + std::strerror(errno));
  std::vector<uint8_t> bytes;
  uint8_t buffer[65536];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0)
    bytes.insert(bytes.end(), buffer, buffer + n);
  bool failed = std::ferror(file) != 0;
  int saved_errno = errno;
  std::fclose(file);
  if (failed) return makeError(ErrorCode::Io, kNoOffset, path + ": " + std::strerror(saved_errno));
  return bytes;
}

} // namespace halter::cli
