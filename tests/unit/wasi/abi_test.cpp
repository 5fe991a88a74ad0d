// The ABI layer called directly over a plain byte array standing in for
// guest memory: exact layouts, hostile inputs, descriptor bookkeeping.
#include "wasi/abi.h"
#include "wasi_test_util.h"

#include <gtest/gtest.h>

#include <cstring>
#include <set>

namespace halter {
namespace {

using wasi::Errno;

class WasiAbi : public ::testing::Test {
protected:
  void init(WasiConfig config) {
    auto made = WasiContext::create(config);
    ASSERT_TRUE(made.ok()) << made.error().describe();
    context_ = *made;
  }
  // Calls one ABI function with i32/i64 arguments.
  Errno call(Errno (*fn)(wasi::AbiCall &), std::vector<Value> args) {
    wasi::AbiCall c{detail::WasiAccess::state(*context_), ctx_, wasi::GuestMemory(memory_), args};
    return fn(c);
  }
  template <class T> T load(uint32_t at) {
    T v;
    std::memcpy(&v, memory_.data() + at, sizeof v);
    return v;
  }
  template <class T> void store(uint32_t at, T v) {
    std::memcpy(memory_.data() + at, &v, sizeof v);
  }
  void iovec(uint32_t at, uint32_t buf, uint32_t len) {
    store<uint32_t>(at, buf);
    store<uint32_t>(at + 4, len);
  }
  static Value i32(uint32_t v) { return Value::i32(v); }
  static Value i64(uint64_t v) { return Value::i64(v); }

