// Floating-point and conversion semantics of WebAssembly that C++ operators
// do not give directly: min/max, nearest, sign operations on bit patterns,
// range checks of the trapping truncations and the saturating truncations.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

namespace halter::exec::ops {

// NaN in -> a NaN out (quiet); -0 is below +0.
template <class F> inline F wasmMin(F a, F b) {
  if (a != a || b != b) return a + b;
  if (a == b) return std::signbit(a) ? a : b;
  return a < b ? a : b;
}

template <class F> inline F wasmMax(F a, F b) {
  if (a != a || b != b) return a + b;
  if (a == b) return std::signbit(a) ? b : a;
  return a > b ? a : b;
}

// Rounding: a NaN operand gives a quiet NaN (libm returns a signalling one
// unchanged). Nearest rounds ties to even: the default rounding mode is never
// changed.
template <class F> inline F wasmCeil(F x) {
  return x != x ? x + x : std::ceil(x);
}
template <class F> inline F wasmFloor(F x) {
  return x != x ? x + x : std::floor(x);
}
template <class F> inline F wasmTrunc(F x) {
  return x != x ? x + x : std::trunc(x);
}
template <class F> inline F wasmNearest(F x) {
  return x != x ? x + x : std::nearbyint(x);
}

// Sign operations act on the bits, so NaN payloads survive.
inline uint32_t f32Abs(uint32_t bits) {
  return bits & 0x7FFFFFFFu;
}
inline uint32_t f32Neg(uint32_t bits) {
  return bits ^ 0x80000000u;
}
inline uint32_t f32Copysign(uint32_t a, uint32_t b) {
  return (a & 0x7FFFFFFFu) | (b & 0x80000000u);
}
inline uint64_t f64Abs(uint64_t bits) {
  return bits & 0x7FFFFFFFFFFFFFFFull;
}
inline uint64_t f64Neg(uint64_t bits) {
  return bits ^ 0x8000000000000000ull;
}
inline uint64_t f64Copysign(uint64_t a, uint64_t b) {
  return (a & 0x7FFFFFFFFFFFFFFFull) | (b & 0x8000000000000000ull);
}

// Whether truncating `x` (an f32 promoted exactly, or an f64) toward zero
// gives a value representable in the integer type I. NaN is never in range.
// The bounds are exact doubles: the result must lie strictly between
// min - 1 and max + 1.
template <class I> inline bool truncInRange(double x) {
  if constexpr (std::is_same_v<I, int32_t>) return x > -2147483649.0 && x < 2147483648.0;
  if constexpr (std::is_same_v<I, uint32_t>) return x > -1.0 && x < 4294967296.0;
  // -2^63 - 1 is not a double; every double >= -2^63 that truncates into range is >= -2^63.
  if constexpr (std::is_same_v<I, int64_t>)
    return x >= -9223372036854775808.0 && x < 9223372036854775808.0;
  if constexpr (std::is_same_v<I, uint64_t>) return x > -1.0 && x < 18446744073709551616.0;
}

// Exclusive upper bound of the values that truncate into I: 2^31, 2^32, 2^63 or 2^64.
template <class I>
inline constexpr double
    kTruncHigh = std::numeric_limits<I>::is_signed
                     ? -static_cast<double>(std::numeric_limits<I>::min())
                     : 2.0 * (static_cast<double>(std::numeric_limits<I>::max() / 2) + 1.0);

// Truncation toward zero, saturating at the bounds; NaN gives 0.
template <class I> inline I truncSat(double x) {
  using L = std::numeric_limits<I>;
  if (x != x) return 0;
  if (x < static_cast<double>(L::min())) return L::min();
  if (x >= kTruncHigh<I>) return L::max();
  return static_cast<I>(x);
}

} // namespace halter::exec::ops
