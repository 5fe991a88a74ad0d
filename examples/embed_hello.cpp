// Embedding halter: compile a module, give it a host function, call exports.
//
//   embed_hello hello.wasm
#include "halter/halter.h"

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

int main(int argc, char **argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: embed_hello FILE.wasm\n");
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());

  // Decode, validate and lower once; the module can be shared and instantiated many times.
  auto module = halter::Module::compile(bytes);
  if (!module) {
    std::fprintf(stderr, "compile: %s\n", module.error().describe().c_str());
    return 1;
  }

  // The guest imports host.log(ptr, len): print a string from the guest's memory.
  halter::Linker linker;
  linker.defineFunc(
      "host", "log", halter::FuncType{{halter::ValType::I32, halter::ValType::I32}, {}},
      [](halter::CallContext &ctx, std::span<const halter::Value> args, std::span<halter::Value>) {
        std::span<uint8_t> memory = ctx.memory();
        uint64_t ptr = args[0].asI32(), len = args[1].asI32();
        if (ptr > memory.size() || len > memory.size() - ptr)
          return halter::HostResult::trap("log: string out of bounds");
        std::printf("guest says: %.*s\n", static_cast<int>(len),
                    reinterpret_cast<const char *>(memory.data() + ptr));
        return halter::HostResult::ok();
      });

  auto instance = linker.instantiate(*module);
  if (!instance) {
    std::fprintf(stderr, "instantiate: %s\n", instance.error().describe().c_str());
    return 1;
  }

  if (auto r = (*instance)->call("greet", {}); !r || !r->returned()) return 1;

  halter::Value n = halter::Value::i32(10);
  auto sum = (*instance)->call("sum_squares", std::span(&n, 1));
  if (!sum || !sum->returned()) return 1;
  std::printf("sum_squares(10) = %u\n", sum->results[0].asI32());

  // A trap is an Outcome, not an error: the instance stays usable.
  halter::Value div_args[] = {halter::Value::i32(7), halter::Value::i32(0)};
  auto div = (*instance)->call("divide", div_args);
  if (!div || !div->trapped()) return 1;
  std::printf("divide(7, 0) trapped: %s\n", halter::trapKindText(div->trap.kind));

  // A typed call: the signature is checked once, here; calls take C++ values.
  auto divide = (*instance)->typed<int32_t(int32_t, int32_t)>("divide");
  if (!divide) return 1;
  halter::Result<int32_t> q = (*divide)(-42, 5);
  if (!q) return 1;
  std::printf("typed divide(-42, 5) = %d\n", *q);
  return 0;
}
