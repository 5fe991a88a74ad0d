// poll_stdin MS: waits up to MS for stdin to become readable (poll(2), that
// is poll_oneoff with an fd_read and a clock subscription) and says which came.
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv) {
  int ms = argc > 1 ? atoi(argv[1]) : 100;
  struct pollfd p = {0, POLLIN, 0};
  int r = poll(&p, 1, ms);
  if (r == 0) {
    printf("timeout\n");
    return 0;
  }
  char buf[64];
  ssize_t n = read(0, buf, sizeof buf);
  printf("ready: %.*s\n", (int)(n > 0 ? n : 0), buf);
  return 0;
}
