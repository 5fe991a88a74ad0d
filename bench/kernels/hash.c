// Hashing over a buffer: FNV-1a over bytes, a table-driven CRC-32 and a
// multiply-rotate word mixer, repeated over a buffer that changes per round.
#include "kernel.h"

#define kBufSize (256u * 1024u)

static u8 buf[kBufSize];
static u32 crcTable[256];

static void fillBuffer(void) {
  u32 x = 2463534242u;
  for (u32 i = 0; i < kBufSize; i++) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    buf[i] = (u8)(x >> 11);
  }
}

static void buildCrcTable(void) {
  for (u32 i = 0; i < 256; i++) {
    u32 r = i;
    for (u32 k = 0; k < 8; k++) r = (r >> 1) ^ (0xEDB88320u & (0u - (r & 1u)));
    crcTable[i] = r;
  }
}

static u32 fnv1a(void) {
  u32 h = 2166136261u;
  for (u32 i = 0; i < kBufSize; i++) h = (h ^ buf[i]) * 16777619u;
  return h;
}

static u32 crc32(void) {
  u32 r = 0xFFFFFFFFu;
  for (u32 i = 0; i < kBufSize; i++) r = crcTable[(r ^ buf[i]) & 0xFFu] ^ (r >> 8);
  return ~r;
}

static u32 rotl(u32 x, u32 s) {
  return (x << s) | (x >> (32u - s));
}

static u32 wordMix(u32 seed) {
  u32 h = seed;
  for (u32 i = 0; i + 4 <= kBufSize; i += 4) {
    u32 k =
        (u32)buf[i] | ((u32)buf[i + 1] << 8) | ((u32)buf[i + 2] << 16) | ((u32)buf[i + 3] << 24);
    k *= 0xCC9E2D51u;
    k = rotl(k, 15);
    k *= 0x1B873593u;
    h ^= k;
    h = rotl(h, 13) * 5u + 0xE6546B64u;
  }
  h ^= h >> 16;
  h *= 0x85EBCA6Bu;
  h ^= h >> 13;
  return h;
}

u32 run(u32 n) {
  fillBuffer();
  buildCrcTable();
  u32 acc = 0;
  for (u32 r = 0; r < n; r++) {
    u32 f = fnv1a();
    u32 c = crc32();
    u32 w = wordMix(f ^ r);
    acc = rotl(acc, 7) ^ f ^ (c * 3u) ^ (w * 5u);
    buf[(acc >> 3) % kBufSize] ^= (u8)acc;
  }
  return acc;
}
