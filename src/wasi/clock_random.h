// OS layer: clocks and random bytes, real or deterministic.
#pragma once

#include "wasi/abi_types.h"

#include <array>
#include <cstdint>
#include <span>

namespace halter::wasi {

// Real clocks read the host; the virtual clock starts at a fixed instant
// and every read moves it forward by kVirtualTick, so a program that waits
// for time to pass by polling the clock still finishes, identically each run.
class WasiClock {
public:
  static constexpr uint64_t kVirtualTick = 1'000'000;                     // 1 ms
  static constexpr uint64_t kVirtualEpoch = 1'700'000'000'000'000'000ull; // realtime at start

  explicit WasiClock(bool deterministic) : deterministic_(deterministic) {}
  bool deterministic() const { return deterministic_; }
  // EINVAL for an unknown clock id.
  Errno resolution(uint32_t id, uint64_t &out) const;
  Errno now(uint32_t id, uint64_t &out);
  // Virtual time since start (deterministic mode), without advancing it.
  uint64_t virtualElapsed() const { return elapsed_; }
  // Deterministic sleeps: time jumps to `elapsed` when that is later.
  void advanceTo(uint64_t elapsed) {
    if (elapsed > elapsed_) elapsed_ = elapsed;
  }

private:
  bool deterministic_;
  uint64_t elapsed_ = 0;
};

// getrandom(2), or xoshiro256** seeded from `seed` in deterministic mode.
class WasiRandom {
public:
  WasiRandom(bool deterministic, uint64_t seed);
  Errno fill(std::span<uint8_t> out);
  bool deterministic() const { return deterministic_; }
  // The generator's state, saved and restored with a WASI state.
  std::array<uint64_t, 4> state() const { return {s_[0], s_[1], s_[2], s_[3]}; }
  void setState(const std::array<uint64_t, 4> &s) {
    for (size_t i = 0; i < 4; ++i) s_[i] = s[i];
  }

private:
  uint64_t next();
  bool deterministic_;
  uint64_t s_[4];
};

} // namespace halter::wasi
