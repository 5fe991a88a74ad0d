// sleep MS: sleeps (poll_oneoff on a clock) and reports how long it took
// by the monotonic clock.
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv) {
  long ms = argc > 1 ? atol(argv[1]) : 100;
  struct timespec a, b, d = {ms / 1000, (ms % 1000) * 1000000L};
  clock_gettime(CLOCK_MONOTONIC, &a);
  printf("sleeping %ld ms\n", ms);
  fflush(stdout);
  nanosleep(&d, NULL);
  clock_gettime(CLOCK_MONOTONIC, &b);
  long long elapsed = (b.tv_sec - a.tv_sec) * 1000LL + (b.tv_nsec - a.tv_nsec) / 1000000;
  printf("slept %s\n", elapsed >= ms ? "enough" : "too little");
  return 0;
}
