// Readiness of stdin through poll(), and sock_* on a granted socket.
#include "wasi_test_util.h"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace halter {
namespace {

using namespace std::chrono_literals;
using test::runGuest;

TEST(WasiStreams, PollSeesBufferedStdinAtOnce) {
  WasiConfig config;
  config.args = {"poll_stdin", "10000"};
  config.stdin_stream = WasiStdio::buffer("data");
  auto start = Clock::now();
  auto run = runGuest("poll_stdin", config);
  EXPECT_LT(Clock::now() - start, 1s);
  EXPECT_EQ(run.out, "ready: data\n");
}

TEST(WasiStreams, PollOnAnEmptyPipeTimesOutThenSeesData) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  WasiConfig config;
  config.args = {"poll_stdin", "50"};
  config.stdin_stream = WasiStdio::hostFd(fds[0]);
  auto start = Clock::now();
  auto run = runGuest("poll_stdin", config);
  EXPECT_GE(Clock::now() - start, 50ms);
  EXPECT_EQ(run.out, "timeout\n");

  config.args = {"poll_stdin", "10000"};
  std::thread writer([&] {
    std::this_thread::sleep_for(30ms);
    ASSERT_EQ(write(fds[1], "late", 4), 4);
  });
  run = runGuest("poll_stdin", config);
  writer.join();
  EXPECT_EQ(run.out, "ready: late\n");
  close(fds[0]);
  close(fds[1]);
}

TEST(WasiStreams, GrantedSocketAcceptsAndEchoes) {
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr *>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(listener, 1), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(getsockname(listener, reinterpret_cast<sockaddr *>(&addr), &len), 0);

  std::string reply;
  std::thread client([&] {
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ASSERT_EQ(connect(s, reinterpret_cast<sockaddr *>(&addr), sizeof addr), 0);
    ASSERT_EQ(send(s, "ping", 4, 0), 4);
    char buf[64];
    ssize_t n;
    while ((n = recv(s, buf, sizeof buf, 0)) > 0) reply.append(buf, size_t(n));
    close(s);
  });
  WasiConfig config;
  config.sockets = {listener};
  CallOptions options;
  options.limits = Limits{};
  options.limits->timeout = 10s;
  auto run = runGuest("echo_socket", config, options);
  client.join();
  close(listener);
  EXPECT_EQ(run.out, "recv 4, send ok 10, shutdown ok, accept on conn ENOTCAPABLE\n");
  EXPECT_EQ(reply, "echo: ping");
}

TEST(WasiStreams, AcceptWaitHonoursTheDeadline) {
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr *>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(listener, 1), 0);
  WasiConfig config;
  config.sockets = {listener};
  CallOptions options;
  options.limits = Limits{};
  options.limits->timeout = 150ms;
  auto start = Clock::now();
  auto run = runGuest("echo_socket", config, options); // nobody connects
  EXPECT_EQ(run.outcome.kind, OutcomeKind::DeadlineExceeded) << outcomeKindName(run.outcome.kind);
  EXPECT_LT(Clock::now() - start, 1s);
  close(listener);
}

} // namespace
} // namespace halter
