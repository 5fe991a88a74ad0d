// File-system work in a granted directory, refusals in a read-only one.
// Every test runs twice: resolution by openat2(RESOLVE_BENEATH) (when the
// kernel has it) and by the component walk that replaces it elsewhere.
#include "wasi/path_resolution.h"
#include "wasi_test_util.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace halter {
namespace {

using test::runGuest;
using test::ScratchDir;

class WasiFilesystem : public ::testing::TestWithParam<bool> {
protected:
  void SetUp() override { wasi::forcePathWalkForTesting(GetParam()); }
  void TearDown() override { wasi::forcePathWalkForTesting(false); }

  std::string fs(const ScratchDir &dir, bool writable, std::vector<std::string> ops) {
    WasiConfig config;
    config.args = {"fs"};
    config.args.insert(config.args.end(), ops.begin(), ops.end());
    config.preopens = {{dir.str(), "/d", writable}};
    auto run = runGuest("fs", config);
    EXPECT_EQ(run.err, "");
    return run.out;
  }
};

TEST_P(WasiFilesystem, CreateRenameListUnlinkInAGrantedDirectory) {
  ScratchDir dir;
  dir.write("existing.txt", "old\n");
  std::string out = fs(dir, true, {"mkdir",        "/d/sub", "write",
                                   "/d/sub/a.txt", "hello",  "append",
                                   "/d/sub/a.txt", " world", "cat",
                                   "/d/sub/a.txt", "mv",     "/d/sub/a.txt",
                                   "/d/b.txt",     "ls",     "/d",
                                   "ls",           "/d/sub", "stat",
                                   "/d/b.txt",     "rm",     "/d/existing.txt",
                                   "rmdir",        "/d/sub", "ls",
                                   "/d",           "rm",     "/d/nothing"});
  EXPECT_EQ(out, "mkdir /d/sub: ok\n"
                 "write /d/sub/a.txt: ok\n"
                 "append /d/sub/a.txt: ok\n"
                 "cat /d/sub/a.txt: hello world\n"
                 "mv /d/sub/a.txt: ok\n"
                 "ls /d: b.txt existing.txt sub\n"
                 "ls /d/sub:\n"
                 "stat /d/b.txt: file 11\n"
                 "rm /d/existing.txt: ok\n"
                 "rmdir /d/sub: ok\n"
                 "ls /d: b.txt\n"
                 "rm /d/nothing: ENOENT\n");
  EXPECT_EQ(dir.read("b.txt"), "hello world");
  EXPECT_FALSE(dir.exists("existing.txt"));
  EXPECT_FALSE(dir.exists("sub"));
}

TEST_P(WasiFilesystem, ErrorsOfOrdinaryMistakes) {
  ScratchDir dir;
  dir.write("f", "x");
  std::filesystem::create_directories(dir.path() / "full/inner");
  std::string out = fs(dir, true,
                       {"mkdir", "/d/f", "rmdir", "/d/full", "rmdir", "/d/f", "rm", "/d/full",
                        "cat", "/d/f/x", "mkdir", "/d/missing/x"});
  EXPECT_EQ(out, "mkdir /d/f: EEXIST\n"
                 "rmdir /d/full: ENOTEMPTY\n"
                 "rmdir /d/f: ENOTDIR\n"
                 "rm /d/full: EISDIR\n"
                 "cat /d/f/x: ENOTDIR\n"
                 "mkdir /d/missing/x: ENOENT\n");
}

TEST_P(WasiFilesystem, SymlinksInsideThePreopenWork) {
  ScratchDir dir;
  dir.write("real/file.txt", "through the link\n");
  std::filesystem::create_directory_symlink("real", dir.path() / "alias");
  std::filesystem::create_symlink("../real/file.txt", dir.path() / "real/../rel");
  std::string out = fs(dir, true,
                       {"cat", "/d/alias/file.txt", "cat", "/d/rel", "readlink", "/d/alias",
                        "symlink", "real/file.txt", "/d/mine", "cat", "/d/mine", "ln",
                        "/d/real/file.txt", "/d/hard", "cat", "/d/hard"});
  EXPECT_EQ(out, "cat /d/alias/file.txt: through the link\n\n"
                 "cat /d/rel: ENOTCAPABLE\n"
                 "readlink /d/alias: real\n"
                 "symlink /d/mine: ok\n"
                 "cat /d/mine: through the link\n\n"
                 "ln /d/hard: ok\n"
                 "cat /d/hard: through the link\n\n");
}

TEST_P(WasiFilesystem, WritesRefusedInAReadOnlyDirectory) {
  ScratchDir dir;
  dir.write("keep.txt", "original\n");
  std::filesystem::create_directory(dir.path() / "sub");
  std::string out =
      fs(dir, false,
         {"cat",         "/d/keep.txt", "write",       "/d/keep.txt", "changed", "write",
          "/d/new.txt",  "x",           "append",      "/d/keep.txt", "more",    "openw",
          "/d/keep.txt", "trunc",       "/d/keep.txt", "0",           "mkdir",   "/d/newdir",
          "rmdir",       "/d/sub",      "rm",          "/d/keep.txt", "mv",      "/d/keep.txt",
          "/d/moved",    "symlink",     "keep.txt",    "/d/link",     "ln",      "/d/keep.txt",
          "/d/hard",     "ls",          "/d"});
  EXPECT_EQ(out, "cat /d/keep.txt: original\n\n"
                 "write /d/keep.txt: EROFS\n"
                 "write /d/new.txt: EROFS\n"
                 "append /d/keep.txt: EROFS\n"
                 "openw /d/keep.txt: EROFS\n"
                 "trunc /d/keep.txt: EROFS\n"
                 "mkdir /d/newdir: EROFS\n"
                 "rmdir /d/sub: EROFS\n"
                 "rm /d/keep.txt: EROFS\n"
                 "mv /d/keep.txt: EROFS\n"
                 "symlink /d/link: EROFS\n"
                 "ln /d/hard: EROFS\n"
                 "ls /d: keep.txt sub\n");
  EXPECT_EQ(dir.read("keep.txt"), "original\n");
  EXPECT_TRUE(dir.exists("sub"));
  EXPECT_FALSE(dir.exists("new.txt"));
}

TEST_P(WasiFilesystem, ReadOnlyAndWritablePreopensSideBySide) {
  ScratchDir ro, rw;
  ro.write("in.txt", "data\n");
  WasiConfig config;
  config.args = {"fs",   "mv", "/in/in.txt", "/out/in.txt", "write", "/out/copy.txt",
                 "data", "ln", "/in/in.txt", "/out/hard"};
  config.preopens = {{ro.str(), "/in", false}, {rw.str(), "/out", true}};
  auto run = runGuest("fs", config);
  EXPECT_EQ(run.out, "mv /in/in.txt: EROFS\nwrite /out/copy.txt: ok\nln /out/hard: EROFS\n");
  EXPECT_TRUE(ro.exists("in.txt"));
  EXPECT_FALSE(rw.exists("hard")) << "a hard link would make the read-only file writable";
}

INSTANTIATE_TEST_SUITE_P(Resolution, WasiFilesystem, ::testing::Values(false, true),
                         [](const auto &info) { return info.param ? "walk" : "openat2"; });

} // namespace
} // namespace halter

