// A start function that never returns stops instantiation on a deadline and
// on a cancel from another thread (DESIGN §4), with a distinct error each.
#include "halter/halter.h"
#include "support/wat.h"

#include <gtest/gtest.h>

#include <chrono>
#include <thread>

namespace halter {
namespace {

using namespace std::chrono_literals;

std::shared_ptr<const Module> spinningStart() {
  auto m = Module::compile(test::watToWasm(R"((module
      (func $start (loop $l (br $l)))
      (start $start)))"));
  EXPECT_TRUE(m.ok());
  return m.ok() ? *m : nullptr;
}

TEST(StartFunction, StopsOnTheDeadline) {
  auto m = spinningStart();
  ASSERT_NE(m, nullptr);
  Limits limits;
  limits.timeout = 20ms;
  auto t0 = Clock::now();
  auto inst = Linker().instantiate(m, limits);
  ASSERT_FALSE(inst.ok());
  EXPECT_EQ(inst.error().code, ErrorCode::DeadlineExceeded) << inst.error().describe();
  EXPECT_LT(Clock::now() - t0, 2s);
}

TEST(StartFunction, StopsOnACancelFromAnotherThread) {
  auto m = spinningStart();
  ASSERT_NE(m, nullptr);
  CancelToken cancel = CancelToken::create();
  std::thread canceller([cancel] {
    std::this_thread::sleep_for(20ms);
    cancel.cancel();
  });
  auto inst = Linker().instantiate(m, {}, cancel);
  canceller.join();
  ASSERT_FALSE(inst.ok());
  EXPECT_EQ(inst.error().code, ErrorCode::Cancelled) << inst.error().describe();
}

TEST(StartFunction, ACancelledTokenStopsItBeforeAnyWork) {
  auto m = spinningStart();
  ASSERT_NE(m, nullptr);
  CancelToken cancel = CancelToken::create();
  cancel.cancel();
  auto inst = Linker().instantiate(m, {}, cancel);
  ASSERT_FALSE(inst.ok());
  EXPECT_EQ(inst.error().code, ErrorCode::Cancelled);
}

} // namespace
} // namespace halter
