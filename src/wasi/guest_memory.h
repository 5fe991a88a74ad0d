// The ABI layer's view of guest memory: every pointer and length the guest
// passes is checked here before a byte is touched. Nothing is cached: a
// GuestMemory lives for one host call (memory can grow between calls).
#pragma once

#include "wasi/abi_types.h"

#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>

namespace halter::wasi {

// Lengths are 32-bit in wasm32, so one fd_read/fd_write moves at most this
// much in total (more is EINVAL, the sum "overflowing size_t").
inline constexpr uint64_t kMaxIoTotal = UINT32_MAX;
// More iovecs than this in one call is EINVAL (POSIX allows refusing past
// IOV_MAX, 1024 in wasi-libc); it bounds the host's time in one call.
inline constexpr uint32_t kMaxIovecs = 1u << 16;

class GuestMemory {
public:
  explicit GuestMemory(std::span<uint8_t> bytes) : bytes_(bytes) {}

  uint64_t size() const { return bytes_.size(); }
  bool inBounds(uint64_t ptr, uint64_t len) const {
    return ptr <= bytes_.size() && len <= bytes_.size() - ptr;
  }
  // The guest bytes [ptr, ptr+len), or EFAULT.
  Errno span(uint32_t ptr, uint32_t len, std::span<uint8_t> &out) const {
    if (!inBounds(ptr, len)) return Errno::Fault;
    out = bytes_.subspan(ptr, len);
    return Errno::Success;
  }
  // A path or other string argument: EFAULT out of bounds, EILSEQ when it
  // holds a NUL (no host call could represent it).
  Errno string(uint32_t ptr, uint32_t len, std::string_view &out) const {
    if (!inBounds(ptr, len)) return Errno::Fault;
    out = std::string_view(reinterpret_cast<const char *>(bytes_.data()) + ptr, len);
    if (out.find('\0') != std::string_view::npos) return Errno::IlSeq;
    return Errno::Success;
  }

  template <class T> Errno load(uint64_t ptr, T &out) const {
    if (!inBounds(ptr, sizeof(T))) return Errno::Fault;
    std::memcpy(&out, bytes_.data() + ptr, sizeof(T)); // wasm is little-endian, like the host
    return Errno::Success;
  }
  template <class T> Errno store(uint64_t ptr, T value) {
    if (!inBounds(ptr, sizeof(T))) return Errno::Fault;
    std::memcpy(bytes_.data() + ptr, &value, sizeof(T));
    return Errno::Success;
  }
  // Unchecked variants, for fields of a struct whose whole range was checked.
  template <class T> T loadAt(uint64_t ptr) const {
    T v;
    std::memcpy(&v, bytes_.data() + ptr, sizeof(T));
    return v;
  }
  template <class T> void storeAt(uint64_t ptr, T value) {
    std::memcpy(bytes_.data() + ptr, &value, sizeof(T));
  }
  uint8_t *data() { return bytes_.data(); }

private:
  std::span<uint8_t> bytes_;
};

// A guest's iovec array, checked once (array and every buffer in bounds,
// total within kMaxIoTotal) and then walked lazily: a hostile count never
// makes the host allocate in proportion to it.
class IovecList {
public:
  // EFAULT when the array or a buffer lies outside memory, EINVAL when the
  // lengths add up to more than kMaxIoTotal or there are more than kMaxIovecs.
  static Errno check(GuestMemory &memory, uint32_t ptr, uint32_t count, IovecList &out);

  uint32_t count() const { return count_; }
  uint64_t totalBytes() const { return total_; }
  // Buffer i, re-read from guest memory (empty if it no longer is in bounds).
  std::span<uint8_t> at(uint32_t i) const;

private:
  GuestMemory *memory_ = nullptr;
  uint32_t ptr_ = 0;
  uint32_t count_ = 0;
  uint64_t total_ = 0;
};

} // namespace halter::wasi
