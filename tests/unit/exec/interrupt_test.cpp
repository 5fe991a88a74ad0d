// The interrupt word and its wake descriptor (exec/interrupt.h).
#include "exec/interrupt.h"

#include <gtest/gtest.h>

#include <chrono>
#include <poll.h>
#include <thread>

namespace halter::exec {
namespace {

bool readable(int fd) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, 0) == 1 && (p.revents & POLLIN) != 0;
}

TEST(Interrupt, WakeDescriptorFollowsTheBits) {
  Interrupt i;
  int fd = i.wakeFd();
  ASSERT_GE(fd, 0);
  EXPECT_EQ(i.wakeFd(), fd); // made once
  EXPECT_FALSE(readable(fd));
  i.raise(Interrupt::kCancel);
  EXPECT_TRUE(i.raised());
  EXPECT_TRUE(readable(fd));
  i.reset();
  EXPECT_FALSE(i.raised());
  EXPECT_FALSE(readable(fd));
}

TEST(Interrupt, DescriptorMadeAfterTheRaiseIsReadable) {
  Interrupt i;
  i.raise(Interrupt::kDeadline);
  EXPECT_TRUE(readable(i.wakeFd()));
}

TEST(Interrupt, RaiseFromAnotherThreadWakesAPoll) {
  Interrupt i;
  int fd = i.wakeFd();
  std::thread raiser([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    i.raise(Interrupt::kCancel);
  });
  pollfd p{fd, POLLIN, 0};
  int r = ::poll(&p, 1, 10'000); // would wait 10 s without the wake
  raiser.join();
  EXPECT_EQ(r, 1);
  EXPECT_EQ(i.word.load() & Interrupt::kCancel, Interrupt::kCancel);
}

TEST(Interrupt, WaitUntilReturnsEarlyWhenRaised) {
  Interrupt i;
  std::thread raiser([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    i.raise(Interrupt::kCancel);
  });
  auto t0 = Clock::now();
  EXPECT_FALSE(i.waitUntil(Clock::now() + std::chrono::seconds(10)));
  raiser.join();
  EXPECT_LT(Clock::now() - t0, std::chrono::seconds(5));
}

} // namespace
} // namespace halter::exec
