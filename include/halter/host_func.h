// Typed host functions: Linker::defineFunc(module, name, callable) derives
// the wasm function type from the callable's C++ signature.
//
//   linker.defineFunc("env", "add", [](int32_t a, int32_t b) { return a + b; });
//   linker.defineFunc("env", "log", [](halter::CallContext &ctx, uint32_t ptr, uint32_t len) {
//     ...  // ctx.memory(), ctx.answer(halter::HostResult::suspend()), ...
//   });
//
// Parameters and results: int32_t/uint32_t (i32), int64_t/uint64_t (i64),
// float (f32), double (f64); results also void or std::tuple of those (multi-
// value). A first parameter `CallContext &` gives the context; to answer
// something other than results (a trap, an error, exit, suspend), call
// ctx.answer(...) and return any value.
#pragma once

// halter.h includes this header at its end; included first, this pulls in
// halter.h (whose nested include of this file is then skipped).
#include "halter/halter.h"
#include "halter/wasm_type.h"

#include <cstdint>
#include <functional>
#include <tuple>
#include <type_traits>
#include <utility>

namespace halter {
namespace host_func_detail {

template <class T> using Bare = std::remove_cvref_t<T>;

// The signature of a callable: lambdas and other function objects, function
// pointers.
template <class T> struct Signature : Signature<decltype(&Bare<T>::operator())> {};
template <class R, class... A> struct Signature<R (*)(A...)> {
  using Result = R;
  using Args = std::tuple<A...>;
};
template <class R, class... A> struct Signature<R(A...)> : Signature<R (*)(A...)> {};
template <class C, class R, class... A>
struct Signature<R (C::*)(A...)> : Signature<R (*)(A...)> {};
template <class C, class R, class... A>
struct Signature<R (C::*)(A...) const> : Signature<R (*)(A...)> {};

template <class Tuple> struct WithoutContext {
  static constexpr bool kHasContext = false;
  using Params = Tuple;
};
template <class... A> struct WithoutContext<std::tuple<CallContext &, A...>> {
  static constexpr bool kHasContext = true;
  using Params = std::tuple<A...>;
};

template <class R> struct Results {
  static std::vector<ValType> types() { return {WasmType<Bare<R>>::kType}; }
  static void store(R &&r, std::span<Value> out) { out[0] = WasmType<Bare<R>>::to(r); }
};
template <> struct Results<void> {
  static std::vector<ValType> types() { return {}; }
};
template <class... R> struct Results<std::tuple<R...>> {
  static std::vector<ValType> types() { return {WasmType<Bare<R>>::kType...}; }
  static void store(std::tuple<R...> &&r, std::span<Value> out) {
    storeEach(std::move(r), out, std::index_sequence_for<R...>{});
  }
  template <size_t... I>
  static void storeEach(std::tuple<R...> &&r, std::span<Value> out, std::index_sequence<I...>) {
    ((out[I] = WasmType<Bare<R>>::to(std::get<I>(r))), ...);
  }
};

template <class Params> struct ParamTypes;
template <class... P> struct ParamTypes<std::tuple<P...>> {
  static std::vector<ValType> types() { return {WasmType<Bare<P>>::kType...}; }
};

template <class F> HostFunction wrap(F &&fn, FuncType *type) {
  using Sig = Signature<F>;
  using Split = WithoutContext<typename Sig::Args>;
  using Params = typename Split::Params;
  using R = typename Sig::Result;
  type->params = ParamTypes<Params>::types();
  type->results = Results<R>::types();
  return [f = std::forward<F>(fn)](CallContext &ctx, std::span<const Value> args,
                                   std::span<Value> results) mutable -> HostResult {
    constexpr auto kIdx = std::make_index_sequence<std::tuple_size_v<Params>>{};
    auto invoke = [&]() -> decltype(auto) {
      return [&]<size_t... I>(std::index_sequence<I...>)->decltype(auto) {
        if constexpr (Split::kHasContext)
          return f(ctx, WasmType<Bare<std::tuple_element_t<I, Params>>>::from(args[I])...);
        else
          return f(WasmType<Bare<std::tuple_element_t<I, Params>>>::from(args[I])...);
      }
      (kIdx);
    };
    if constexpr (std::is_void_v<R>) {
      invoke();
    } else {
      R r = invoke();
      if (!ctx.answerOverride()) Results<R>::store(std::move(r), results);
    }
    if (ctx.answerOverride()) return std::move(*ctx.answerOverride());
    return HostResult::ok();
  };
}

} // namespace host_func_detail

template <class F>
void Linker::defineFunc(std::string module, std::string name, F &&fn, HostErrors errors) {
  FuncType type;
  HostFunction host = host_func_detail::wrap(std::forward<F>(fn), &type);
  defineFunc(std::move(module), std::move(name), std::move(type), std::move(host), errors);
}

} // namespace halter
