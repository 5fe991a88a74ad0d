// echo_socket: accepts one connection on the granted socket (fd 3), reads
// one message and answers "echo: " + message, then shuts the connection down.
#include "guest_util.h"

#include <string.h>
#include <wasi/api.h>

int main(void) {
  __wasi_fd_t conn;
  __wasi_errno_t e = __wasi_sock_accept(3, 0, &conn);
  if (e != 0) {
    printf("accept: %s\n", errnoName(e));
    return 1;
  }
  char buf[256] = "echo: ";
  __wasi_iovec_t in = {(uint8_t *)buf + 6, sizeof buf - 7};
  __wasi_size_t n = 0;
  __wasi_roflags_t flags = 0;
  e = __wasi_sock_recv(conn, &in, 1, 0, &n, &flags);
  if (e != 0) {
    printf("recv: %s\n", errnoName(e));
    return 1;
  }
  __wasi_ciovec_t out = {(const uint8_t *)buf, 6 + n};
  __wasi_size_t sent = 0;
  e = __wasi_sock_send(conn, &out, 1, 0, &sent);
  printf("recv %u, send %s %u, ", (unsigned)n, errnoName(e), (unsigned)sent);
  printf("shutdown %s, ", errnoName(__wasi_sock_shutdown(conn, __WASI_SDFLAGS_WR)));
  printf("accept on conn %s\n", errnoName(__wasi_sock_accept(conn, 0, &conn)));
  return 0;
}
