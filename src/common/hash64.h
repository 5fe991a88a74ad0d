// A fast 64-bit hash of bytes, for telling corrupted or mismatched data
// from the right one (snapshot checksums, module identity). Not
// cryptographic: nothing relies on it for safety, since whatever passes it
// is still validated.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>

namespace halter {

inline uint64_t hash64(std::span<const uint8_t> bytes, uint64_t seed = 0) {
  constexpr uint64_t kMul1 = 0x9E3779B97F4A7C15ull, kMul2 = 0xC2B2AE3D27D4EB4Full;
  auto mix = [](uint64_t h, uint64_t w) {
    h ^= w * kMul2;
    h = (h << 31) | (h >> 33);
    return h * kMul1;
  };
  // Four lanes, so the multiplications of consecutive words overlap.
  uint64_t lane[4] = {seed ^ kMul1, seed + kMul2, seed, seed - kMul1};
  const uint8_t *p = bytes.data();
  size_t n = bytes.size();
  while (n >= 32) {
    for (int i = 0; i < 4; ++i) {
      uint64_t w;
      std::memcpy(&w, p + 8 * i, 8);
      lane[i] = mix(lane[i], w);
    }
    p += 32;
    n -= 32;
  }
  uint64_t h = uint64_t(bytes.size()) * kMul1;
  for (uint64_t l : lane) h = mix(h, l);
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    h = mix(h, w);
    p += 8;
    n -= 8;
  }
  uint64_t tail = 0;
  std::memcpy(&tail, p, n);
  h = mix(h, tail ^ (uint64_t(n) << 56));
  // Final avalanche: every input bit reaches every output bit.
  h ^= h >> 33;
  h *= kMul2;
  h ^= h >> 29;
  h *= kMul1;
  h ^= h >> 32;
  return h;
}

} // namespace halter
