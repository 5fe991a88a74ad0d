// Values in the interpreter's 64-bit slots and in linear memory: unaligned
// loads and stores of any width, a value as its slot bits, and an immediate
// operand word as a typed value.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>

namespace halter::exec::ops {

template <class T> inline T load(const uint8_t *p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}
template <class T> inline void store(uint8_t *p, T v) {
  std::memcpy(p, &v, sizeof(T));
}

// A value as the 64 bits of its slot (i32/f32 zero-extended).
inline uint64_t toSlot(uint32_t v) {
  return v;
}
inline uint64_t toSlot(uint64_t v) {
  return v;
}
inline uint64_t toSlot(float v) {
  return std::bit_cast<uint32_t>(v);
}
inline uint64_t toSlot(double v) {
  return std::bit_cast<uint64_t>(v);
}

template <class T> inline T fromImm(uint64_t w) {
  if constexpr (sizeof(T) == 4)
    return std::bit_cast<T>(static_cast<uint32_t>(w));
  else
    return std::bit_cast<T>(w);
}

} // namespace halter::exec::ops
