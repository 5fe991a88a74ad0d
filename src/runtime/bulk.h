// Bulk work in bounded chunks with an interrupt test after each (DESIGN
// §3.3): memory.fill/copy/init and table.fill/copy/init/grow stop on a
// deadline or cancel as promptly as a loop. A chunk is about 20-100 µs of
// memset or memmove, page faults on fresh pages included.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <functional>

namespace halter::rt {

inline constexpr uint64_t kBulkChunkBytes = 256 << 10;
inline constexpr uint64_t kBulkChunkElems = 32 << 10;

inline bool interruptRaised(const std::atomic<uint32_t> *interrupt) {
  return interrupt != nullptr && interrupt->load(std::memory_order_relaxed) != 0;
}

// Moves `n` elements from `src` to `dst` (the ranges may overlap), in chunks
// in the direction that reads each source element before it is overwritten.
// False when `interrupt` was raised after a chunk (a part is moved).
template <class T>
bool chunkedMove(T *dst, const T *src, uint64_t n, uint64_t chunk,
                 const std::atomic<uint32_t> *interrupt) {
  bool ascending = std::less_equal<const T *>()(dst, src);
  for (uint64_t k = 0; k < n; k += chunk) {
    uint64_t len = std::min(n - k, chunk);
    uint64_t at = ascending ? k : n - k - len;
    std::memmove(dst + at, src + at, len * sizeof(T));
    if (interruptRaised(interrupt)) return false;
  }
  return true;
}

// Sets `n` elements from `dst` to `v`, as chunkedMove.
template <class T>
bool chunkedFill(T *dst, T v, uint64_t n, uint64_t chunk, const std::atomic<uint32_t> *interrupt) {
  for (uint64_t k = 0; k < n; k += chunk) {
    std::fill_n(dst + k, std::min(n - k, chunk), v);
    if (interruptRaised(interrupt)) return false;
  }
  return true;
}

} // namespace halter::rt
