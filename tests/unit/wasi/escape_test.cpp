// Escape attempts: each is refused with ENOTCAPABLE, under both resolvers,
// and nothing outside the preopen is read, made or moved.
#include "wasi/path_resolution.h"
#include "wasi_test_util.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace halter {
namespace {

using test::runGuest;
using test::ScratchDir;

class WasiEscape : public ::testing::TestWithParam<bool> {
protected:
  void SetUp() override {
    wasi::forcePathWalkForTesting(GetParam());
    // outer/ holds a secret; outer/box/ is the only thing granted.
    outer_.write("secret.txt", "top secret\n");
    outer_.write("box/inside.txt", "fine\n");
    std::filesystem::create_directory(outer_.path() / "box/sub");
  }
  void TearDown() override { wasi::forcePathWalkForTesting(false); }

  test::GuestRun fs(std::vector<std::string> ops, bool writable = true) {
    WasiConfig config;
    config.args = {"fs"};
    config.args.insert(config.args.end(), ops.begin(), ops.end());
    config.preopens = {{box(), "/box", writable}};
    return runGuest("fs", config);
  }
  std::string box() const { return outer_.str() + "/box"; }

  ScratchDir outer_;
};

TEST_P(WasiEscape, DotDotChains) {
  auto run = fs({"cat", "/box/../secret.txt", "cat", "/box/sub/../../secret.txt", "cat",
                 "/box/sub/../../../../../../etc/passwd", "rawopen", "..", "rawopen", "sub/../..",
                 "rawopen", "sub/../../box/inside.txt", "rawopen", "sub/../inside.txt", "rawopen",
                 "./sub/./../inside.txt"});
  EXPECT_EQ(run.out, "cat /box/../secret.txt: ENOTCAPABLE\n"
                     "cat /box/sub/../../secret.txt: ENOTCAPABLE\n"
                     "cat /box/sub/../../../../../../etc/passwd: ENOTCAPABLE\n"
                     "rawopen ..: ENOTCAPABLE\n"
                     "rawopen sub/../..: ENOTCAPABLE\n"
                     "rawopen sub/../../box/inside.txt: ENOTCAPABLE\n"
                     "rawopen sub/../inside.txt: ok\n"
                     "rawopen ./sub/./../inside.txt: ok\n");
}

TEST_P(WasiEscape, AbsolutePaths) {
  auto run = fs({"cat", "/etc/passwd", "rawopen", "/etc/passwd", "rawopen", "/", "rawstat",
                 "/etc/passwd", "rawmkdir", "/tmp/halter-escape"});
  EXPECT_EQ(run.out, "cat /etc/passwd: ENOTCAPABLE\n"
                     "rawopen /etc/passwd: ENOTCAPABLE\n"
                     "rawopen /: ENOTCAPABLE\n"
                     "rawstat /etc/passwd: ENOTCAPABLE\n"
                     "rawmkdir /tmp/halter-escape: ENOTCAPABLE\n");
  EXPECT_FALSE(std::filesystem::exists("/tmp/halter-escape"));
}

TEST_P(WasiEscape, PlantedSymlinksToTheOutside) {
  // Planted by the host side, as an attacker with write access to the
  // granted directory would.
  std::filesystem::create_symlink("/etc/passwd", box() + "/passwd");
  std::filesystem::create_symlink("../secret.txt", box() + "/rel");
  std::filesystem::create_symlink("../../secret.txt", box() + "/sub/deep");
  std::filesystem::create_directory_symlink("/etc", box() + "/etcdir");
  std::filesystem::create_directory_symlink("..", box() + "/up");
  std::filesystem::create_symlink("loop2", box() + "/loop1");
  std::filesystem::create_symlink("loop1", box() + "/loop2");
  auto run = fs({"cat",
                 "/box/passwd",
                 "cat",
                 "/box/rel",
                 "cat",
                 "/box/sub/deep",
                 "cat",
                 "/box/etcdir/passwd",
                 "cat",
                 "/box/up/secret.txt",
                 "ls",
                 "/box/up",
                 "stat",
                 "/box/passwd",
                 "write",
                 "/box/passwd",
                 "pwned",
                 "write",
                 "/box/up/new.txt",
                 "x",
                 "cat",
                 "/box/loop1",
                 "rawopen-nofollow",
                 "passwd",
                 "readlink",
                 "/box/passwd",
                 "rawlinkf",
                 "rel",
                 "stolen",
                 "rawtimesf",
                 "rel",
                 "rawtimesf",
                 "up"});
  EXPECT_EQ(run.out, "cat /box/passwd: ENOTCAPABLE\n"
                     "cat /box/rel: ENOTCAPABLE\n"
                     "cat /box/sub/deep: ENOTCAPABLE\n"
                     "cat /box/etcdir/passwd: ENOTCAPABLE\n"
                     "cat /box/up/secret.txt: ENOTCAPABLE\n"
                     "ls /box/up: ENOTCAPABLE\n"
                     "stat /box/passwd: ENOTCAPABLE\n"
                     "write /box/passwd: ENOTCAPABLE\n"
                     "write /box/up/new.txt: ENOTCAPABLE\n"
                     "cat /box/loop1: ELOOP\n"
                     "rawopen-nofollow passwd: ELOOP\n"
                     "readlink /box/passwd: /etc/passwd\n"
                     "rawlinkf rel: ENOTCAPABLE\n"
                     "rawtimesf rel: ENOTCAPABLE\n"
                     "rawtimesf up: ENOTCAPABLE\n");
  EXPECT_FALSE(std::filesystem::exists(box() + "/stolen"));
  EXPECT_EQ(outer_.read("secret.txt"), "top secret\n");
  EXPECT_FALSE(outer_.exists("new.txt"));
}

TEST_P(WasiEscape, SymlinksTheGuestMakesItself) {
  auto run = fs({"symlink",
                 "/etc/passwd",
                 "/box/abs",
                 "symlink",
                 "../secret.txt",
                 "/box/rel",
                 "cat",
                 "/box/rel",
                 "write",
                 "/box/rel",
                 "overwrite",
                 "symlink",
                 "../../secret.txt",
                 "/box/sub/deeper",
                 "cat",
                 "/box/sub/deeper",
                 "symlink",
                 "..",
                 "/box/parent",
                 "cat",
                 "/box/parent/secret.txt",
                 "rawsymlink",
                 "/etc",
                 "etc"});
  EXPECT_EQ(run.out, "symlink /box/abs: ENOTCAPABLE\n"
                     "symlink /box/rel: ok\n"
                     "cat /box/rel: ENOTCAPABLE\n"
                     "write /box/rel: ENOTCAPABLE\n"
                     "symlink /box/sub/deeper: ok\n"
                     "cat /box/sub/deeper: ENOTCAPABLE\n"
                     "symlink /box/parent: ok\n"
                     "cat /box/parent/secret.txt: ENOTCAPABLE\n"
                     "rawsymlink etc: ENOTCAPABLE\n");
  EXPECT_EQ(outer_.read("secret.txt"), "top secret\n");
}

TEST_P(WasiEscape, RenamesOutOfThePreopen) {
  auto run = fs({"mv",
                 "/box/inside.txt",
                 "/box/../stolen.txt",
                 "rawmv",
                 "inside.txt",
                 "../stolen.txt",
                 "rawmv",
                 "inside.txt",
                 "sub/../../stolen.txt",
                 "rawmv",
                 "../secret.txt",
                 "mine.txt",
                 "rawmv",
                 "inside.txt",
                 "/tmp/stolen.txt",
                 "rawmv",
                 "sub",
                 "..",
                 "mv",
                 "/box/inside.txt",
                 "/box/sub/ok.txt"});
  EXPECT_EQ(run.out, "mv /box/inside.txt: ENOTCAPABLE\n"
                     "rawmv inside.txt: ENOTCAPABLE\n"
                     "rawmv inside.txt: ENOTCAPABLE\n"
                     "rawmv ../secret.txt: ENOTCAPABLE\n"
                     "rawmv inside.txt: ENOTCAPABLE\n"
                     "rawmv sub: ENOTCAPABLE\n"
                     "mv /box/inside.txt: ok\n");
  EXPECT_FALSE(outer_.exists("stolen.txt"));
  EXPECT_TRUE(outer_.exists("secret.txt"));
  EXPECT_TRUE(outer_.exists("box/sub/ok.txt"));
}

TEST_P(WasiEscape, SwappingADirectoryForASymlinkDoesNotLeadOut) {
  // What a racing host process could leave behind between two guest calls:
  // the directory the guest used is now a symlink to the outside.
  std::filesystem::remove_all(box() + "/sub");
  std::filesystem::create_directory_symlink(outer_.str(), box() + "/sub");
  auto run = fs({"cat", "/box/sub/secret.txt", "write", "/box/sub/x", "y"});
  EXPECT_EQ(run.out, "cat /box/sub/secret.txt: ENOTCAPABLE\nwrite /box/sub/x: ENOTCAPABLE\n");
  EXPECT_FALSE(outer_.exists("x"));
}

INSTANTIATE_TEST_SUITE_P(Resolution, WasiEscape, ::testing::Values(false, true),
                         [](const auto &info) { return info.param ? "walk" : "openat2"; });

} // namespace
} // namespace halter
