// A CPU-bound guest for the demo: a prime sieve and a Mandelbrot checksum,
// built with clang --target=wasm32 -nostdlib (no libc, no imports).

#define SIEVE_LIMIT (1 << 20)

static unsigned char composite[SIEVE_LIMIT];

// Number of primes below n (n is clamped to the sieve size).
int count_primes(int n) {
  if (n > SIEVE_LIMIT) n = SIEVE_LIMIT;
  for (int i = 0; i < n; ++i) composite[i] = 0;
  int count = 0;
  for (int i = 2; i < n; ++i) {
    if (composite[i]) continue;
    ++count;
    for (long long j = (long long)i * i; j < n; j += i) composite[j] = 1;
  }
  return count;
}

// Sum over a width x height grid of the escape iteration counts of the
// Mandelbrot set in [-2, 1] x [-1.5, 1.5], at most max_iter per point.
unsigned mandelbrot(int width, int height, int max_iter) {
  unsigned sum = 0;
  for (int y = 0; y < height; ++y) {
    double ci = -1.5 + 3.0 * y / height;
    for (int x = 0; x < width; ++x) {
      double cr = -2.0 + 3.0 * x / width;
      double zr = 0, zi = 0;
      int it = 0;
      while (it < max_iter && zr * zr + zi * zi <= 4.0) {
        double t = zr * zr - zi * zi + cr;
        zi = 2 * zr * zi + ci;
        zr = t;
        ++it;
      }
      sum += (unsigned)it;
    }
  }
  return sum;
}

// Iterative Fibonacci modulo 2^64.
unsigned long long fib(int n) {
  unsigned long long a = 0, b = 1;
  for (int i = 0; i < n; ++i) {
    unsigned long long t = a + b;
    a = b;
    b = t;
  }
  return a;
}

// Integer division; a zero divisor makes the guest trap.
int divide(int a, int b) {
  return a / b;
}
