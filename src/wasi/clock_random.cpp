#include "wasi/clock_random.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <sys/random.h>

namespace halter::wasi {
namespace {

bool hostClockId(uint32_t id, clockid_t &out) {
  switch (id) {
  case clockid::kRealtime:
    out = CLOCK_REALTIME;
    return true;
  case clockid::kMonotonic:
    out = CLOCK_MONOTONIC;
    return true;
  case clockid::kProcessCputime:
    out = CLOCK_PROCESS_CPUTIME_ID;
    return true;
  case clockid::kThreadCputime:
    out = CLOCK_THREAD_CPUTIME_ID;
    return true;
  default:
    return false;
  }
}

uint64_t toNs(const timespec &ts) {
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
}

uint64_t splitMix(uint64_t &x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

uint64_t rotl(uint64_t x, int k) {
  return (x << k) | (x >> (64 - k));
}

} // namespace

Errno WasiClock::resolution(uint32_t id, uint64_t &out) const {
  clockid_t host;
  if (!hostClockId(id, host)) return Errno::Inval;
  if (deterministic_) {
    out = kVirtualTick;
    return Errno::Success;
  }
  timespec ts{};
  if (clock_getres(host, &ts) != 0) return errnoFromHost(errno);
  out = toNs(ts);
  return Errno::Success;
}

Errno WasiClock::now(uint32_t id, uint64_t &out) {
  clockid_t host;
  if (!hostClockId(id, host)) return Errno::Inval;
  if (deterministic_) {
    out = (id == clockid::kRealtime ? kVirtualEpoch : 0) + elapsed_;
    elapsed_ += kVirtualTick;
    return Errno::Success;
  }
  timespec ts{};
  if (clock_gettime(host, &ts) != 0) return errnoFromHost(errno);
  out = toNs(ts);
  return Errno::Success;
}

WasiRandom::WasiRandom(bool deterministic, uint64_t seed) : deterministic_(deterministic) {
  for (auto &s : s_) s = splitMix(seed);
}

uint64_t WasiRandom::next() {
  uint64_t result = rotl(s_[1] * 5, 7) * 9;
  uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

Errno WasiRandom::fill(std::span<uint8_t> out) {
  if (deterministic_) {
    size_t i = 0;
    while (i < out.size()) {
      uint64_t v = next();
      size_t n = std::min<size_t>(8, out.size() - i);
      std::memcpy(out.data() + i, &v, n);
      i += n;
    }
    return Errno::Success;
  }
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = getrandom(out.data() + done, out.size() - done, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errnoFromHost(errno);
    }
    done += static_cast<size_t>(n);
  }
  return Errno::Success;
}

} // namespace halter::wasi
