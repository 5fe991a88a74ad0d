#include "exec/interrupt.h"

namespace halter::exec {

void Interrupt::raise(uint32_t bits) {
  {
    // Under the mutex so that a waiter between its test and its wait cannot
    // miss the notification.
    std::lock_guard<std::mutex> lock(mutex);
    word.fetch_or(bits, std::memory_order_relaxed);
  }
  wake.notify_all();
}

bool Interrupt::waitUntil(Clock::time_point until) {
  std::unique_lock<std::mutex> lock(mutex);
  wake.wait_until(lock, until, [&] { return raised() || Clock::now() >= until; });
  return !raised();
}

} // namespace halter::exec
