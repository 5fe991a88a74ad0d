// The OS layer's resolver on its own: both strategies, creation through
// symlinks, and a host thread racing to swap directories for symlinks.
#include "wasi/path_resolution.h"
#include "wasi_test_util.h"

#include <gtest/gtest.h>

#include <atomic>
#include <fcntl.h>
#include <filesystem>
#include <thread>
#include <unistd.h>

namespace halter {
namespace {

using wasi::Errno;
using wasi::openBeneath;
using wasi::UniqueFd;
namespace fs = std::filesystem;

class PathResolution : public ::testing::TestWithParam<bool> {
protected:
  void SetUp() override {
    wasi::forcePathWalkForTesting(GetParam());
    outer_.write("secret", "SECRET");
    outer_.write("box/a/file", "inside");
    root_.reset(::open((outer_.str() + "/box").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    ASSERT_TRUE(root_.valid());
  }
  void TearDown() override { wasi::forcePathWalkForTesting(false); }

  Errno open(const std::string &path, int flags = O_RDONLY, std::string *content = nullptr) {
    UniqueFd fd;
    Errno e = openBeneath(root_.get(), path, flags, 0644, fd);
    if (e == Errno::Success && content) {
      char buf[64];
      ssize_t n = ::read(fd.get(), buf, sizeof buf);
      content->assign(buf, n > 0 ? size_t(n) : 0);
    }
    return e;
  }
  std::string box(const std::string &rel) const { return outer_.str() + "/box/" + rel; }

  test::ScratchDir outer_;
  UniqueFd root_;
};

TEST_P(PathResolution, PlainAndDottedPathsInside) {
  std::string content;
  EXPECT_EQ(open("a/file", O_RDONLY, &content), Errno::Success);
  EXPECT_EQ(content, "inside");
  EXPECT_EQ(open("./a/../a/./file", O_RDONLY, &content), Errno::Success);
  EXPECT_EQ(open("a//file"), Errno::Success);
  EXPECT_EQ(open("."), Errno::Success);
  EXPECT_EQ(open("a/"), Errno::Success);
  EXPECT_EQ(open("a/file/"), Errno::NotDir);
  EXPECT_EQ(open("a/missing"), Errno::NoEnt);
  EXPECT_EQ(open(""), Errno::NoEnt);
  EXPECT_EQ(open("a/file/x"), Errno::NotDir);
}

TEST_P(PathResolution, EscapesAreNotCapable) {
  EXPECT_EQ(open(".."), Errno::NotCapable);
  EXPECT_EQ(open("../secret"), Errno::NotCapable);
  EXPECT_EQ(open("a/../../secret"), Errno::NotCapable);
  EXPECT_EQ(open("/etc/passwd"), Errno::NotCapable);
  fs::create_symlink("../../secret", box("a/up"));
  fs::create_symlink(outer_.str() + "/secret", box("abs"));
  EXPECT_EQ(open("a/up"), Errno::NotCapable);
  EXPECT_EQ(open("abs"), Errno::NotCapable);
  EXPECT_EQ(open("abs", O_RDONLY | O_NOFOLLOW), Errno::Loop) << "not followed at all";
  EXPECT_EQ(open("abs", O_PATH | O_NOFOLLOW), Errno::Success) << "the link itself";
}

TEST_P(PathResolution, CreatingThroughADanglingSymlink) {
  fs::create_symlink("a/new", box("inward"));
  fs::create_symlink("../planted", box("outward"));
  EXPECT_EQ(open("inward", O_WRONLY | O_CREAT), Errno::Success);
  EXPECT_TRUE(fs::exists(box("a/new")));
  EXPECT_EQ(open("outward", O_WRONLY | O_CREAT), Errno::NotCapable);
  EXPECT_FALSE(fs::exists(outer_.str() + "/planted"));
}

TEST_P(PathResolution, SymlinkLoops) {
  fs::create_symlink("l2", box("l1"));
  fs::create_symlink("l1", box("l2"));
  fs::create_symlink("self/x", box("self"));
  EXPECT_EQ(open("l1"), Errno::Loop);
  EXPECT_EQ(open("self"), Errno::Loop);
}

TEST_P(PathResolution, RacingSwapsNeverLeadOutside) {
  // A host thread flips box/a between a real directory and a symlink to the
  // outer directory (which holds a file of the same name) while we open
  // a/file over and over: we may see "inside" or an error, never the outside.
  outer_.write("file", "SECRET");
  fs::rename(box("a"), box("real"));
  fs::create_directory_symlink("real", box("a"));
  std::atomic<bool> stop{false};
  std::thread flipper([&] {
    const std::string link = box("a"), tmp = box("a.tmp");
    while (!stop) {
      fs::create_directory_symlink("real", tmp);
      fs::rename(tmp, link);
      fs::create_directory_symlink(outer_.str(), tmp);
      fs::rename(tmp, link);
    }
  });
  int inside = 0, refused = 0;
  const auto until = Clock::now() + std::chrono::seconds(5);
  for (int i = 0; (i < 3000 || inside == 0 || refused == 0) && Clock::now() < until; ++i) {
    std::string content;
    Errno e = open("a/file", O_RDONLY, &content);
    if (e == Errno::Success) {
      ASSERT_EQ(content, "inside") << "iteration " << i;
      ++inside;
    } else {
      ASSERT_EQ(e, Errno::NotCapable) << "iteration " << i;
      ++refused;
    }
  }
  stop = true;
  flipper.join();
  EXPECT_GT(refused, 0) << "the outward link must have been met and refused";
  EXPECT_GT(inside, 0);
}

TEST(PathResolutionKernel, ProbeAnswers) {
  // Either answer is fine; the probe must not crash and must be stable.
  bool first = wasi::kernelResolvesBeneath();
  EXPECT_EQ(first, wasi::kernelResolvesBeneath());
}

INSTANTIATE_TEST_SUITE_P(Resolution, PathResolution, ::testing::Values(false, true),
                         [](const auto &info) { return info.param ? "walk" : "openat2"; });

} // namespace
} // namespace halter
