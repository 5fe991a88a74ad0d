// WASI state in snapshots (WasiContext::saveState / restoreState, carried
// by SnapshotOptions::host_state): a WASI command parked in a host call
// with files, a directory listing and deterministic clocks in use is saved
// at every suspension, everything dropped, and restored against fresh
// grants; it ends as the uninterrupted run does. What cannot be opened
// again is refused naming the descriptor, and forged states reach nothing
// outside the granted preopens.
#include "wasi_test_util.h"

#include "wasi/state.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fcntl.h>
#include <fstream>
#include <iterator>
#include <random>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

namespace halter {
namespace {

using test::ScratchDir;

std::shared_ptr<const Module> journalModule() {
  std::ifstream in(std::string(HALTER_TEST_GUEST_DIR) + "/wasi/journal.wasm", std::ios::binary);
  std::vector<uint8_t> bytes(std::istreambuf_iterator<char>(in), {});
  EXPECT_FALSE(bytes.empty()) << "journal.wasm not built";
  auto m = Module::compile(bytes);
  EXPECT_TRUE(m.ok()) << (m.ok() ? "" : m.error().describe());
  return m.ok() ? *m : nullptr;
}

// journal.c's inputs: four lines, 12 bytes of raw data, four entries.
void fillJournalDir(const ScratchDir &dir) {
  dir.write("in.txt", "alpha\nbeta\ngamma\ndelta\n");
  dir.write("raw.bin", "abcdefghijkl");
  for (const char *name : {"e1", "e2", "e3", "e4"}) dir.write(std::string("sub/") + name, name);
}

WasiConfig journalConfig(const std::string &host_dir, bool writable = true) {
  WasiConfig config;
  config.args = {"journal", "/data"};
  config.env = {"GREETING=hello"};
  config.preopens = {{host_dir, "/data", writable}};
  config.deterministic = true;
  config.seed = 42;
  return config;
}

// What a restorer grants: another argv, env and seed (the saved ones win).
WasiConfig restorerGrants(const std::string &host_dir, bool writable = true) {
  WasiConfig config = journalConfig(host_dir, writable);
  config.args = {"restorer"};
  config.env = {"GREETING=changed"};
  config.seed = 1;
  config.deterministic = false;
  return config;
}

const FuncType kDecideType{{ValType::I32}, {ValType::I32}};

Linker journalLinker(std::shared_ptr<WasiContext> context) {
  Linker linker;
  addWasiToLinker(linker, std::move(context));
  linker.defineFunc("host", "decide", kDecideType,
                    [](CallContext &, auto, auto) { return HostResult::suspend(); });
  return linker;
}

void answerDecide(Execution &ex, const PendingCall &p) {
  ASSERT_EQ(p.name, "decide");
  ASSERT_TRUE(ex.resume(std::vector<Value>{Value::i32(uint32_t(p.args[0].asI32() * 10 + 7))}).ok());
}

Limits metered() {
  Limits l;
  l.fuel = 1'000'000'000;
  return l;
}

struct JournalRun {
  std::string out;
  uint64_t fuel_used = 0;
  OutcomeKind end = OutcomeKind::Returned;
};

JournalRun plainRun(const std::string &host_dir) {
  JournalRun run;
  auto module = journalModule();
  auto context = WasiContext::create(journalConfig(host_dir)).value();
  Linker linker = journalLinker(context);
  auto inst = linker.instantiate(module).value();
  auto ex = inst->start("_start", {}, CallOptions{metered(), {}}).value();
  Outcome out = ex.run().value();
  while (out.kind == OutcomeKind::Suspended) {
    answerDecide(ex, out.pending);
    out = ex.run().value();
  }
  run.out = context->capturedStdout();
  run.fuel_used = out.stats.fuel_used;
  run.end = out.kind;
  return run;
}

// A parked journal run: the first `answers` decide calls answered, parked
// in the next.
struct Parked {
  std::shared_ptr<WasiContext> context;
  std::shared_ptr<Instance> instance;
  Execution execution;
};

Parked parkAfter(const std::shared_ptr<const Module> &module, const WasiConfig &config,
                 int answers) {
  auto context = WasiContext::create(config).value();
  Linker linker = journalLinker(context);
  auto inst = linker.instantiate(module).value();
  auto ex = inst->start("_start", {}, CallOptions{metered(), {}}).value();
  Outcome out = ex.run().value();
  for (int i = 0; i < answers && out.kind == OutcomeKind::Suspended; ++i) {
    answerDecide(ex, out.pending);
    out = ex.run().value();
  }
  EXPECT_EQ(out.kind, OutcomeKind::Suspended);
  return {context, inst, std::move(ex)};
}

std::vector<uint8_t> saveWithWasi(const Parked &p, bool compress = false) {
  SnapshotOptions options{compress, p.context->saveState().value()};
  return p.execution.snapshot(options).value();
}

// Restores `bytes` against `grants`; the error of whichever step failed.
Result<Parked> restoreWithWasi(const std::shared_ptr<const Module> &module,
                               std::span<const uint8_t> bytes, const WasiConfig &grants) {
  HALTER_ASSIGN_OR_RETURN(std::shared_ptr<WasiContext> context, WasiContext::create(grants));
  Linker linker = journalLinker(context);
  HALTER_ASSIGN_OR_RETURN(RestoredExecution restored,
                          linker.restoreExecution(module, bytes, metered()));
  HALTER_TRY(context->restoreState(restored.host_state, grants));
  return Parked{context, restored.instance, std::move(restored.execution)};
}

TEST(WasiStateSnapshot, JournalSavedAtEverySuspensionEqualsTheUninterruptedRun) {
  auto module = journalModule();
  ASSERT_TRUE(module);
  ScratchDir plain_dir;
  fillJournalDir(plain_dir);
  JournalRun plain = plainRun(plain_dir.str());
  ASSERT_EQ(plain.end, OutcomeKind::Returned) << plain.out;
  // The output shows offsets, listing, args, env, clock and random bytes.
  EXPECT_NE(plain.out.find("line 3: delta -> 37, raw \"jkl\", entry e4, 4000000 ns in"),
            std::string::npos)
      << plain.out;
  EXPECT_NE(plain.out.find("arg 1: /data\nGREETING=hello\n"), std::string::npos) << plain.out;
  EXPECT_NE(plain.out.find("out: 2 gamma x27\n"), std::string::npos) << plain.out;

  for (bool compress : {false, true}) {
    ScratchDir dir;
    fillJournalDir(dir);
    std::string out;
    std::vector<uint8_t> bytes;
    {
      Parked first = parkAfter(module, journalConfig(dir.str()), 0);
      bytes = saveWithWasi(first, compress);
      out += first.context->capturedStdout();
    }
    Outcome end;
    for (int hop = 0; hop < 10; ++hop) {
      // Nothing of the previous process is used: a new context from the
      // restorer's grants, a new linker and instance.
      auto parked = restoreWithWasi(module, bytes, restorerGrants(dir.str()));
      ASSERT_TRUE(parked.ok()) << parked.error().describe();
      Outcome pending = parked->execution.run().value();
      ASSERT_EQ(pending.kind, OutcomeKind::Suspended);
      answerDecide(parked->execution, pending.pending);
      end = parked->execution.run().value();
      out += parked->context->capturedStdout();
      if (end.kind != OutcomeKind::Suspended) break;
      bytes = saveWithWasi(*parked, compress);
    }
    EXPECT_EQ(end.kind, OutcomeKind::Returned);
    EXPECT_EQ(out, plain.out) << "compress " << compress;
    EXPECT_EQ(end.stats.fuel_used, plain.fuel_used);
    EXPECT_EQ(dir.read("out.txt"), plain_dir.read("out.txt"));
  }
}

// The restorer re-grants the preopen by its guest name: here another host
// directory (a copy) under /data, where the rest of the run happens.
TEST(WasiStateSnapshot, PreopenIsRegrantedByNameToAnotherHostDirectory) {
  auto module = journalModule();
  ScratchDir plain_dir;
  fillJournalDir(plain_dir);
  JournalRun plain = plainRun(plain_dir.str());
  ScratchDir first_dir, second_dir;
  fillJournalDir(first_dir);
  std::vector<uint8_t> bytes;
  std::string out;
  {
    Parked p = parkAfter(module, journalConfig(first_dir.str()), 2);
    bytes = saveWithWasi(p);
    out = p.context->capturedStdout();
  }
  // The directory as it was at the snapshot, somewhere else.
  std::filesystem::copy(first_dir.path(), second_dir.path(),
                        std::filesystem::copy_options::recursive |
                            std::filesystem::copy_options::overwrite_existing);
  auto parked = restoreWithWasi(module, bytes, restorerGrants(second_dir.str()));
  ASSERT_TRUE(parked.ok()) << parked.error().describe();
  Outcome o = parked->execution.run().value();
  while (o.kind == OutcomeKind::Suspended) {
    answerDecide(parked->execution, o.pending);
    o = parked->execution.run().value();
  }
  EXPECT_EQ(o.kind, OutcomeKind::Returned);
  EXPECT_EQ(out + parked->context->capturedStdout(), plain.out);
  EXPECT_EQ(second_dir.read("out.txt"), plain_dir.read("out.txt"));
  // The first directory's out.txt was created (empty) and never written:
  // nothing of the restored run reached it.
  EXPECT_EQ(first_dir.read("out.txt"), "");
}

TEST(WasiStateSnapshot, WhatCannotBeOpenedAgainIsRefusedAtSaveNamingTheDescriptor) {
  auto module = journalModule();
  {
    // raw.bin a FIFO beneath the preopen: opened, held across the park.
    ScratchDir dir;
    fillJournalDir(dir);
    std::filesystem::remove(dir.path() / "raw.bin");
    ASSERT_EQ(mkfifo((dir.path() / "raw.bin").c_str(), 0600), 0);
    Parked p = parkAfter(module, journalConfig(dir.str()), 0);
    auto state = p.context->saveState();
    ASSERT_FALSE(state.ok());
    EXPECT_EQ(state.error().code, ErrorCode::InvalidArgument);
    EXPECT_NE(state.error().message.find("(raw.bin beneath /data) is a pipe"), std::string::npos)
        << state.error().message;
    EXPECT_NE(state.error().message.find("fd "), std::string::npos);
  }
  {
    // A granted socket.
    int pair[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
    ScratchDir dir;
    fillJournalDir(dir);
    WasiConfig config = journalConfig(dir.str());
    config.sockets = {pair[0]};
    Parked p = parkAfter(module, config, 1);
    auto state = p.context->saveState();
    ::close(pair[0]);
    ::close(pair[1]);
    ASSERT_FALSE(state.ok());
    EXPECT_NE(state.error().message.find("fd 4 is a socket"), std::string::npos)
        << state.error().message;
  }
}

TEST(WasiStateSnapshot, GrantsThatDoNotFitAreRefusedAtRestoreNamingWhat) {
  auto module = journalModule();
  ScratchDir dir;
  fillJournalDir(dir);
  std::vector<uint8_t> bytes;
  {
    Parked p = parkAfter(module, journalConfig(dir.str()), 1);
    bytes = saveWithWasi(p);
  }
  auto expectRefused = [&](const WasiConfig &grants, ErrorCode code, const std::string &says) {
    auto r = restoreWithWasi(module, bytes, grants);
    ASSERT_FALSE(r.ok()) << says;
    EXPECT_EQ(r.error().code, code) << r.error().describe();
    EXPECT_NE(r.error().message.find(says), std::string::npos) << r.error().message;
  };
  WasiConfig no_preopen = restorerGrants(dir.str());
  no_preopen.preopens[0].guest_path = "/elsewhere";
  expectRefused(no_preopen, ErrorCode::NotFound, "needs a preopen named /data");
  expectRefused(restorerGrants(dir.str(), false), ErrorCode::InvalidArgument,
                "(out.txt beneath /data) cannot be opened again: it was open for writing and "
                "the preopen is granted read-only");
  WasiConfig few_fds = restorerGrants(dir.str());
  few_fds.max_open_fds = 5;
  expectRefused(few_fds, ErrorCode::ResourceLimit, "max_open_fds 5");

  // The files changed under it: removed, replaced by a directory, or by a
  // symlink leading out of the preopen.
  ScratchDir other;
  fillJournalDir(other);
  other.write("out.txt", "");
  std::filesystem::remove(other.path() / "in.txt");
  expectRefused(restorerGrants(other.str()), ErrorCode::NotFound,
                "(in.txt beneath /data) cannot be opened again: it no longer exists");
  std::filesystem::remove(other.path() / "raw.bin");
  other.write("in.txt", "x\n");
  std::filesystem::create_directory(other.path() / "raw.bin");
  expectRefused(restorerGrants(other.str()), ErrorCode::InvalidArgument,
                "(raw.bin beneath /data) was a file and is something else now");
  std::filesystem::remove(other.path() / "raw.bin");
  std::filesystem::create_symlink("/etc/passwd", other.path() / "raw.bin");
  expectRefused(restorerGrants(other.str()), ErrorCode::InvalidArgument,
                "(raw.bin beneath /data) cannot be opened again: it resolves outside the preopen");
}

TEST(WasiStateSnapshot, DamagedAndForgedStatesAreRefusedOrStayInsideTheGrants) {
  auto module = journalModule();
  ScratchDir dir;
  fillJournalDir(dir);
  std::vector<uint8_t> state;
  {
    Parked p = parkAfter(module, journalConfig(dir.str()), 1);
    state = p.context->saveState().value();
  }
  auto context = WasiContext::create(restorerGrants(dir.str())).value();
  ASSERT_TRUE(context->restoreState(state, restorerGrants(dir.str())).ok());
  // Truncated at every offset.
  for (size_t n = 0; n < state.size(); ++n) {
    auto r = context->restoreState(std::span(state).first(n), restorerGrants(dir.str()));
    ASSERT_FALSE(r.ok()) << "truncated to " << n;
    EXPECT_EQ(r.error().code, ErrorCode::InvalidSnapshot) << r.error().describe();
  }
  // Every bit flipped in turn: refused, or a state that holds only what the
  // grants reach (checked by saving it again: same descriptors, by path).
  size_t refused = 0;
  for (size_t bit = 0; bit < state.size() * 8; ++bit) {
    std::vector<uint8_t> bad = state;
    bad[bit / 8] ^= uint8_t(1u << (bit % 8));
    auto r = context->restoreState(bad, restorerGrants(dir.str()));
    if (!r.ok()) {
      ++refused;
      continue;
    }
    ASSERT_TRUE(context->saveState().ok()) << "bit " << bit;
  }
  EXPECT_GT(refused, 0u);
  EXPECT_LT(refused, state.size() * 8);
  // Forged paths out of the preopen: "raw.bin" made "/bin/sh" or "../../x"
  // (same length, so the rest of the state still parses).
  for (const std::string forged : {"/bin/sh", "../../x", "sub/../"}) {
    SCOPED_TRACE(forged);
    std::vector<uint8_t> bad = state;
    const std::string name = "raw.bin";
    auto at = std::search(bad.begin(), bad.end(), name.begin(), name.end());
    ASSERT_NE(at, bad.end());
    std::copy(forged.begin(), forged.end(), at);
    auto r = context->restoreState(bad, restorerGrants(dir.str()));
    ASSERT_FALSE(r.ok());
    const bool escape = forged != "sub/../";
    EXPECT_NE(r.error().message.find(escape ? "cannot be opened again: it resolves outside the "
                                              "preopen"
                                            : "was a file and is something else now"),
              std::string::npos)
        << r.error().message;
  }
  // The old state is kept after each failure: the context still saves.
  EXPECT_TRUE(context->saveState().ok());
}

// Rights the guest dropped stay dropped: a restored descriptor never has
// more than the saved one.
TEST(WasiStateSnapshot, RestoredRightsAreNeverWiderThanTheSavedOnes) {
  auto module = journalModule();
  ScratchDir dir;
  fillJournalDir(dir);
  Parked p = parkAfter(module, journalConfig(dir.str()), 1);
  wasi::State &before = detail::WasiAccess::state(*p.context);
  wasi::FdEntry *preopen = nullptr, *in = nullptr;
  ASSERT_EQ(before.fds.get(3, 0, preopen), wasi::Errno::Success);
  ASSERT_EQ(before.fds.get(4, 0, in), wasi::Errno::Success);
  ASSERT_EQ(in->origin_path, "in.txt");
  preopen->base &= ~wasi::right::kPathOpen;
  in->base &= ~wasi::right::kFdSeek;
  const std::vector<uint8_t> state = p.context->saveState().value();

  auto context = WasiContext::create(restorerGrants(dir.str())).value();
  ASSERT_TRUE(context->restoreState(state, restorerGrants(dir.str())).ok());
  wasi::State &after = detail::WasiAccess::state(*context);
  wasi::FdEntry *entry = nullptr;
  EXPECT_EQ(after.fds.get(3, wasi::right::kPathOpen, entry), wasi::Errno::NotCapable);
  EXPECT_EQ(after.fds.get(3, wasi::right::kFdReaddir, entry), wasi::Errno::Success);
  EXPECT_EQ(after.fds.get(4, wasi::right::kFdSeek, entry), wasi::Errno::NotCapable);
  EXPECT_EQ(after.fds.get(4, wasi::right::kFdRead, entry), wasi::Errno::Success);
  // Args and env are the saved program's, not the grants'.
  EXPECT_EQ(after.args, (std::vector<std::string>{"journal", "/data"}));
  EXPECT_EQ(after.env, (std::vector<std::string>{"GREETING=hello"}));
}

// Origins are kept short: "." and empty components dropped, and a guest
// chaining opens ("./" or "d/.." over and over) cannot grow them past
// kMaxOriginPath; such a descriptor is refused at save, not kept.
TEST(WasiStateSnapshot, OriginPathsAreNormalisedAndBounded) {
  ScratchDir dir;
  fillJournalDir(dir);
  auto context = WasiContext::create(journalConfig(dir.str())).value();
  wasi::State &st = detail::WasiAccess::state(*context);
  wasi::FdEntry *preopen = nullptr;
  ASSERT_EQ(st.fds.get(3, 0, preopen), wasi::Errno::Success);
  wasi::FdEntry child;
  wasi::setOrigin(child, *preopen, "./sub//./e1", 1);
  EXPECT_EQ(child.origin_path, "sub/e1");
  EXPECT_EQ(child.origin_preopen, "/data");
  wasi::FdEntry self;
  wasi::setOrigin(self, *preopen, "././", 0);
  EXPECT_EQ(self.origin_path, ".");

  const wasi::FdEntry *parent = preopen;
  std::vector<std::unique_ptr<wasi::FdEntry>> chain;
  for (int i = 0; i < 2000 && !(chain.empty() ? false : chain.back()->origin_too_long); ++i) {
    auto next = std::make_unique<wasi::FdEntry>();
    next->filetype = wasi::filetype::kDirectory;
    wasi::setOrigin(*next, *parent, "sub/" + std::string(200, '.') + "/..", 0);
    EXPECT_LE(next->origin_path.size(), wasi::kMaxOriginPath);
    parent = next.get();
    chain.push_back(std::move(next));
  }
  ASSERT_TRUE(chain.back()->origin_too_long);
  EXPECT_LT(chain.size(), 200u);
  // Its children inherit the flag; saved, it is refused by name.
  wasi::FdEntry grandchild;
  wasi::setOrigin(grandchild, *chain.back(), "x", 0);
  EXPECT_TRUE(grandchild.origin_too_long);
  uint32_t fd = 0;
  ASSERT_EQ(st.fds.insert(std::move(chain.back()), fd), wasi::Errno::Success);
  auto saved = context->saveState();
  ASSERT_FALSE(saved.ok());
  EXPECT_NE(saved.error().message.find("fd " + std::to_string(fd) +
                                       " was opened beneath /data by a path longer than"),
            std::string::npos)
      << saved.error().message;
}

TEST(WasiStateSnapshot, HostStateTravelsOnlyWithAnExecution) {
  auto module = journalModule();
  ScratchDir dir;
  fillJournalDir(dir);
  Parked p = parkAfter(module, journalConfig(dir.str()), 0);
  SnapshotOptions with_state{false, {1, 2, 3}};
  auto idle = journalLinker(p.context).instantiate(module).value();
  ASSERT_TRUE(idle->snapshot().ok());
  auto instance_bytes = idle->snapshot(with_state);
  ASSERT_FALSE(instance_bytes.ok());
  EXPECT_NE(instance_bytes.error().message.find("Execution::snapshot"), std::string::npos);
  // Given back as it was.
  auto bytes = p.execution.snapshot(with_state).value();
  auto context = WasiContext::create(journalConfig(dir.str())).value();
  auto restored = journalLinker(context).restoreExecution(module, bytes, metered()).value();
  EXPECT_EQ(restored.host_state, (std::vector<uint8_t>{1, 2, 3}));
  // Bounded at 16 MiB.
  SnapshotOptions huge{false, std::vector<uint8_t>((size_t{16} << 20) + 1)};
  auto refused = p.execution.snapshot(huge);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("host state"), std::string::npos);
}

} // namespace
} // namespace halter
