// ABI: poll_oneoff (clock subscriptions, and readiness of stdio and other
// descriptors), waiting with the caller's deadline and cancellation in view.
#include "wasi/abi.h"
#include "wasi/os_io.h"

#include <algorithm>
#include <ctime>
#include <optional>
#include <poll.h>
#include <vector>

namespace halter::wasi::abi {
namespace {

// More subscriptions than any program needs; bounds the host-side copy.
constexpr uint32_t kMaxSubscriptions = 4096;
// Far enough to mean "never" without overflowing time arithmetic.
constexpr uint64_t kMaxTimeoutNs = uint64_t{100} * 365 * 24 * 3600 * 1'000'000'000ull;

struct Subscription {
  uint64_t userdata = 0;
  uint8_t type = 0;
  Errno error = Errno::Success; // reported at once when set
  // Clock: when it fires (virtual elapsed ns, or steady time).
  uint64_t wake_virtual = 0;
  Clock::time_point wake{};
  // fd_read / fd_write.
  FdEntry *entry = nullptr;
};

uint64_t realtimeNowNs() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
}

uint64_t monotonicNowNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
}

void parseClock(AbiCall &c, uint64_t base, Subscription &s) {
  const uint32_t id = c.memory.loadAt<uint32_t>(base + 16);
  const uint64_t timeout = c.memory.loadAt<uint64_t>(base + 24);
  const uint16_t flags = c.memory.loadAt<uint16_t>(base + 40);
  const bool abstime = (flags & kSubclockAbstime) != 0;
  if (id != clockid::kRealtime && id != clockid::kMonotonic) {
    s.error = Errno::Inval;
    return;
  }
  if (c.state.clock.deterministic()) {
    const uint64_t origin = id == clockid::kRealtime ? WasiClock::kVirtualEpoch : 0;
    if (!abstime)
      s.wake_virtual = c.state.clock.virtualElapsed() + std::min(timeout, kMaxTimeoutNs);
    else
      s.wake_virtual = timeout > origin ? std::min(timeout - origin, kMaxTimeoutNs) : 0;
    return;
  }
  const auto now = Clock::now();
  uint64_t delay = timeout;
  if (abstime) {
    const uint64_t host_now = id == clockid::kRealtime ? realtimeNowNs() : monotonicNowNs();
    delay = timeout > host_now ? timeout - host_now : 0;
  }
  s.wake = now + std::chrono::nanoseconds(std::min(delay, kMaxTimeoutNs));
}

void writeEvent(AbiCall &c, uint64_t at, const Subscription &s, uint64_t nbytes, bool hangup) {
  std::fill_n(c.memory.data() + at, layout::kEventSize, 0);
  c.memory.storeAt<uint64_t>(at, s.userdata);
  c.memory.storeAt<uint16_t>(at + 8, static_cast<uint16_t>(s.error));
  c.memory.storeAt<uint8_t>(at + 10, s.type);
  if (s.type != kEventClock) {
    c.memory.storeAt<uint64_t>(at + 16, nbytes);
    c.memory.storeAt<uint16_t>(at + 24, hangup ? kEventHangup : 0);
  }
}

} // namespace

Errno pollOneoff(AbiCall &c) {
  const uint32_t in = c.u32(0), out = c.u32(1), count = c.u32(2), nevents_ptr = c.u32(3);
  if (count == 0 || count > kMaxSubscriptions) return Errno::Inval;
  if (!c.memory.inBounds(in, uint64_t{count} * layout::kSubscriptionSize) ||
      !c.memory.inBounds(out, uint64_t{count} * layout::kEventSize) ||
      !c.memory.inBounds(nevents_ptr, 4))
    return Errno::Fault;

  std::vector<Subscription> subs(count);
  for (uint32_t i = 0; i < count; ++i) {
    const uint64_t base = in + uint64_t{i} * layout::kSubscriptionSize;
    Subscription &s = subs[i];
    s.userdata = c.memory.loadAt<uint64_t>(base);
    s.type = c.memory.loadAt<uint8_t>(base + 8);
    if (s.type == kEventClock) {
      parseClock(c, base, s);
    } else if (s.type == kEventFdRead || s.type == kEventFdWrite) {
      const Rights needed = s.type == kEventFdRead ? right::kFdRead : right::kFdWrite;
      s.error = c.state.fds.get(c.memory.loadAt<uint32_t>(base + 16), needed, s.entry);
    } else {
      return Errno::Inval;
    }
  }

  const bool deterministic = c.state.clock.deterministic();
  for (;;) {
    uint32_t n = 0;
    auto emit = [&](const Subscription &s, uint64_t nbytes, bool hangup) {
      writeEvent(c, out + uint64_t{n} * layout::kEventSize, s, nbytes, hangup);
      ++n;
    };
    const auto now = Clock::now();
    std::optional<Clock::time_point> earliest;
    std::optional<uint64_t> earliest_virtual;
    std::vector<pollfd> waits;
    for (const auto &s : subs) {
      if (s.error != Errno::Success) {
        emit(s, 0, false);
      } else if (s.type == kEventClock) {
        if (deterministic) {
          if (s.wake_virtual <= c.state.clock.virtualElapsed())
            emit(s, 0, false);
          else
            earliest_virtual = std::min(earliest_virtual.value_or(UINT64_MAX), s.wake_virtual);
        } else if (s.wake <= now) {
          emit(s, 0, false);
        } else {
          earliest = std::min(earliest.value_or(Clock::time_point::max()), s.wake);
        }
      } else {
        uint64_t nbytes;
        bool hangup;
        const bool write = s.type == kEventFdWrite;
        if (readyNow(*s.entry, write, nbytes, hangup))
          emit(s, nbytes, hangup);
        else
          waits.push_back({s.entry->host_fd, static_cast<short>(write ? POLLOUT : POLLIN), 0});
      }
    }
    if (n == 0 && earliest_virtual) {
      // Deterministic sleep: time jumps, nothing waits.
      c.state.clock.advanceTo(*earliest_virtual);
      continue;
    }
    if (n > 0) return c.memory.store<uint32_t>(nevents_ptr, n);

    if (c.ctx.interrupted()) return Errno::Intr;
    if (waits.empty()) {
      // Only clocks: sleep until the first fires (or the deadline / cancel).
      if (!earliest || !c.ctx.waitUntil(*earliest)) return Errno::Intr;
      continue;
    }
    auto slice = std::chrono::duration_cast<std::chrono::milliseconds>(kPollSlice);
    if (earliest)
      slice = std::min(slice, std::chrono::ceil<std::chrono::milliseconds>(*earliest - now));
    if (auto deadline = c.ctx.deadline()) {
      if (*deadline <= now && c.ctx.interrupted()) return Errno::Intr; // raises it too
      slice = std::min(slice, std::chrono::ceil<std::chrono::milliseconds>(*deadline - now));
    }
    // The interrupt descriptor wakes the wait at once on cancel or deadline
    // (its readiness is seen by the interrupted() test of the next round).
    int wake = c.ctx.interruptFd();
    if (wake >= 0) waits.push_back({wake, POLLIN, 0});
    ::poll(waits.data(), waits.size(), static_cast<int>(std::max<int64_t>(slice.count(), 0)));
  }
}

} // namespace halter::wasi::abi
