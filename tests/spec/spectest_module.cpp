#include "spectest_module.h"

namespace halter::spectest {

namespace {

HostFunction printNothing() {
  return [](CallContext &, std::span<const Value>, std::span<Value>) { return HostResult::ok(); };
}

void definePrint(Linker &linker, const char *name, std::vector<ValType> params) {
  linker.defineFunc("spectest", name, FuncType{std::move(params), {}}, printNothing());
}

Result<void> defineGlobal(Linker &linker, const char *name, Value value) {
  HALTER_ASSIGN_OR_RETURN(Extern global,
                          Extern::hostGlobal(GlobalType{value.type(), false}, value));
  linker.define("spectest", name, std::move(global));
  return okResult();
}

} // namespace

Result<void> defineSpectest(Linker &linker) {
  definePrint(linker, "print", {});
  definePrint(linker, "print_i32", {ValType::I32});
  definePrint(linker, "print_i64", {ValType::I64});
  definePrint(linker, "print_f32", {ValType::F32});
  definePrint(linker, "print_f64", {ValType::F64});
  definePrint(linker, "print_i32_f32", {ValType::I32, ValType::F32});
  definePrint(linker, "print_f64_f64", {ValType::F64, ValType::F64});

  HALTER_TRY(defineGlobal(linker, "global_i32", Value::i32(666)));
  HALTER_TRY(defineGlobal(linker, "global_i64", Value::i64(666)));
  HALTER_TRY(defineGlobal(linker, "global_f32", Value::f32Bits(0x4426a666)));
  HALTER_TRY(defineGlobal(linker, "global_f64", Value::f64Bits(0x4084d4cccccccccdull)));

  TableType table_type{ValType::FuncRef, SizeLimits{10, 20}};
  HALTER_ASSIGN_OR_RETURN(Extern table,
                          Extern::hostTable(table_type, Value::nullRef(ValType::FuncRef)));
  linker.define("spectest", "table", std::move(table));

  HALTER_ASSIGN_OR_RETURN(Extern memory, Extern::hostMemory(MemoryType{SizeLimits{1, 2}}));
  linker.define("spectest", "memory", std::move(memory));
  return okResult();
}

} // namespace halter::spectest
