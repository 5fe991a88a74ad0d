// Typed calls (typed_func.h): the signature is checked once at lookup,
// values cross without Value vectors, every way a guest can fail to return
// is an error with its own code, and the results are those of Instance::call
// for the same arguments.
#include "halter/halter.h"
#include "support/wat.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <thread>
#include <tuple>

namespace halter {
namespace {

using test::instantiate;

constexpr const char *kArith = R"((module
  (memory (export "memory") 1)
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "div_s") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "rem_u64") (param i64 i64) (result i64) (i64.rem_u (local.get 0) (local.get 1)))
  (func (export "mul_f32") (param f32 f32) (result f32) (f32.mul (local.get 0) (local.get 1)))
  (func (export "sqrt_f64") (param f64) (result f64) (f64.sqrt (local.get 0)))
  (func (export "wrap") (param i64) (result i32) (i32.wrap_i64 (local.get 0)))
  (func (export "swap") (param i32 i64) (result i64 i32) (local.get 1) (local.get 0))
  (func (export "store") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
  (func (export "nop"))
  (func (export "spin") (loop (br 0)))
  (global (export "g") i32 (i32.const 7))))";

TEST(TypedCall, CallsWithTheirCppTypes) {
  auto inst = instantiate(kArith);
  ASSERT_NE(inst, nullptr);
  auto add = inst->typed<int32_t(int32_t, int32_t)>("add");
  ASSERT_TRUE(add.ok()) << add.error().describe();
  EXPECT_EQ(*(*add)(2, 3), 5);
  EXPECT_EQ(*(*add)(-7, 2), -5);
  auto add_u = inst->typed<uint32_t(uint32_t, uint32_t)>("add");
  ASSERT_TRUE(add_u.ok());
  EXPECT_EQ(*(*add_u)(0xFFFFFFFFu, 2), 1u);
  auto rem = inst->typed<uint64_t(uint64_t, uint64_t)>("rem_u64");
  ASSERT_TRUE(rem.ok());
  EXPECT_EQ(*(*rem)(UINT64_MAX, 10), UINT64_MAX % 10);
  auto mul = inst->typed<float(float, float)>("mul_f32");
  ASSERT_TRUE(mul.ok());
  EXPECT_EQ(*(*mul)(1.5f, -4.0f), -6.0f);
  auto sq = inst->typed<double(double)>("sqrt_f64");
  ASSERT_TRUE(sq.ok());
  EXPECT_EQ(*(*sq)(2.25), 1.5);
  EXPECT_TRUE(std::isnan(*(*sq)(-1.0)));
  // An i32 result reads only the low half of its slot.
  auto wrap = inst->typed<uint32_t(uint64_t)>("wrap");
  ASSERT_TRUE(wrap.ok());
  EXPECT_EQ(*(*wrap)(0x123456789ull), 0x23456789u);
  auto swap = inst->typed<std::tuple<int64_t, int32_t>(int32_t, int64_t)>("swap");
  ASSERT_TRUE(swap.ok());
  EXPECT_EQ(*(*swap)(-1, int64_t(1) << 40), std::make_tuple(int64_t(1) << 40, int32_t(-1)));
  auto store = inst->typed<void(uint32_t, uint32_t)>("store");
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)(16, 0xA1B2C3D4u).ok());
  uint8_t word[4];
  ASSERT_TRUE(inst->getExport("memory")->read(16, word).ok());
  EXPECT_EQ(word[0], 0xD4);
  auto nop = inst->typed<void()>("nop");
  ASSERT_TRUE(nop.ok());
  EXPECT_TRUE((*nop)().ok());
}

TEST(TypedCall, LookupChecksTheSignatureAndTheExport) {
  auto inst = instantiate(kArith);
  ASSERT_NE(inst, nullptr);
  auto wrong_param = inst->typed<int32_t(int64_t, int32_t)>("add");
  ASSERT_FALSE(wrong_param.ok());
  EXPECT_EQ(wrong_param.error().code, ErrorCode::InvalidArgument);
  EXPECT_NE(wrong_param.error().message.find("(i64, i32) -> (i32)"), std::string::npos)
      << wrong_param.error().message;
  EXPECT_NE(wrong_param.error().message.find("add"), std::string::npos);
  EXPECT_FALSE((inst->typed<int32_t(int32_t)>("add").ok()));        // arity
  EXPECT_FALSE((inst->typed<void(int32_t, int32_t)>("add").ok()));  // no result
  EXPECT_FALSE((inst->typed<float(int32_t, int32_t)>("add").ok())); // result type
  EXPECT_FALSE((inst->typed<std::tuple<int32_t, int64_t>(int32_t, int64_t)>("swap").ok()));
  EXPECT_EQ(inst->typed<void()>("missing").error().code, ErrorCode::NotFound);
  EXPECT_EQ(inst->typed<void()>("g").error().code, ErrorCode::NotFound) << "a global";
  EXPECT_EQ(inst->typed<void()>("memory").error().code, ErrorCode::NotFound);
  TypedFunc<void()> empty;
  EXPECT_EQ(empty().error().code, ErrorCode::InvalidArgument);
}

