#include "checkpoint_harness.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>

namespace halter::test {

struct Watchdog::State {
  std::mutex mutex;
  std::condition_variable done_cv;
  bool done = false;
  std::thread thread;
};

Watchdog::Watchdog(std::string what, std::chrono::milliseconds limit) : state_(new State) {
  state_->thread = std::thread([s = state_, what = std::move(what), limit] {
    std::unique_lock lock(s->mutex);
    if (!s->done_cv.wait_for(lock, limit, [s] { return s->done; })) {
      std::fprintf(stderr, "FAILED: %s did not stop within %lld ms: no check point stopped it\n",
                   what.c_str(), static_cast<long long>(limit.count()));
      std::fflush(stderr);
      std::_Exit(1);
    }
  });
}

Watchdog::~Watchdog() {
  {
    std::lock_guard lock(state_->mutex);
    state_->done = true;
  }
  state_->done_cv.notify_all();
  state_->thread.join();
  delete state_;
}

const char *stopByName(StopBy how) {
  switch (how) {
  case StopBy::Deadline:
    return "deadline";
  case StopBy::Cancel:
    return "cancel";
  case StopBy::Fuel:
    return "fuel";
  }
  return "?";
}

StopResult stopRunaway(const std::string &what, StopBy how, bool metered,
                       const std::function<Result<Execution>(const CallOptions &)> &start,
                       std::chrono::milliseconds after) {
  StopResult r;
  CallOptions options;
  Limits limits;
  if (metered) limits.fuel = how == StopBy::Fuel ? 20'000 : UINT64_MAX / 2;
  if (how == StopBy::Deadline) limits.timeout = after;
  options.limits = limits;
  options.cancel = CancelToken::create();
  Watchdog watchdog(what + " (" + stopByName(how) + (metered ? ", metered)" : ")"),
                    std::chrono::seconds(10));
  Clock::time_point begin = Clock::now();
  auto ex = start(options);
  EXPECT_TRUE(ex.ok()) << what << ": " << (ex.ok() ? "" : ex.error().describe());
  if (!ex.ok()) return r;
  Clock::time_point asked = begin + after;
  std::thread canceller;
  if (how == StopBy::Cancel) {
    canceller = std::thread([&] {
      std::this_thread::sleep_until(asked);
      options.cancel.cancel();
    });
  }
  auto out = ex->run();
  Clock::time_point end = Clock::now();
  if (canceller.joinable()) canceller.join();
  EXPECT_TRUE(out.ok()) << what << ": " << (out.ok() ? "" : out.error().describe());
  if (!out.ok()) return r;
  r.kind = out->kind;
  if (how != StopBy::Fuel) r.late = end > asked ? end - asked : std::chrono::nanoseconds(0);
  return r;
}

} // namespace halter::test
