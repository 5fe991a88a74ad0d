#include "exec/interrupt.h"

#include <cstdint>
#include <sys/eventfd.h>
#include <unistd.h>

namespace halter::exec {

Interrupt::~Interrupt() {
  if (wake_fd_ >= 0) ::close(wake_fd_);
}

void Interrupt::raise(uint32_t bits) {
  {
    // Under the mutex so that a waiter between its test and its wait cannot
    // miss the notification.
    std::lock_guard<std::mutex> lock(mutex);
    word.fetch_or(bits, std::memory_order_relaxed);
    if (wake_fd_ >= 0) {
      uint64_t one = 1;
      [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof one);
    }
  }
  wake.notify_all();
}

int Interrupt::wakeFd() {
  std::lock_guard<std::mutex> lock(mutex);
  if (wake_fd_ < 0) {
    wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    // Raised before the descriptor existed: make it readable now.
    if (wake_fd_ >= 0 && raised()) {
      uint64_t one = 1;
      [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof one);
    }
  }
  return wake_fd_;
}

void Interrupt::reset() {
  // Nothing raised, nothing to clear (raise writes the descriptor only
  // together with a bit): the common case costs one load.
  if (!raised()) return;
  std::lock_guard<std::mutex> lock(mutex);
  word.store(0, std::memory_order_relaxed);
  if (wake_fd_ >= 0) {
    uint64_t count;
    [[maybe_unused]] ssize_t n = ::read(wake_fd_, &count, sizeof count);
  }
}

bool Interrupt::waitUntil(Clock::time_point until) {
  std::unique_lock<std::mutex> lock(mutex);
  wake.wait_until(lock, until, [&] { return raised() || Clock::now() >= until; });
  return !raised();
}

} // namespace halter::exec
