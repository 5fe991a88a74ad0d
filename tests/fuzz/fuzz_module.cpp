// libFuzzer target: decode, validate, compile and instantiate arbitrary bytes.
// Imports are satisfied with dummies of the declared types so that
// instantiation (segments, globals, tables) is reached as often as possible.
#include "halter/halter.h"

#include <cstddef>
#include <cstdint>

namespace {

using namespace halter;

// Tables and memories larger than this are not instantiated: the fuzzer's own
// RSS limit is not what this target is meant to find.
constexpr uint64_t kMaxTableElements = 1u << 20;
constexpr uint64_t kMaxMemoryPages = 1024;

bool defineDummy(Linker &linker, const ImportInfo &import) {
  switch (import.kind) {
  case ExternKind::Func: {
    FuncType type = import.func;
    linker.defineFunc(import.module, import.name, type,
                      [type](CallContext &, std::span<const Value>, std::span<Value> results) {
                        for (size_t i = 0; i < results.size(); ++i)
                          results[i] = Value::zero(type.results[i]);
                        return HostResult::ok();
                      });
    return true;
  }
  case ExternKind::Table: {
    if (import.table.limits.min > kMaxTableElements) return false;
    auto table = Extern::hostTable(import.table, Value::nullRef(import.table.elem));
    if (!table) return false;
    linker.define(import.module, import.name, std::move(*table));
    return true;
  }
  case ExternKind::Memory: {
    if (import.memory.limits.min > kMaxMemoryPages) return false;
    auto memory = Extern::hostMemory(import.memory);
    if (!memory) return false;
    linker.define(import.module, import.name, std::move(*memory));
    return true;
  }
  case ExternKind::Global: {
    auto global = Extern::hostGlobal(import.global, Value::zero(import.global.type));
    if (!global) return false;
    linker.define(import.module, import.name, std::move(*global));
    return true;
  }
  }
  return false;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::span<const uint8_t> bytes(data, size);
  auto valid = Module::validate(bytes);
  auto module = Module::compile(bytes);
  if (!module) return 0;
  if (!valid.ok()) __builtin_trap(); // validate and compile must agree

  Linker linker;
  for (const ImportInfo &import : (*module)->imports())
    if (!defineDummy(linker, import)) return 0;
  // Fuel bounds a start function that loops for ever; memories stay small.
  Limits limits;
  limits.fuel = 1'000'000;
  limits.max_memory_bytes = kMaxMemoryPages * kPageSize;
  limits.max_table_elements = kMaxTableElements;
  auto instance = linker.instantiate(*module, limits);
  (void)instance;
  return 0;
}
