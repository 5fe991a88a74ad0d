#include "api/memory_access.h"

#include <cstring>
#include <string>

namespace halter::api {
namespace {

Result<void> checkRange(uint64_t memory_size, uint64_t addr, uint64_t size) {
  if (addr > memory_size || size > memory_size - addr) {
    return makeError(ErrorCode::InvalidArgument, kNoOffset,
                     "memory range [" + std::to_string(addr) + ", " + std::to_string(addr) + " + " +
                         std::to_string(size) + ") is outside the memory of " +
                         std::to_string(memory_size) + " bytes");
  }
  return okResult();
}

} // namespace

Result<void> readGuest(std::span<const uint8_t> memory, uint64_t addr, std::span<uint8_t> out) {
  HALTER_TRY(checkRange(memory.size(), addr, out.size()));
  if (!out.empty()) std::memcpy(out.data(), memory.data() + addr, out.size());
  return okResult();
}

Result<void> writeGuest(std::span<uint8_t> memory, uint64_t addr, std::span<const uint8_t> in) {
  HALTER_TRY(checkRange(memory.size(), addr, in.size()));
  if (!in.empty()) std::memcpy(memory.data() + addr, in.data(), in.size());
  return okResult();
}

} // namespace halter::api