TEST(TypedCall, EveryWayNotToReturnHasItsCode) {
  auto inst = instantiate(kArith);
  ASSERT_NE(inst, nullptr);
  auto div = inst->typed<int32_t(int32_t, int32_t)>("div_s");
  ASSERT_TRUE(div.ok());
  auto by_zero = (*div)(1, 0);
  ASSERT_FALSE(by_zero.ok());
  EXPECT_EQ(by_zero.error().code, ErrorCode::Trapped);
  EXPECT_NE(by_zero.error().message.find("divide by zero"), std::string::npos)
      << by_zero.error().message;
  EXPECT_EQ((*div)(INT32_MIN, -1).error().code, ErrorCode::Trapped);
  EXPECT_EQ(*(*div)(-9, 2), -4) << "usable again after a trap";

  auto spin = inst->typed<void()>("spin");
  ASSERT_TRUE(spin.ok());
  CallOptions fuel;
  fuel.limits = Limits{};
  fuel.limits->fuel = 1000;
  EXPECT_EQ(spin->call(fuel).error().code, ErrorCode::OutOfFuel);
  CallOptions timeout;
  timeout.limits = Limits{};
  timeout.limits->timeout = std::chrono::milliseconds(20);
  EXPECT_EQ(spin->call(timeout).error().code, ErrorCode::DeadlineExceeded);
  CallOptions cancel;
  cancel.cancel = CancelToken::create();
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    cancel.cancel.cancel();
  });
  auto cancelled = spin->call(cancel);
  canceller.join();
  EXPECT_EQ(cancelled.error().code, ErrorCode::Cancelled);
  // The instance's own limits apply when the call gives none.
  Limits slow;
  slow.timeout = std::chrono::milliseconds(20);
  inst->setLimits(slow);
  EXPECT_EQ((*spin)().error().code, ErrorCode::DeadlineExceeded);
  CallOptions no_depth;
  no_depth.limits = Limits{};
  no_depth.limits->max_call_depth = 0;
  EXPECT_EQ(spin->call(no_depth).error().code, ErrorCode::InvalidArgument);
}

TEST(TypedCall, HostImportsExitsAndSuspensions) {
  Linker linker;
  linker.defineFunc("env", "twice", [](int32_t x) { return 2 * x; });
  linker.defineFunc("env", "leave",
                    [](CallContext &ctx, int32_t code) { ctx.answer(HostResult::exit(code)); });
  linker.defineFunc("env", "park", [](CallContext &ctx) { ctx.answer(HostResult::suspend()); });
  auto inst = instantiate(R"((module
    (import "env" "twice" (func $twice (param i32) (result i32)))
    (import "env" "leave" (func $leave (param i32)))
    (import "env" "park" (func $park))
    (export "twice" (func $twice))
    (func (export "quad") (param i32) (result i32) (call $twice (call $twice (local.get 0))))
    (func (export "leave") (param i32) (call $leave (local.get 0)))
    (func (export "park") (call $park))))",
                          linker);
  ASSERT_NE(inst, nullptr);
  auto twice = inst->typed<int32_t(int32_t)>("twice"); // the import itself, re-exported
  ASSERT_TRUE(twice.ok());
  EXPECT_EQ(*(*twice)(21), 42);
  auto quad = inst->typed<int32_t(int32_t)>("quad");
  ASSERT_TRUE(quad.ok());
  EXPECT_EQ(*(*quad)(-3), -12);
  auto leave = inst->typed<void(int32_t)>("leave");
  ASSERT_TRUE(leave.ok());
  auto exited = (*leave)(3);
  ASSERT_FALSE(exited.ok());
  EXPECT_EQ(exited.error().code, ErrorCode::Exited);
  EXPECT_NE(exited.error().message.find("3"), std::string::npos);
  // A typed call cannot wait for an answer, like Instance::call.
  auto park = inst->typed<void()>("park");
  ASSERT_TRUE(park.ok());
  auto parked = (*park)();
  ASSERT_FALSE(parked.ok());
  EXPECT_EQ(parked.error().code, ErrorCode::Trapped);
  EXPECT_NE(parked.error().message.find("start()"), std::string::npos) << parked.error().message;
  // While an execution of the instance is parked, typed calls are refused.
  {
    auto held = inst->start("park", {});
    ASSERT_TRUE(held.ok());
    ASSERT_TRUE(held->run().ok());
    ASSERT_TRUE(held->suspended());
    EXPECT_EQ((*quad)(1).error().code, ErrorCode::ReentrantCall);
  } // dropping the parked execution frees the instance
  EXPECT_EQ(*(*quad)(1), 4);
}

