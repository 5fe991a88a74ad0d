// Every error says in which phase of a module's life it arose (the phase
// column of the error-code table, include/halter/result.h).
#include "halter/halter.h"
#include "support/wat.h"

#include <gtest/gtest.h>

namespace halter {
namespace {

TEST(ErrorPhase, EachStepReportsItsOwnPhase) {
  const uint8_t garbage[] = {'n', 'o', 't', ' ', 'w', 'a', 's', 'm'};
  auto decode = Module::compile(garbage);
  ASSERT_FALSE(decode.ok());
  EXPECT_EQ(errorPhase(decode.error().code), ErrorPhase::Decode) << decode.error().describe();

  auto invalid =
      Module::compile(test::watToWasm("(module (func (result i32) (i64.const 1)))", "--no-check"));
  ASSERT_FALSE(invalid.ok());
  EXPECT_EQ(errorPhase(invalid.error().code), ErrorPhase::Validate) << invalid.error().describe();

  auto needs = Module::compile(test::watToWasm(R"((module (import "env" "f" (func))))"));
  ASSERT_TRUE(needs.ok());
  auto link = Linker().instantiate(*needs);
  ASSERT_FALSE(link.ok());
  EXPECT_EQ(errorPhase(link.error().code), ErrorPhase::Link) << link.error().describe();

  auto traps = Module::compile(test::watToWasm("(module (func $s unreachable) (start $s))"));
  ASSERT_TRUE(traps.ok());
  auto start = Linker().instantiate(*traps);
  ASSERT_FALSE(start.ok());
  EXPECT_EQ(errorPhase(start.error().code), ErrorPhase::Instantiate) << start.error().describe();

  auto ok = Module::compile(test::watToWasm(R"((module (func (export "f") (param i32))))"));
  ASSERT_TRUE(ok.ok());
  auto inst = Linker().instantiate(*ok);
  ASSERT_TRUE(inst.ok());
  auto args = (*inst)->call("f", {});
  ASSERT_FALSE(args.ok());
  EXPECT_EQ(errorPhase(args.error().code), ErrorPhase::Usage) << args.error().describe();

  Value one = Value::i32(1);
  auto ex = (*inst)->start("f", std::span(&one, 1));
  ASSERT_TRUE(ex.ok());
  ASSERT_TRUE(ex->run().ok());
  auto again = ex->run();
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(errorPhase(again.error().code), ErrorPhase::Run) << again.error().describe();
}

TEST(ErrorPhase, EveryCodeHasANamedPhase) {
  for (int c = 0; c <= int(ErrorCode::Internal); ++c) {
    std::string name = errorPhaseName(errorPhase(ErrorCode(c)));
    EXPECT_FALSE(name.empty()) << errorCodeName(ErrorCode(c));
  }
  EXPECT_STREQ(errorPhaseName(ErrorPhase::Validate), "validate");
}

} // namespace
} // namespace halter
