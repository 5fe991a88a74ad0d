// Hostile pointers and lengths, through a real guest: each call is answered
// with an errno, the host never crashes and the guest runs to its end.
#include "wasi_test_util.h"

#include <gtest/gtest.h>

namespace halter {
namespace {

TEST(WasiHostile, PointersAndLengthsAreChecked) {
  test::ScratchDir dir;
  WasiConfig config;
  config.preopens = {{dir.str(), "/d", true}};
  auto run = test::runGuest("hostile", config);
  ASSERT_EQ(run.outcome.kind, OutcomeKind::Returned) << run.outcome.trap.describe();
  EXPECT_EQ(run.out, "write iovs past end: EFAULT\n"
                     "write iovs at 4G-8: EFAULT\n"
                     "write buf past end: EFAULT\n"
                     "write buf wraps: EFAULT\n"
                     "write count huge: EINVAL\n"
                     "write nwritten past end: EFAULT\n"
                     "write total over 4G: EINVAL\n"
                     "read unknown fd: EBADF\n"
                     "args_get argv past end: EFAULT\n"
                     "args_sizes_get past end: EFAULT\n"
                     "random past end: EFAULT\n"
                     "random zero at end: ok\n"
                     "clock bad id: EINVAL\n"
                     "clock out past end: EFAULT\n"
                     "open path past end: EFAULT\n"
                     "open path len wraps: EFAULT\n"
                     "open path with NUL: EILSEQ\n"
                     "open fd out past end: EFAULT\n"
                     "stat buf past end: EFAULT\n"
                     "fdstat past end: EFAULT\n"
                     "prestat name too small: ENAMETOOLONG\n"
                     "prestat of stdout: EBADF\n"
                     "poll zero subs: EINVAL\n"
                     "poll subs past end: EFAULT\n"
                     "poll events past end: EFAULT\n"
                     "poll bad tag: EINVAL\n"
                     "accept on stdin: ENOTSUP\n"
                     "accept on unknown fd: EBADF\n"
                     "seek on stdout: ESPIPE\n"
                     "renumber unknown: EBADF\n"
                     "set rights gain: ENOTCAPABLE\n"
                     "done\n");
  EXPECT_TRUE(std::filesystem::is_empty(dir.path())) << "no open may have created anything";
}

} // namespace
} // namespace halter
