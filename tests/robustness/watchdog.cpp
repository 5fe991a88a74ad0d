#include "watchdog.h"

#include <cstdio>
#include <cstdlib>

namespace halter::robustness {

Watchdog::Watchdog(std::chrono::milliseconds limit) : limit_(limit) {
  thread_ = std::thread([this] { watch(); });
}

Watchdog::~Watchdog() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void Watchdog::begin(const std::string &what) {
  std::lock_guard<std::mutex> lock(mutex_);
  what_ = what;
  started_ = std::chrono::steady_clock::now();
  busy_ = true;
}

void Watchdog::done() {
  std::lock_guard<std::mutex> lock(mutex_);
  busy_ = false;
}

void Watchdog::watch() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, std::chrono::milliseconds(20));
    if (!busy_) continue;
    auto elapsed = std::chrono::steady_clock::now() - started_;
    if (elapsed > limit_) {
      std::fprintf(stderr, "robustness: FAILED: %s still running after %lld ms (limit %lld ms)\n",
                   what_.c_str(),
                   static_cast<long long>(
                       std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()),
                   static_cast<long long>(limit_.count()));
      std::abort();
    }
  }
}

} // namespace halter::robustness
