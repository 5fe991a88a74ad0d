#include "exec/thread_alarm.h"

#include <csignal>
#include <ctime>
#include <mutex>
#include <sys/syscall.h>
#include <unistd.h>

namespace halter {
namespace exec {
namespace {

std::atomic<bool> g_enabled{true};
std::atomic<int> g_signal{0}; // 0: not chosen yet; -1: none to be had

// One per thread that has armed an alarm. The signal carries its address,
// and the handler reads only these two atomics, which are lock-free and so
// safe in a signal handler.
struct AlarmSlot {
  std::atomic<std::atomic<uint32_t> *> target{nullptr};
  std::atomic<int64_t> when_ns{0}; // steady clock, for the stale-signal test
  timer_t timer{};
  enum class State { Unmade, Made, Failed } state = State::Unmade;

  ~AlarmSlot() {
    if (state == State::Made) timer_delete(timer);
  }
};

thread_local AlarmSlot t_slot;

int64_t nowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

void onAlarm(int, siginfo_t *info, void *) {
  if (info->si_code != SI_TIMER) return;
  auto *slot = static_cast<AlarmSlot *>(info->si_value.sival_ptr);
  if (slot == nullptr) return;
  std::atomic<uint32_t> *target = slot->target.load(std::memory_order_acquire);
  // A signal the thread held blocked may arrive after its call ended and
  // another began: it counts only once that call's own deadline has come.
  if (target == nullptr || nowNs() < slot->when_ns.load(std::memory_order_relaxed)) return;
  target->fetch_or(Interrupt::kDeadline, std::memory_order_relaxed);
}

// The highest real-time signal nobody handles, taken once per process.
int chooseSignal() {
  static std::once_flag once;
  std::call_once(once, [] {
    for (int sig = SIGRTMAX; sig >= SIGRTMIN; --sig) {
      struct sigaction old {};
      if (sigaction(sig, nullptr, &old) != 0) continue;
      bool unhandled = (old.sa_flags & SA_SIGINFO) == 0 && old.sa_handler == SIG_DFL;
      if (!unhandled) continue;
      struct sigaction sa {};
      sa.sa_sigaction = onAlarm;
      sa.sa_flags = SA_SIGINFO | SA_RESTART;
      sigemptyset(&sa.sa_mask);
      if (sigaction(sig, &sa, nullptr) == 0) {
        g_signal.store(sig);
        return;
      }
    }
    g_signal.store(-1);
  });
  return g_signal.load();
}

bool makeTimer(AlarmSlot &slot) {
  if (slot.state != AlarmSlot::State::Unmade) return slot.state == AlarmSlot::State::Made;
  slot.state = AlarmSlot::State::Failed;
  int sig = chooseSignal();
  if (sig <= 0) return false;
  sigevent ev{};
  ev.sigev_notify = SIGEV_THREAD_ID;
  ev.sigev_signo = sig;
  ev.sigev_value.sival_ptr = &slot;
  ev._sigev_un._tid = static_cast<pid_t>(syscall(SYS_gettid));
  if (timer_create(CLOCK_MONOTONIC, &ev, &slot.timer) != 0) return false;
  slot.state = AlarmSlot::State::Made;
  return true;
}

// Arms (or with 0, disarms) the timer; false when the system refused (for
// example in a forked child, which has no timers of its parent).
bool setTimer(AlarmSlot &slot, int64_t when_ns) {
  itimerspec spec{};
  spec.it_value.tv_sec = when_ns / 1000000000;
  spec.it_value.tv_nsec = when_ns % 1000000000;
  return timer_settime(slot.timer, TIMER_ABSTIME, &spec, nullptr) == 0;
}

// The steady clock is CLOCK_MONOTONIC (libstdc++ and libc++ on Linux).
int64_t toNs(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

// Order matters: the handler may run between any two of these stores, and
// must never see a target with another call's deadline.
void point(AlarmSlot &slot, std::atomic<uint32_t> *target, int64_t when_ns) {
  slot.target.store(nullptr, std::memory_order_release);
  slot.when_ns.store(when_ns, std::memory_order_relaxed);
  slot.target.store(target, std::memory_order_release);
}

} // namespace

void ThreadAlarm::arm(Clock::time_point when, Interrupt *interrupt) {
  if (!g_enabled.load(std::memory_order_relaxed)) return;
  AlarmSlot &slot = t_slot;
  if (!makeTimer(slot)) return;
  previous_target_ = slot.target.load(std::memory_order_relaxed);
  previous_when_ = slot.when_ns.load(std::memory_order_relaxed);
  int64_t when_ns = std::max<int64_t>(toNs(when), 1);
  point(slot, &interrupt->word, when_ns);
  armed_ = setTimer(slot, when_ns);
  if (!armed_) point(slot, previous_target_, previous_when_);
}

void ThreadAlarm::disarm() {
  AlarmSlot &slot = t_slot;
  // Disarmed first: a signal the timer raised before this returns is
  // delivered on the way out of the system call, while the target is ours.
  setTimer(slot, 0);
  point(slot, previous_target_, previous_when_);
  if (previous_target_ == nullptr) return;
  if (nowNs() >= previous_when_) {
    previous_target_->fetch_or(Interrupt::kDeadline, std::memory_order_relaxed);
  } else {
    setTimer(slot, previous_when_);
  }
}

} // namespace exec

void useDeadlineSignal(bool on) {
  exec::g_enabled.store(on, std::memory_order_relaxed);
}

int deadlineSignal() {
  int sig = exec::g_signal.load();
  return sig > 0 && exec::g_enabled.load(std::memory_order_relaxed) ? sig : 0;
}

} // namespace halter