TEST(TypedCall, KeepsItsInstanceAlive) {
  auto inst = instantiate(kArith);
  ASSERT_NE(inst, nullptr);
  auto add = inst->typed<int32_t(int32_t, int32_t)>("add");
  ASSERT_TRUE(add.ok());
  TypedFunc<int32_t(int32_t, int32_t)> kept = *add;
  inst.reset();
  EXPECT_EQ(*kept(40, 2), 42);
}

// Generated: for random arguments, typed and untyped calls agree bit for bit.
TEST(TypedCall, AgreesWithUntypedCallsOnRandomArguments) {
  auto inst = instantiate(kArith);
  ASSERT_NE(inst, nullptr);
  auto add = *inst->typed<int32_t(int32_t, int32_t)>("add");
  auto div = *inst->typed<int32_t(int32_t, int32_t)>("div_s");
  auto rem = *inst->typed<uint64_t(uint64_t, uint64_t)>("rem_u64");
  auto mul = *inst->typed<float(float, float)>("mul_f32");
  auto swap = *inst->typed<std::tuple<int64_t, int32_t>(int32_t, int64_t)>("swap");
  std::mt19937_64 rng(20261202);
  auto bits32 = [&] { return uint32_t(rng() >> (rng() % 32)); };
  auto f32 = [&] {
    uint32_t b = bits32();
    float f;
    std::memcpy(&f, &b, 4);
    return f;
  };
  auto sameF32 = [](float a, float b) {
    return std::memcmp(&a, &b, 4) == 0 || (std::isnan(a) && std::isnan(b));
  };
  for (int i = 0; i < 2000; ++i) {
    int32_t a = int32_t(bits32()), b = int32_t(bits32());
    uint64_t x = rng(), y = rng() >> (rng() % 64);
    float fa = f32(), fb = f32();
    Value ab[] = {Value::i32(uint32_t(a)), Value::i32(uint32_t(b))};
    Value xy[] = {Value::i64(x), Value::i64(y)};
    Value fab[] = {Value::f32(fa), Value::f32(fb)};
    Value ax[] = {Value::i32(uint32_t(a)), Value::i64(x)};

    EXPECT_EQ(uint32_t(*add(a, b)), inst->call("add", ab)->results[0].asI32());
    auto typed_div = div(a, b);
    auto untyped_div = inst->call("div_s", ab);
    ASSERT_TRUE(untyped_div.ok());
    ASSERT_EQ(typed_div.ok(), untyped_div->returned()) << a << " / " << b;
    if (typed_div.ok()) {
      EXPECT_EQ(uint32_t(*typed_div), untyped_div->results[0].asI32());
    }
    auto typed_rem = rem(x, y);
    auto untyped_rem = inst->call("rem_u64", xy);
    ASSERT_EQ(typed_rem.ok(), untyped_rem->returned());
    if (typed_rem.ok()) {
      EXPECT_EQ(*typed_rem, untyped_rem->results[0].asI64());
    }
    EXPECT_TRUE(sameF32(*mul(fa, fb), inst->call("mul_f32", fab)->results[0].asF32()));
    auto s = *swap(a, int64_t(x));
    auto u = inst->call("swap", ax);
    EXPECT_EQ(uint64_t(std::get<0>(s)), u->results[0].asI64());
    EXPECT_EQ(uint32_t(std::get<1>(s)), u->results[1].asI32());
  }
}

} // namespace
} // namespace halter
