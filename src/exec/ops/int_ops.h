// Integer semantics of WebAssembly that C++ operators do not give directly:
// shift and rotate counts are taken modulo the bit width (C++ leaves a count
// at or above the width undefined), shr_s shifts copies of the sign bit in,
// and rem_s of the minimum by -1 is 0 (C++ overflows). Shifts take the
// unsigned slot type, so one template serves every width.
#pragma once

#include <bit>
#include <cstdint>
#include <type_traits>

namespace halter::exec::ops {

template <class U> inline constexpr U kShiftMask = U(sizeof(U) * 8 - 1);

template <class U> inline U shl(U a, U b) {
  return U(a << (b & kShiftMask<U>));
}
template <class U> inline U shrS(U a, U b) {
  return U(std::make_signed_t<U>(a) >> (b & kShiftMask<U>));
}
template <class U> inline U shrU(U a, U b) {
  return U(a >> (b & kShiftMask<U>));
}
template <class U> inline U rotl(U a, U b) {
  return std::rotl(a, int(b & kShiftMask<U>));
}
template <class U> inline U rotr(U a, U b) {
  return std::rotr(a, int(b & kShiftMask<U>));
}

// The divisor is not 0 (the handler traps first).
template <class S> inline S remS(S a, S b) {
  return b == -1 ? 0 : a % b;
}

} // namespace halter::exec::ops