  std::vector<uint8_t> memory_ = std::vector<uint8_t>(65536);
  CallContext ctx_;
  std::shared_ptr<WasiContext> context_;
};

TEST_F(WasiAbi, WriteGathersIovecsIntoCapturedStdout) {
  init({});
  std::memcpy(memory_.data() + 1000, "hello ", 6);
  std::memcpy(memory_.data() + 2000, "world", 5);
  iovec(100, 1000, 6);
  iovec(108, 2000, 5);
  iovec(116, 3000, 0);
  EXPECT_EQ(call(wasi::abi::fdWrite, {i32(1), i32(100), i32(3), i32(200)}), Errno::Success);
  EXPECT_EQ(load<uint32_t>(200), 11u);
  EXPECT_EQ(context_->capturedStdout(), "hello world");
  EXPECT_EQ(call(wasi::abi::fdWrite, {i32(2), i32(108), i32(1), i32(200)}), Errno::Success);
  EXPECT_EQ(context_->capturedStderr(), "world");
}

TEST_F(WasiAbi, HostileIovecsAndResultPointers) {
  init({});
  const uint32_t size = static_cast<uint32_t>(memory_.size());
  iovec(100, size - 4, 8); // buffer runs past the end
  EXPECT_EQ(call(wasi::abi::fdWrite, {i32(1), i32(100), i32(1), i32(200)}), Errno::Fault);
  EXPECT_EQ(call(wasi::abi::fdWrite, {i32(1), i32(size - 4), i32(1), i32(200)}), Errno::Fault);
  EXPECT_EQ(call(wasi::abi::fdWrite, {i32(1), i32(0), i32(0xFFFFFFFF), i32(200)}), Errno::Inval);
  EXPECT_EQ(call(wasi::abi::fdWrite, {i32(1), i32(0), i32(9000), i32(200)}), Errno::Fault)
      << "9000 iovecs need 72000 bytes of a 65536-byte memory";
  iovec(100, 0, 10);
  EXPECT_EQ(call(wasi::abi::fdWrite, {i32(1), i32(100), i32(1), i32(size - 3)}), Errno::Fault);
  EXPECT_EQ(call(wasi::abi::fdWrite, {i32(1), i32(100), i32(1), i32(0xFFFFFFFE)}), Errno::Fault);
  // Every buffer in bounds, the sum past 4 GiB.
  memory_.resize(1 << 20);
  for (uint32_t i = 0; i < 4097; ++i) iovec(i * 8, 0, 1 << 20);
  // 4096 buffers of 1 MiB: 2^32 bytes, one more than a 32-bit count can say.
  EXPECT_EQ(call(wasi::abi::fdWrite, {i32(1), i32(0), i32(4096), i32(40000)}), Errno::Inval);
  EXPECT_EQ(context_->capturedStdout(), "") << "nothing written by a refused call";
}

TEST_F(WasiAbi, ReadIntoABufferThatOverwritesTheIovecArray) {
  WasiConfig config;
  std::string evil(16, '\xFF'); // becomes iovec[1] = {0xFFFFFFFF, 0xFFFFFFFF}
  config.stdin_stream = WasiStdio::buffer(evil + "tail");
  init(config);
  iovec(100, 100, 16); // iovec[0] reads over the array itself
  iovec(108, 500, 4);
  EXPECT_EQ(call(wasi::abi::fdRead, {i32(0), i32(100), i32(2), i32(300)}), Errno::Success);
  EXPECT_EQ(load<uint32_t>(300), 16u) << "the rewritten iovec is out of bounds and skipped";
}

TEST_F(WasiAbi, LayoutsOfFdstatPrestatAndFilestat) {
  test::ScratchDir dir;
  dir.write("f.txt", "12345");
  WasiConfig config;
  config.preopens = {{dir.str(), "/sandbox", false}};
  init(config);
  ASSERT_EQ(call(wasi::abi::fdPrestatGet, {i32(3), i32(100)}), Errno::Success);
  EXPECT_EQ(load<uint8_t>(100), 0);
  EXPECT_EQ(load<uint32_t>(104), 8u);
  ASSERT_EQ(call(wasi::abi::fdPrestatDirName, {i32(3), i32(200), i32(8)}), Errno::Success);
  EXPECT_EQ(std::string(reinterpret_cast<char *>(memory_.data() + 200), 8), "/sandbox");
  EXPECT_EQ(call(wasi::abi::fdPrestatGet, {i32(4), i32(100)}), Errno::BadF);

  ASSERT_EQ(call(wasi::abi::fdFdstatGet, {i32(3), i32(300)}), Errno::Success);
  EXPECT_EQ(load<uint8_t>(300), wasi::filetype::kDirectory);
  EXPECT_EQ(load<uint64_t>(308), wasi::right::kDirectory);

  std::memcpy(memory_.data() + 400, "f.txt", 5);
  ASSERT_EQ(call(wasi::abi::pathFilestatGet, {i32(3), i32(1), i32(400), i32(5), i32(500)}),
            Errno::Success);
  EXPECT_EQ(load<uint8_t>(516), wasi::filetype::kRegularFile);
  EXPECT_EQ(load<uint64_t>(524), 1u); // nlink
  EXPECT_EQ(load<uint64_t>(532), 5u); // size
  EXPECT_NE(load<uint64_t>(548), 0u); // mtim
}

TEST_F(WasiAbi, ReaddirPagesThroughSmallBuffers) {
  test::ScratchDir dir;
  std::set<std::string> expected = {".", ".."};
  for (int i = 0; i < 40; ++i) {
    std::string name = "entry-with-a-long-name-" + std::to_string(i);
    dir.write(name, "");
    expected.insert(name);
  }
  WasiConfig config;
  config.preopens = {{dir.str(), "/d", false}};
  init(config);
  std::set<std::string> seen;
  uint64_t cookie = 0;
  for (int rounds = 0; rounds < 1000; ++rounds) {
    // 64 bytes: one entry at most, often cut short, as wasi-libc must handle.
    ASSERT_EQ(call(wasi::abi::fdReaddir, {i32(3), i32(1000), i32(64), i64(cookie), i32(900)}),
              Errno::Success);
    uint32_t used = load<uint32_t>(900);
    if (used == 0) break;
    ASSERT_GE(used, 24u);
    uint32_t namlen = load<uint32_t>(1016);
    ASSERT_LE(24 + namlen, 64u);
    seen.insert(std::string(reinterpret_cast<char *>(memory_.data() + 1024), namlen));
    cookie = load<uint64_t>(1000);
  }
  EXPECT_EQ(seen, expected);
}

TEST_F(WasiAbi, DescriptorsCloseRenumberAndRunOut) {
  test::ScratchDir dir;
  dir.write("a", "A");
  WasiConfig config;
  config.preopens = {{dir.str(), "/d", true}};
  config.max_open_fds = 6;
  init(config);
  std::memcpy(memory_.data() + 100, "a", 1);
  auto open = [&] {
    return call(wasi::abi::pathOpen, {i32(3), i32(0), i32(100), i32(1), i32(0),
                                      i64(wasi::right::kFdRead), i64(0), i32(0), i32(200)});
  };
  ASSERT_EQ(open(), Errno::Success);
  EXPECT_EQ(load<uint32_t>(200), 4u);
  ASSERT_EQ(open(), Errno::Success);
  EXPECT_EQ(load<uint32_t>(200), 5u);
  EXPECT_EQ(open(), Errno::MFile);
  EXPECT_EQ(call(wasi::abi::fdClose, {i32(4)}), Errno::Success);
  EXPECT_EQ(call(wasi::abi::fdClose, {i32(4)}), Errno::BadF);
  EXPECT_EQ(call(wasi::abi::fdRenumber, {i32(5), i32(4)}), Errno::BadF) << "4 is closed";
  ASSERT_EQ(open(), Errno::Success);
  EXPECT_EQ(load<uint32_t>(200), 4u) << "lowest free number";
  EXPECT_EQ(call(wasi::abi::fdRenumber, {i32(5), i32(4)}), Errno::Success);
  EXPECT_EQ(call(wasi::abi::fdFdstatGet, {i32(5), i32(300)}), Errno::BadF);
  // A read-only descriptor has no write right.
  iovec(400, 100, 1);
  EXPECT_EQ(call(wasi::abi::fdWrite, {i32(4), i32(400), i32(1), i32(500)}), Errno::NotCapable);
  EXPECT_EQ(call(wasi::abi::fdRead, {i32(4), i32(400), i32(1), i32(500)}), Errno::Success);
  EXPECT_EQ(load<uint32_t>(500), 1u);
  EXPECT_EQ(memory_[100], 'A');
}

TEST_F(WasiAbi, PollReportsStdinReadinessAndClocks) {
  WasiConfig config;
  config.stdin_stream = WasiStdio::buffer("abc");
  config.deterministic = true;
  init(config);
  // Subscription 0: read stdin. Subscription 1: relative clock of 1 s.
  store<uint64_t>(1000, 11);
  store<uint8_t>(1008, wasi::kEventFdRead);
  store<uint32_t>(1016, 0);
  store<uint64_t>(1048, 22);
  store<uint8_t>(1056, wasi::kEventClock);
  store<uint32_t>(1064, wasi::clockid::kMonotonic);
  store<uint64_t>(1072, 1'000'000'000);
  ASSERT_EQ(call(wasi::abi::pollOneoff, {i32(1000), i32(2000), i32(2), i32(3000)}), Errno::Success);
  ASSERT_EQ(load<uint32_t>(3000), 1u) << "stdin is ready, the clock is not due";
  EXPECT_EQ(load<uint64_t>(2000), 11u);
  EXPECT_EQ(load<uint16_t>(2008), 0);
  EXPECT_EQ(load<uint8_t>(2010), wasi::kEventFdRead);
  EXPECT_EQ(load<uint64_t>(2016), 3u);
  // The clock alone: in deterministic mode time jumps to it.
  ASSERT_EQ(call(wasi::abi::pollOneoff, {i32(1048), i32(2000), i32(1), i32(3000)}), Errno::Success);
  ASSERT_EQ(load<uint32_t>(3000), 1u);
  EXPECT_EQ(load<uint64_t>(2000), 22u);
  EXPECT_EQ(load<uint8_t>(2010), wasi::kEventClock);
  EXPECT_GE(detail::WasiAccess::state(*context_).clock.virtualElapsed(), 1'000'000'000u);
  // A subscription on a descriptor that does not exist reports EBADF in its event.
  store<uint32_t>(1016, 77);
  ASSERT_EQ(call(wasi::abi::pollOneoff, {i32(1000), i32(2000), i32(1), i32(3000)}), Errno::Success);
  EXPECT_EQ(load<uint16_t>(2008), static_cast<uint16_t>(Errno::BadF));
}

TEST_F(WasiAbi, ArgsAndEnvironLayout) {
  WasiConfig config;
  config.args = {"prog", "a b"};
  config.env = {"X=1"};
  init(config);
  ASSERT_EQ(call(wasi::abi::argsSizesGet, {i32(100), i32(104)}), Errno::Success);
  EXPECT_EQ(load<uint32_t>(100), 2u);
  EXPECT_EQ(load<uint32_t>(104), 9u);
  ASSERT_EQ(call(wasi::abi::argsGet, {i32(200), i32(300)}), Errno::Success);
  EXPECT_EQ(load<uint32_t>(200), 300u);
  EXPECT_EQ(load<uint32_t>(204), 305u);
  EXPECT_EQ(std::memcmp(memory_.data() + 300, "prog\0a b\0", 9), 0);
  // The strings area running past the end of memory.
  EXPECT_EQ(call(wasi::abi::argsGet, {i32(200), i32(65536 - 4)}), Errno::Fault);
  ASSERT_EQ(call(wasi::abi::environGet, {i32(400), i32(500)}), Errno::Success);
  EXPECT_EQ(std::memcmp(memory_.data() + 500, "X=1\0", 4), 0);
}

TEST_F(WasiAbi, ConfigurationIsValidated) {
  WasiConfig config;
  config.env = {"NOEQUALS"};
  auto made = WasiContext::create(config);
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.error().code, ErrorCode::InvalidArgument);

  config.env = {};
  config.args = {"prog", std::string("a\0b", 3)};
  made = WasiContext::create(config);
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.error().code, ErrorCode::InvalidArgument);
}

} // namespace
} // namespace halter

