// Bounds-checked memory access from the host: through an exported memory,
// inside a host call, and into a parked execution before its resume.
#include "halter/halter.h"
#include "support/wat.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

namespace halter {
namespace {

using test::instantiate;

std::span<const uint8_t> bytes(const std::string &s) {
  return {reinterpret_cast<const uint8_t *>(s.data()), s.size()};
}

TEST(MemoryAccess, ExportedMemoryReadsWritesAndRefusesOutOfBounds) {
  auto inst = instantiate(R"((module (memory (export "memory") 1 3)
    (func (export "grow") (result i32) (memory.grow (i32.const 1)))
    (func (export "load") (param i32) (result i32) (i32.load8_u (local.get 0)))))");
  ASSERT_NE(inst, nullptr);
  auto mem = inst->getExport("memory");
  ASSERT_TRUE(mem.ok());
  ASSERT_TRUE(mem->write(100, bytes("hello")).ok());
  Value at = Value::i32(101);
  auto loaded = inst->call("load", std::span(&at, 1));
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->results[0].asI32(), uint32_t('e'));
  uint8_t out[5] = {};
  ASSERT_TRUE(mem->read(100, out).ok());
  EXPECT_EQ(std::memcmp(out, "hello", 5), 0);
  // Past the end, straddling it, and an address that would wrap around.
  EXPECT_EQ(mem->write(65536, bytes("x")).error().code, ErrorCode::InvalidArgument);
  auto straddle = mem->write(65534, bytes("abc"));
  ASSERT_FALSE(straddle.ok());
  EXPECT_NE(straddle.error().message.find("65536 bytes"), std::string::npos);
  EXPECT_EQ(mem->memoryBytes()[65534], 0) << "nothing written on error";
  EXPECT_FALSE(mem->read(UINT64_MAX - 1, out).ok());
  // Valid across memory.grow: the new page is reachable at once.
  ASSERT_TRUE(inst->call("grow", {}).ok());
  ASSERT_TRUE(mem->write(65536 + 7, bytes("z")).ok());
  Value past = Value::i32(65536 + 7);
  EXPECT_EQ(inst->call("load", std::span(&past, 1))->results[0].asI32(), uint32_t('z'));
  // Not a memory.
  auto func = inst->getExport("load");
  ASSERT_TRUE(func.ok());
  EXPECT_EQ(func->read(0, out).error().code, ErrorCode::InvalidArgument);
}

TEST(MemoryAccess, HostFunctionReadsAndWritesItsCallersMemory) {
  Linker linker;
  std::string seen;
  bool refused = false;
  linker.defineFunc("env", "shout", [&](CallContext &ctx, uint32_t ptr, uint32_t len) -> uint32_t {
    std::string s(len, '\0');
    if (!ctx.read(ptr, {reinterpret_cast<uint8_t *>(s.data()), len}).ok()) return 0;
    seen = s;
    for (char &c : s) c = char(c - 'a' + 'A');
    refused = !ctx.write(65535, bytes("too long")).ok();
    return ctx.write(ptr, bytes(s)).ok() ? len : 0;
  });
  auto inst =
      instantiate(R"((module (import "env" "shout" (func $shout (param i32 i32) (result i32)))
    (memory (export "memory") 1) (data (i32.const 16) "quiet")
    (func (export "run") (result i32) (call $shout (i32.const 16) (i32.const 5)))))",
                  linker);
  ASSERT_NE(inst, nullptr);
  auto out = inst->call("run", {});
  ASSERT_TRUE(out.ok());
  ASSERT_TRUE(out->returned());
  EXPECT_EQ(out->results[0].asI32(), 5u);
  EXPECT_EQ(seen, "quiet");
  EXPECT_TRUE(refused);
  uint8_t back[5];
  ASSERT_TRUE(inst->getExport("memory")->read(16, back).ok());
  EXPECT_EQ(std::memcmp(back, "QUIET", 5), 0);
}

TEST(MemoryAccess, ParkedExecutionTakesItsAnswerInMemory) {
  Linker linker;
  linker.defineFunc("host", "ask", [](CallContext &ctx, uint32_t, uint32_t) -> uint32_t {
    ctx.answer(HostResult::suspend());
    return 0;
  });
  // ask(ptr, cap) -> len; the guest sums the answer's bytes.
  auto inst = instantiate(R"((module (import "host" "ask" (func $ask (param i32 i32) (result i32)))
    (memory 1)
    (func (export "run") (result i32) (local $n i32) (local $i i32) (local $sum i32)
      (local.set $n (call $ask (i32.const 64) (i32.const 32)))
      (block $done (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $sum (i32.add (local.get $sum)
                                 (i32.load8_u offset=64 (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
      (local.get $sum))))",
                          linker);
  ASSERT_NE(inst, nullptr);
  auto ex = inst->start("run", {});
  ASSERT_TRUE(ex.ok());
  auto first = ex->run();
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->kind, OutcomeKind::Suspended);
  uint32_t ptr = first->pending.args[0].asI32(), cap = first->pending.args[1].asI32();
  std::string answer = "yes";
  ASSERT_LE(answer.size(), cap);
  ASSERT_TRUE(ex->writeMemory(ptr, bytes(answer)).ok());
  EXPECT_FALSE(ex->writeMemory(65535, bytes(answer)).ok());
  Value len = Value::i32(uint32_t(answer.size()));
  ASSERT_TRUE(ex->resume(std::span(&len, 1)).ok());
  auto done = ex->run();
  ASSERT_TRUE(done.ok());
  ASSERT_TRUE(done->returned());
  EXPECT_EQ(done->results[0].asI32(), uint32_t('y' + 'e' + 's'));
  uint8_t b;
  EXPECT_EQ(ex->readMemory(0, {&b, 1}).error().code, ErrorCode::ExecutionFinished);
  Execution moved = std::move(*ex);
  EXPECT_EQ(ex->readMemory(0, {&b, 1}).error().code, ErrorCode::InvalidArgument);
}

} // namespace
} // namespace halter
