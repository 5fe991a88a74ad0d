// env: prints its arguments, its environment, the clocks and random bytes;
// in deterministic mode the whole transcript must repeat byte for byte.
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv) {
  for (int i = 0; i < argc; ++i) printf("arg %d: %s\n", i, argv[i]);
  for (char **e = environ; *e; ++e) printf("env: %s\n", *e);
  for (int i = 0; i < 3; ++i) {
    struct timespec rt, mono;
    clock_gettime(CLOCK_REALTIME, &rt);
    clock_gettime(CLOCK_MONOTONIC, &mono);
    printf("time: %lld.%09ld %lld.%09ld\n", (long long)rt.tv_sec, rt.tv_nsec,
           (long long)mono.tv_sec, mono.tv_nsec);
  }
  unsigned char buf[16];
  if (getentropy(buf, sizeof buf) != 0) return 1;
  printf("random:");
  for (size_t i = 0; i < sizeof buf; ++i) printf(" %02x", buf[i]);
  printf("\n");
  struct timespec nap = {0, 5000000};
  nanosleep(&nap, NULL);
  printf("rand(): %d\n", rand());
  return 0;
}
