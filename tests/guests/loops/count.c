// A counting loop that would end, after about 10^15 iterations.
#include <stdint.h>
#include <stdio.h>

int main(int argc, char **argv) {
  (void)argv;
  uint64_t h = 1469598103934665603u;
  for (uint64_t i = 0; i < 1000000000000000u; ++i) h = (h ^ (i + (uint64_t)argc)) * 1099511628211u;
  printf("%llu\n", (unsigned long long)h);
  return 0;
}
