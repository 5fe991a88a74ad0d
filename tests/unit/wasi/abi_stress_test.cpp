// Every ABI function called many times with arguments drawn at random (small
// descriptor numbers, pointers anywhere including the last bytes of memory
// and beyond, lengths that wrap) over memory holding random bytes and a few
// plausible paths: each call must answer an errno, never crash, and nothing
// may appear outside the granted directory.
#include "wasi/abi.h"
#include "wasi_test_util.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <random>

namespace halter {
namespace {

struct AbiEntry {
  const char *name;
  wasi::Errno (*fn)(wasi::AbiCall &);
  const char *sig;
};

const AbiEntry kEntries[] = {
#define HALTER_WASI_ENTRY(import_name, fn, sig) {#import_name, &wasi::abi::fn, sig},
    HALTER_WASI_FUNCTIONS(HALTER_WASI_ENTRY)
#undef HALTER_WASI_ENTRY
};

TEST(WasiAbiStress, RandomArgumentsNeverCrashOrEscape) {
  test::ScratchDir outer;
  std::filesystem::create_directories(outer.path() / "box/sub");
  outer.write("box/a", "file a");
  WasiConfig config;
  config.preopens = {{outer.str() + "/box", "/box", true}};
  config.deterministic = true; // clock subscriptions never really wait
  config.stdin_stream = WasiStdio::buffer("some input");
  std::shared_ptr<WasiContext> context;

  std::mt19937_64 rng(12345);
  std::vector<uint8_t> memory(65536);
  const char *paths[] = {"a", "sub", "sub/../a", "..", "/etc", "new", "sub/x", ".", "a/"};
  auto refill = [&] {
    for (auto &b : memory) b = static_cast<uint8_t>(rng());
    for (uint32_t i = 0; i < 9; ++i) // plausible strings at 1024 * i
      std::memcpy(memory.data() + 1024 * i, paths[i], std::strlen(paths[i]));
  };
  auto pick32 = [&]() -> uint32_t {
    switch (rng() % 7) {
    case 0:
      return static_cast<uint32_t>(rng() % 8); // a descriptor, a flag
    case 1:
      return static_cast<uint32_t>(1024 * (rng() % 9)); // a plausible path
    case 2:
      return static_cast<uint32_t>(rng() % 4); // a short length
    case 3:
      return static_cast<uint32_t>(memory.size() - rng() % 16); // the last bytes
    case 4:
      return 0xFFFFFFFFu - static_cast<uint32_t>(rng() % 16); // wraps
    case 5:
      return static_cast<uint32_t>(rng() % memory.size());
    default:
      return static_cast<uint32_t>(rng());
    }
  };
  CallContext ctx;
  std::map<std::string, int> successes;
  for (int i = 0; i < 30000; ++i) {
    if (i % 64 == 0) refill();
    if (i % 256 == 0) { // afresh now and then: random fd_close calls soon close the preopen
      auto made = WasiContext::create(config);
      ASSERT_TRUE(made.ok());
      context = *made;
    }
    const AbiEntry &entry = kEntries[rng() % std::size(kEntries)];
    std::vector<Value> args;
    for (const char *p = entry.sig; *p; ++p)
      args.push_back(*p == 'I' ? Value::i64(rng() % 3 == 0 ? rng() % 4096 : rng())
                               : Value::i32(pick32()));
    wasi::AbiCall call{detail::WasiAccess::state(*context), ctx, wasi::GuestMemory(memory), args};
    wasi::Errno e = entry.fn(call);
    ASSERT_LE(static_cast<uint16_t>(e), static_cast<uint16_t>(wasi::Errno::NotCapable))
        << entry.name;
    if (e == wasi::Errno::Success) ++successes[entry.name];
  }
  // Not only refusals: the draws reach the functions' real work too.
  EXPECT_GE(successes.size(), 20u);
  for (const auto &item : std::filesystem::directory_iterator(outer.path()))
    EXPECT_EQ(item.path().filename(), "box") << "created outside the preopen";
}

} // namespace
} // namespace halter
