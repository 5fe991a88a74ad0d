#include "exec/deadline_timer.h"

#include <map>
#include <thread>
#include <unordered_map>

namespace halter::exec {
namespace {

class DeadlineTimer {
public:
  ~DeadlineTimer() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stopping_ = true;
    }
    changed_.notify_one();
    if (thread_.joinable()) thread_.join();
  }

  TimerId schedule(Clock::time_point when, Interrupt *interrupt) {
    std::lock_guard<std::mutex> lock(mutex_);
    TimerId id = ++last_id_;
    bool earliest = queue_.empty() || when < queue_.begin()->first.first;
    queue_.emplace(std::make_pair(when, id), interrupt);
    when_of_.emplace(id, when);
    if (!thread_.joinable()) thread_ = std::thread([this] { serve(); });
    if (earliest) changed_.notify_one();
    return id;
  }

  void cancel(TimerId id) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = when_of_.find(id);
    if (it == when_of_.end()) return; // already fired
    queue_.erase(std::make_pair(it->second, id));
    when_of_.erase(it);
  }

private:
  void serve() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stopping_) {
      if (queue_.empty()) {
        changed_.wait(lock);
        continue;
      }
      auto first = queue_.begin();
      // A copy: the entry may be erased while we wait.
      Clock::time_point when = first->first.first;
      if (Clock::now() < when) {
        changed_.wait_until(lock, when);
        continue;
      }
      // Raised under our mutex: cancel() cannot return while we hold the pointer.
      first->second->raise(Interrupt::kDeadline);
      when_of_.erase(first->first.second);
      queue_.erase(first);
    }
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  // Ordered by (deadline, id): the front is the next to fire.
  std::map<std::pair<Clock::time_point, TimerId>, Interrupt *> queue_;
  std::unordered_map<TimerId, Clock::time_point> when_of_;
  TimerId last_id_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

DeadlineTimer &timer() {
  static DeadlineTimer instance;
  return instance;
}

} // namespace

TimerId scheduleDeadline(Clock::time_point when, Interrupt *interrupt) {
  return timer().schedule(when, interrupt);
}

void cancelDeadline(TimerId id) {
  timer().cancel(id);
}

} // namespace halter::exec
