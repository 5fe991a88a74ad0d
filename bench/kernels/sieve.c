// Integer loop with memory traffic: repeated sieves of Eratosthenes over a
// byte buffer, each followed by a prefix sum of the prime flags.
#include "kernel.h"

#define kSieveSize (1u << 20)

static u8 composite[kSieveSize];
static u32 prefix[kSieveSize / 16];

static u32 sieveOnce(u32 limit) {
  for (u32 i = 0; i < limit; i++) composite[i] = 0;
  composite[0] = composite[1] = 1;
  for (u32 p = 2; p * p < limit; p++) {
    if (composite[p]) continue;
    for (u32 m = p * p; m < limit; m += p) composite[m] = 1;
  }
  // Primes per 16-number block, then their running total.
  u32 total = 0;
  for (u32 b = 0; b < limit / 16; b++) {
    u32 c = 0;
    for (u32 j = 0; j < 16; j++) c += composite[b * 16 + j] ^ 1u;
    total += c;
    prefix[b] = total;
  }
  u32 h = total;
  for (u32 b = 0; b < limit / 16; b += 97) h = h * 31u + prefix[b];
  return h;
}

u32 run(u32 n) {
  u32 h = 0;
  for (u32 r = 0; r < n; r++) {
    u32 limit = kSieveSize - (r % 8) * 4096;
    h = (h ^ sieveOnce(limit)) * 0x9E3779B1u;
  }
  return h;
}
