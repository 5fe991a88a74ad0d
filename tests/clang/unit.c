// Input of the wasi_clang test: freestanding C that takes clang's built-in
// headers from its resource directory (/usr/include) and gives the optimiser
// some work (a loop to unroll, a switch to turn into a table, structs by value).
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct point {
  int32_t x, y;
};

static const uint8_t digits[8] = {3, 1, 4, 1, 5, 9, 2, 6};

uint32_t fnv1a(const uint8_t *bytes, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++) h = (h ^ bytes[i]) * 16777619u;
  return h;
}

int32_t manhattan(struct point a, struct point b) {
  int32_t dx = a.x > b.x ? a.x - b.x : b.x - a.x;
  int32_t dy = a.y > b.y ? a.y - b.y : b.y - a.y;
  return dx + dy;
}

int classify(int c) {
  switch (c) {
  case 0: return digits[0];
  case 1:
  case 2: return digits[c] * 2;
  case 7: return -1;
  default: return c < 8 ? digits[c & 7] : 0;
  }
}

bool sorted(const int64_t *v, size_t n) {
  for (size_t i = 1; i < n; i++)
    if (v[i - 1] > v[i]) return false;
  return true;
}