namespace halter {
namespace {

TEST(WasiFileOps, PositionedIoSizesTimesFlags) {
  test::ScratchDir dir;
  WasiConfig config;
  config.args = {"fileops", "/w"};
  config.preopens = {{dir.str(), "/w", true}};
  auto run = test::runGuest("fileops", config);
  EXPECT_EQ(run.out, "open: ok\n"
                     "pwrite: ok\n"
                     "pwrite at 20: ok\n"
                     "pread: ok\n"
                     "tell after p-ops: 0\n"
                     "seek end: 22\n"
                     "seek cur -5: 17\n"
                     "seek negative: ok\n"
                     "ftruncate: ok\n"
                     "fstat: ok\n"
                     "size: 5\n"
                     "futimens: ok\n"
                     "stat: ok\n"
                     "mtime: 1234567890.123456789 atime: 1000000000\n"
                     "fallocate: ok\n"
                     "fstat: ok\n"
                     "size after fallocate: 4096\n"
                     "fadvise: ok\n"
                     "fsync: ok\n"
                     "fdatasync: ok\n"
                     "append open: ok\n"
                     "write 1: ok\n"
                     "lseek start: ok\n"
                     "write 2: ok\n"
                     "append flag: set\n"
                     "clear append: ok\n"
                     "lseek start: ok\n"
                     "write 3: ok\n"
                     "symlink: ok\n"
                     "utimensat nofollow: ok\n"
                     "lstat: ok\n"
                     "link mtime: 42\n"
                     "stat: ok\n"
                     "target mtime is not 42: yes\n"
                     "utimensat follow: ok\n"
                     "stat: ok\n"
                     "target mtime: 42\n"
                     "link follow: ok\n"
                     "lstat hard: ok\n"
                     "sched_yield: ok\n"
                     "isatty stdout: ok\n");
  EXPECT_EQ(dir.read("log.txt"), "ONE\ntwo\n");
}

} // namespace
} // namespace halter

namespace halter {
namespace {

TEST(WasiDirectories, LargeListingThroughLibcReaddir) {
  test::ScratchDir dir;
  std::string expected = "ls /d:";
  std::vector<std::string> names;
  for (int i = 0; i < 600; ++i) {
    char name[64];
    std::snprintf(name, sizeof name, "file-%04d-with-a-fairly-long-name", i);
    names.push_back(name);
    dir.write(name, "");
  }
  for (const auto &n : names) expected += " " + n; // sorted by name, as the host lists them
  WasiConfig config;
  config.args = {"fs", "ls", "/d"};
  config.preopens = {{dir.str(), "/d", false}};
  auto run = test::runGuest("fs", config);
  EXPECT_EQ(run.out, expected + "\n");
}

} // namespace
} // namespace halter
