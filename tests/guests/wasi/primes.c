// A WASI command with an expensive init for `halter preinit` (Wizer's
// convention): wizer.initialize sieves the primes below kLimit into a table
// and builds a CRC-32 table; main prints what it derives from them. Run
// without pre-initialisation, main does the init itself, so the original
// and the pre-initialised module print the same lines.
#include <stdint.h>
#include <stdio.h>
#include <string.h>

enum { kLimit = 2000000, kMaxPrimes = 150000 }; // 148,933 primes below 2,000,000

static uint8_t composite[kLimit]; // the sieve's scratch, zeroed again after use
static uint32_t primes[kMaxPrimes];
static uint32_t prime_count;
static uint32_t crc_table[256];
static int initialized;

__attribute__((export_name("wizer.initialize"))) void initialize(void) {
  for (uint32_t i = 2; (uint64_t)i * i < kLimit; ++i)
    if (!composite[i])
      for (uint32_t j = i * i; j < kLimit; j += i) composite[j] = 1;
  for (uint32_t i = 2; i < kLimit && prime_count < kMaxPrimes; ++i)
    if (!composite[i]) primes[prime_count++] = i;
  // Only the table is state: a zeroed scratch costs the written module nothing.
  memset(composite, 0, sizeof composite);
  for (uint32_t n = 0; n < 256; ++n) {
    uint32_t c = n;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    crc_table[n] = c;
  }
  initialized = 1;
}

static uint32_t crc32(const void *data, size_t n) {
  const uint8_t *p = data;
  uint32_t c = 0xFFFFFFFFu;
  for (size_t i = 0; i < n; ++i) c = crc_table[(c ^ p[i]) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

int main(void) {
  printf("pre-initialised: %s\n", initialized ? "yes" : "no");
  if (!initialized) initialize();
  uint32_t twins = 0;
  for (uint32_t i = 1; i < prime_count; ++i) twins += primes[i] - primes[i - 1] == 2;
  printf("primes below %d: %u\n", kLimit, (unsigned)prime_count);
  printf("the 100000th: %u, the last: %u\n", (unsigned)primes[99999],
         (unsigned)primes[prime_count - 1]);
  printf("twin prime pairs: %u\n", (unsigned)twins);
  printf("crc32 of the first 1000 primes: %08x\n", (unsigned)crc32(primes, 1000 * sizeof *primes));
  printf("crc32(\"halter\"): %08x\n", (unsigned)crc32("halter", 6));
  return 0;
}
