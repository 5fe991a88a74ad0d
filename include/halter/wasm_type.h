// The C++ types that stand for wasm value types in typed host functions
// (host_func.h) and typed calls (typed_func.h): int32_t and uint32_t for
// i32, int64_t and uint64_t for i64, float for f32, double for f64.
#pragma once

#include "halter/types.h"

#include <cstdint>

namespace halter {

template <class T> struct WasmType;
template <> struct WasmType<int32_t> {
  static constexpr ValType kType = ValType::I32;
  static int32_t from(const Value &v) { return static_cast<int32_t>(v.asI32()); }
  static Value to(int32_t x) { return Value::i32(static_cast<uint32_t>(x)); }
};
template <> struct WasmType<uint32_t> {
  static constexpr ValType kType = ValType::I32;
  static uint32_t from(const Value &v) { return v.asI32(); }
  static Value to(uint32_t x) { return Value::i32(x); }
};
template <> struct WasmType<int64_t> {
  static constexpr ValType kType = ValType::I64;
  static int64_t from(const Value &v) { return static_cast<int64_t>(v.asI64()); }
  static Value to(int64_t x) { return Value::i64(static_cast<uint64_t>(x)); }
};
template <> struct WasmType<uint64_t> {
  static constexpr ValType kType = ValType::I64;
  static uint64_t from(const Value &v) { return v.asI64(); }
  static Value to(uint64_t x) { return Value::i64(x); }
};
template <> struct WasmType<float> {
  static constexpr ValType kType = ValType::F32;
  static float from(const Value &v) { return v.asF32(); }
  static Value to(float x) { return Value::f32(x); }
};
template <> struct WasmType<double> {
  static constexpr ValType kType = ValType::F64;
  static double from(const Value &v) { return v.asF64(); }
  static Value to(double x) { return Value::f64(x); }
};

} // namespace halter
