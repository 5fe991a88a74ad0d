// Ordinary programs over stdin and files: cat, wc, grep; args, env, exit codes.
#include "wasi_test_util.h"

#include <gtest/gtest.h>

namespace halter {
namespace {

using test::runGuest;
using test::ScratchDir;

TEST(WasiPrograms, CatCopiesStdinToStdout) {
  WasiConfig config;
  std::string input;
  for (int i = 0; i < 2000; ++i) input += "line " + std::to_string(i) + "\n"; // several reads
  config.stdin_stream = WasiStdio::buffer(input);
  auto run = runGuest("cat", config);
  // wasi-libc's _start returns normally when main returns 0.
  EXPECT_EQ(run.outcome.kind, OutcomeKind::Returned) << outcomeKindName(run.outcome.kind);
  EXPECT_EQ(run.out, input);
  EXPECT_EQ(run.err, "");
}

TEST(WasiPrograms, CatReadsFilesOfAPreopen) {
  ScratchDir dir;
  dir.write("a.txt", "alpha\n");
  dir.write("sub/b.txt", "beta\n");
  WasiConfig config;
  config.args = {"cat", "/data/a.txt", "/data/sub/b.txt", "/data/missing"};
  config.preopens = {{dir.str(), "/data", false}};
  auto run = runGuest("cat", config);
  EXPECT_EQ(run.out, "alpha\nbeta\n");
  EXPECT_EQ(run.err, "cat: /data/missing: ENOENT\n");
  EXPECT_EQ(run.status(), 1);
}

TEST(WasiPrograms, WcCountsStdinAndFiles) {
  ScratchDir dir;
  dir.write("words", "one two three\nfour\n\nfive six\n");
  WasiConfig config;
  config.stdin_stream = WasiStdio::buffer("hello world\nbye\n");
  auto run = runGuest("wc", config);
  EXPECT_EQ(run.out, "2 3 16\n");

  config.args = {"wc", "/d/words"};
  config.preopens = {{dir.str(), "/d", false}};
  run = runGuest("wc", config);
  EXPECT_EQ(run.out, "4 6 29 /d/words\n");
}

TEST(WasiPrograms, GrepFindsLinesAndSignalsNoMatch) {
  WasiConfig config;
  config.args = {"grep", "needle"};
  config.stdin_stream = WasiStdio::buffer("hay\na needle here\nmore hay\nneedle again\n");
  auto run = runGuest("grep", config);
  EXPECT_EQ(run.out, "a needle here\nneedle again\n");
  EXPECT_EQ(run.status(), 0);

  config.stdin_stream = WasiStdio::buffer("nothing to see\n");
  run = runGuest("grep", config);
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(run.outcome.kind, OutcomeKind::Exited);
  EXPECT_EQ(run.status(), 1);
}

TEST(WasiPrograms, ExitCodesPropagateAsExitedOutcome) {
  for (int code : {0, 3, 42, 255}) {
    WasiConfig config;
    config.args = {"exit", std::to_string(code)};
    auto run = runGuest("exit", config);
    EXPECT_EQ(run.outcome.kind, OutcomeKind::Exited) << outcomeKindName(run.outcome.kind);
    EXPECT_EQ(run.outcome.exit_code, code);
    EXPECT_EQ(run.exit_code, code);
    EXPECT_EQ(run.out, "exiting with " + std::to_string(code) + "\n");
  }
}

TEST(WasiPrograms, ArgsAndEnvironmentOnlyAsGiven) {
  WasiConfig config;
  config.args = {"prog", "first arg", ""};
  config.env = {"A=1", "EMPTY="};
  auto run = runGuest("env", config);
  EXPECT_NE(run.out.find("arg 0: prog\narg 1: first arg\narg 2: \nenv: A=1\nenv: EMPTY=\ntime:"),
            std::string::npos)
      << run.out;
  EXPECT_EQ(run.out.find("PATH="), std::string::npos);
  EXPECT_EQ(run.out.find("HOME="), std::string::npos);
}

TEST(WasiPrograms, StdioBoundToFiles) {
  ScratchDir dir;
  dir.write("in.txt", "from a file\n");
  WasiConfig config;
  config.stdin_stream = WasiStdio::file(dir.str() + "/in.txt");
  config.stdout_stream = WasiStdio::file(dir.str() + "/out.txt");
  auto run = runGuest("cat", config);
  EXPECT_EQ(run.status(), 0);
  EXPECT_EQ(run.out, "") << "not captured: it went to the file";
  EXPECT_EQ(dir.read("out.txt"), "from a file\n");
}

TEST(WasiPrograms, CapturedOutputIsCapped) {
  WasiConfig config;
  config.stdin_stream = WasiStdio::buffer(std::string(10000, 'x'));
  config.max_captured_bytes = 4096;
  auto run = runGuest("cat", config);
  EXPECT_EQ(run.out.size(), 4096u);
  EXPECT_EQ(run.status(), 1) << "the write past the cap fails (ENOSPC)";
}

TEST(WasiPrograms, CreateFailsForMissingPreopen) {
  WasiConfig config;
  config.preopens = {{"/nonexistent/halter-test", "/x", false}};
  auto context = WasiContext::create(config);
  ASSERT_FALSE(context.ok());
  EXPECT_EQ(context.error().code, ErrorCode::NotFound);
}

} // namespace
} // namespace halter
