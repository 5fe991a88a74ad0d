// Shared by the check-point tests: run a guest that must not stop on its own
// and prove that a deadline, a cancel from another thread or fuel stops it.
#pragma once

#include "halter/halter.h"

#include <chrono>
#include <functional>
#include <string>

namespace halter::test {

// Ends the whole test binary with a failure when it is not destroyed within
// `limit`: a guest that no check point stops never returns, so the test
// cannot fail any other way.
class Watchdog {
public:
  Watchdog(std::string what, std::chrono::milliseconds limit);
  ~Watchdog();
  Watchdog(const Watchdog &) = delete;
  Watchdog &operator=(const Watchdog &) = delete;

private:
  struct State;
  State *state_;
};

// How a runaway is stopped.
enum class StopBy { Deadline, Cancel, Fuel };
const char *stopByName(StopBy how);

struct StopResult {
  OutcomeKind kind = OutcomeKind::Returned;
  std::chrono::nanoseconds late{0}; // after the deadline or the cancel request
};

// The stop delay used by stopRunaway: the deadline's timeout, or how long
// the canceller waits before it cancels.
inline constexpr std::chrono::milliseconds kStopAfter{3};

// Starts `start()` (an execution of a guest that loops forever), stops it
// the way `how` says and reports the outcome. With `metered` the call runs
// with fuel (a large budget unless `how` is Fuel, which gives 20,000 units).
// The watchdog fails the binary when the guest is not stopped in 10 s.
// `after` replaces kStopAfter.
StopResult stopRunaway(const std::string &what, StopBy how, bool metered,
                       const std::function<Result<Execution>(const CallOptions &)> &start,
                       std::chrono::milliseconds after = kStopAfter);

} // namespace halter::test
