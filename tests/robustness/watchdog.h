// Aborts the process when one unit of work runs longer than a limit: a hang in
// the engine must fail the test rather than stall it.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace halter::robustness {

class Watchdog {
public:
  explicit Watchdog(std::chrono::milliseconds limit);
  ~Watchdog();
  Watchdog(const Watchdog &) = delete;
  Watchdog &operator=(const Watchdog &) = delete;

  // Starts timing `what`; the text is printed if the limit passes before done().
  void begin(const std::string &what);
  void done();

private:
  void watch();

  std::chrono::milliseconds limit_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool busy_ = false;
  std::chrono::steady_clock::time_point started_;
  std::string what_;
  std::thread thread_;
};

} // namespace halter::robustness
