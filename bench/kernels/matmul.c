// Double-precision matrix multiply (i-k-j order). The checksum folds the bit
// patterns of every result element, so it is exact for IEEE arithmetic done
// in the same order on every target.
#include "kernel.h"

#define kMaxDim 384u

static double a[kMaxDim * kMaxDim];
static double b[kMaxDim * kMaxDim];
static double c[kMaxDim * kMaxDim];

static u64 bitsOf(double d) {
  u64 u;
  __builtin_memcpy(&u, &d, sizeof u);
  return u;
}

u32 run(u32 n) {
  if (n > kMaxDim) n = kMaxDim;
  for (u32 i = 0; i < n; i++) {
    for (u32 j = 0; j < n; j++) {
      a[i * n + j] = (double)((i * 31u + j * 17u) % 101u) / 7.0 - 3.0;
      b[i * n + j] = (double)((i * 13u + j * 29u) % 89u) / 11.0 + 0.5;
      c[i * n + j] = 0.0;
    }
  }
  for (u32 i = 0; i < n; i++) {
    double *crow = &c[i * n];
    for (u32 k = 0; k < n; k++) {
      const double aik = a[i * n + k];
      const double *brow = &b[k * n];
      for (u32 j = 0; j < n; j++) crow[j] += aik * brow[j];
    }
  }
  u64 h = 1469598103934665603ull;
  for (u32 i = 0; i < n * n; i++) {
    u64 v = bitsOf(c[i]);
    h = (h ^ v ^ (v >> 29)) * 1099511628211ull;
  }
  return (u32)(h ^ (h >> 32));
}
