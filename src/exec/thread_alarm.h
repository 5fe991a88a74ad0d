// Deadlines delivered on the guest's own thread (DESIGN §3.3, §4). The
// timer thread (deadline_timer.h) serves every deadline, but it sleeps on
// another CPU, and on a VM waking an idle vCPU took up to 5 ms. While a call
// runs, its thread also arms a POSIX timer of its own that signals that
// thread at the deadline; the handler only sets the interrupt word, so the
// guest stops at its next check point within microseconds. The timer thread
// stays: it wakes host functions that wait, and it stops guests whose thread
// blocks the signal.
#pragma once

#include "exec/interrupt.h"

#include <optional>

namespace halter::exec {

// Arms this thread's alarm for `when` on `interrupt` while it lives, and
// gives back the alarm it replaced (a host function may run a nested call on
// the same thread). Does nothing without a deadline (none, or the far end of
// the clock, which never comes), or when the signal cannot be had or is off
// (halter::useDeadlineSignal). The test for a deadline is inline: calls
// without one pay no function call.
class ThreadAlarm {
public:
  ThreadAlarm(const std::optional<Clock::time_point> &when, Interrupt *interrupt) {
    if (when && *when != Clock::time_point::max()) arm(*when, interrupt);
  }
  ~ThreadAlarm() {
    if (armed_) disarm();
  }
  ThreadAlarm(const ThreadAlarm &) = delete;
  ThreadAlarm &operator=(const ThreadAlarm &) = delete;

private:
  void arm(Clock::time_point when, Interrupt *interrupt);
  void disarm();

  bool armed_ = false;
  std::atomic<uint32_t> *previous_target_ = nullptr;
  int64_t previous_when_ = 0;
};

} // namespace halter::exec
