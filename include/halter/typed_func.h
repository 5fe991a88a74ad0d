// Typed calls: an export looked up once with its C++ signature, then called
// like a function: `auto add = instance->typed<int32_t(int32_t, int32_t)>("add");`
// then `Result<int32_t> sum = (*add)(2, 3);`. The signature is checked against
// the export's type at lookup; a call allocates nothing and reads no clock
// unless a timeout asks for one. The C++ types are those of host_func.h:
// int32_t/uint32_t (i32), int64_t/uint64_t (i64), float (f32), double
// (f64); results are void, one type or a std::tuple of them.
#pragma once

#include "halter/halter.h"
#include "halter/wasm_type.h"

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <tuple>
#include <type_traits>
#include <vector>

namespace halter {

namespace detail {

// What Instance::typed found: the function, its instance, and what keeps
// them alive (the instance's lifetime group). Engine objects, typed by
// ApiAccess; only Instance makes one.
class TypedTarget {
public:
  TypedTarget() = default;

private:
  friend struct ApiAccess;
  std::shared_ptr<void> keep_alive_;
  void *instance_ = nullptr;
  const void *func_ = nullptr;
};

// Runs the call of a typed function (src/api/typed_call.cpp). `args` and
// `results` hold one raw slot per value (Value::lowBits). `options` may be
// null: the instance's limits, no cancel token.
Result<void> callTyped(const TypedTarget &target, std::span<const uint64_t> args,
                       std::span<uint64_t> results, const CallOptions *options);

template <class T> uint64_t toSlot(T x) {
  return WasmType<T>::to(x).lowBits();
}
template <class T> T fromSlot(uint64_t slot) {
  constexpr ValType kType = WasmType<T>::kType;
  // The guest leaves the high half of an i32 or f32 slot undefined.
  if constexpr (kType == ValType::I32 || kType == ValType::F32) slot &= 0xFFFFFFFFu;
  return WasmType<T>::from(Value::fromBits(kType, slot));
}

template <class R> struct TypedResults {
  static constexpr size_t kCount = 1;
  static std::vector<ValType> types() { return {WasmType<R>::kType}; }
  static R read(const std::array<uint64_t, 1> &slots) { return fromSlot<R>(slots[0]); }
};
template <> struct TypedResults<void> {
  static constexpr size_t kCount = 0;
  static std::vector<ValType> types() { return {}; }
};
template <class... R> struct TypedResults<std::tuple<R...>> {
  static constexpr size_t kCount = sizeof...(R);
  static std::vector<ValType> types() { return {WasmType<R>::kType...}; }
  static std::tuple<R...> read(const std::array<uint64_t, kCount> &slots) {
    return [&]<size_t... I>(std::index_sequence<I...>) {
      return std::tuple<R...>(fromSlot<R>(slots[I])...);
    }
    (std::index_sequence_for<R...>{});
  }
};

} // namespace detail

// A typed handle on an exported function; copyable, cheap, and it keeps its
// instance alive. Calls follow Instance::call (same checks, limits and
// errors), but as a Result<R>: when the guest does not return, the error
// says how: ErrorCode::Trapped (the message is the trap's description,
// backtrace included), OutOfFuel, DeadlineExceeded, Cancelled, or Exited
// (the message holds the exit code). Use Instance::call or start for the
// whole Outcome (stats, a pending host call, continuing after OutOfFuel).
template <class R, class... A> class TypedFunc<R(A...)> {
public:
  TypedFunc() = default;
  // Calls with the instance's limits.
  Result<R> operator()(A... args) const { return invoke(nullptr, args...); }
  // Calls with `options` (limits replacing the instance's, a cancel token).
  Result<R> call(const CallOptions &options, A... args) const { return invoke(&options, args...); }
  // The C++ signature's wasm types, as Instance::typed checks them.
  static std::vector<ValType> paramTypes() { return {WasmType<std::remove_cvref_t<A>>::kType...}; }
  static std::vector<ValType> resultTypes() { return detail::TypedResults<R>::types(); }

private:
  friend class Instance;
  explicit TypedFunc(detail::TypedTarget target) : target_(std::move(target)) {}

  Result<R> invoke(const CallOptions *options, A... args) const {
    const std::array<uint64_t, sizeof...(A)> in{detail::toSlot(args)...};
    std::array<uint64_t, detail::TypedResults<R>::kCount> out{};
    Result<void> done = detail::callTyped(target_, in, out, options);
    if (!done.ok()) return std::move(done).error();
    if constexpr (std::is_void_v<R>)
      return okResult();
    else
      return detail::TypedResults<R>::read(out);
  }

  detail::TypedTarget target_;
};

template <class Sig> Result<TypedFunc<Sig>> Instance::typed(std::string_view export_name) const {
  HALTER_ASSIGN_OR_RETURN(
      detail::TypedTarget target,
      typedTarget(export_name, TypedFunc<Sig>::paramTypes(), TypedFunc<Sig>::resultTypes()));
  return TypedFunc<Sig>(std::move(target));
}

} // namespace halter