namespace halter {
namespace {

// Reads and writes of regular files go in system calls of at most 1 MiB
// (so a deadline can stop a 2 GiB read between them); split iovecs must
// still transfer every byte in order, plain and at an offset.
TEST(WasiAbiLarge, FileTransfersAcrossSplitIovecsKeepEveryByte) {
  constexpr uint32_t kSize = (3 << 20) + 123;
  std::string content(kSize, '\0');
  for (uint32_t i = 0; i < kSize; ++i) content[i] = char(i * 131 + i / 4099);
  test::ScratchDir dir;
  dir.write("big", content);
  WasiConfig config;
  config.preopens = {{dir.str(), "/d", true}};
  auto made = WasiContext::create(config);
  ASSERT_TRUE(made.ok());
  std::vector<uint8_t> memory(8 << 20);
  CallContext ctx;
  auto call = [&](wasi::Errno (*fn)(wasi::AbiCall &), std::vector<Value> args) {
    wasi::AbiCall c{detail::WasiAccess::state(**made), ctx, wasi::GuestMemory(memory), args};
    return fn(c);
  };
  auto put = [&](uint32_t at, uint32_t v) { std::memcpy(memory.data() + at, &v, 4); };
  auto get = [&](uint32_t at) {
    uint32_t v;
    std::memcpy(&v, memory.data() + at, 4);
    return v;
  };
  std::memcpy(memory.data() + 100, "big", 3);
  ASSERT_EQ(call(wasi::abi::pathOpen,
                 {Value::i32(3), Value::i32(0), Value::i32(100), Value::i32(3), Value::i32(0),
                  Value::i64(wasi::right::kFdRead | wasi::right::kFdWrite | wasi::right::kFdSeek),
                  Value::i64(0), Value::i32(0), Value::i32(200)}),
            Errno::Success);
  uint32_t fd = get(200);
  // Three iovecs: 1 MiB + 17, 1 byte, the rest (and then some).
  const uint32_t base = 1 << 20, lens[] = {(1 << 20) + 17, 1, (3 << 20)};
  auto layout = [&] {
    uint32_t at = base;
    for (int k = 0; k < 3; ++k) {
      put(300 + 8 * k, at);
      put(304 + 8 * k, lens[k]);
      at += lens[k];
    }
  };
  layout();
  ASSERT_EQ(
      call(wasi::abi::fdRead, {Value::i32(fd), Value::i32(300), Value::i32(3), Value::i32(400)}),
      Errno::Success);
  EXPECT_EQ(get(400), kSize);
  EXPECT_EQ(std::memcmp(memory.data() + base, content.data(), kSize), 0);
  // pread from an offset.
  std::memset(memory.data() + base, 0, 4 << 20);
  ASSERT_EQ(call(wasi::abi::fdPread,
                 {Value::i32(fd), Value::i32(300), Value::i32(3), Value::i64(5), Value::i32(400)}),
            Errno::Success);
  EXPECT_EQ(get(400), kSize - 5);
  EXPECT_EQ(std::memcmp(memory.data() + base, content.data() + 5, kSize - 5), 0);
  // pwrite the complement back at offset 0 and compare.
  for (uint32_t i = 0; i < kSize; ++i) memory[base + i] = uint8_t(~uint8_t(content[i]));
  put(304 + 16, kSize - lens[0] - lens[1]);
  ASSERT_EQ(call(wasi::abi::fdPwrite,
                 {Value::i32(fd), Value::i32(300), Value::i32(3), Value::i64(0), Value::i32(400)}),
            Errno::Success);
  EXPECT_EQ(get(400), kSize);
  std::string back = dir.read("big");
  ASSERT_EQ(back.size(), kSize);
  for (uint32_t i = 0; i < kSize; i += 997)
    ASSERT_EQ(uint8_t(back[i]), uint8_t(~uint8_t(content[i]))) << i;
}

} // namespace
} // namespace halter
