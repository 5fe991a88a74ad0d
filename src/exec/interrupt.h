// The interrupt word of one execution (DESIGN §3.3): other threads (the
// deadline timer, a CancelToken) raise bits in it; the interpreter tests it
// with one relaxed load at every check point, and host functions that wait
// are woken through its condition variable.
#pragma once

#include "halter/limits.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace halter::exec {

struct Interrupt {
  static constexpr uint32_t kCancel = 1;
  static constexpr uint32_t kDeadline = 2;

  Interrupt() = default;
  ~Interrupt();
  Interrupt(const Interrupt &) = delete;
  Interrupt &operator=(const Interrupt &) = delete;

  std::atomic<uint32_t> word{0};
  std::mutex mutex;
  std::condition_variable wake;

  bool raised() const { return word.load(std::memory_order_relaxed) != 0; }
  // Sets `bits` and wakes a host function waiting in waitUntil or polling
  // wakeFd().
  void raise(uint32_t bits);
  // Blocks until `until` or until a bit is raised; true when `until` came first.
  bool waitUntil(Clock::time_point until);
  // A descriptor that turns readable when a bit is raised, for host
  // functions that wait on host descriptors with poll(2); made on first use,
  // -1 when the system has none to give.
  int wakeFd();
  // Clears the bits (and the descriptor) for the next execution.
  void reset();

private:
  int wake_fd_ = -1; // an eventfd; guarded by `mutex`
};

} // namespace halter::exec
