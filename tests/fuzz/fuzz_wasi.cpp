// libFuzzer target for the WASI ABI layer: the input chooses a guest memory
// image and a sequence of wasi_snapshot_preview1 calls with their arguments
// (pointers anywhere, lengths that wrap, small descriptors), run against a
// fresh context with one writable preopen. Every call must answer an errno;
// nothing may appear beside the preopen.
#include "halter/wasi.h"
#include "wasi/abi.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

namespace {

using namespace halter;
namespace fs = std::filesystem;

struct AbiEntry {
  wasi::Errno (*fn)(wasi::AbiCall &);
  const char *sig;
};

const AbiEntry kEntries[] = {
#define HALTER_WASI_ENTRY(import_name, fn, sig) {&wasi::abi::fn, sig},
    HALTER_WASI_FUNCTIONS(HALTER_WASI_ENTRY)
#undef HALTER_WASI_ENTRY
};

constexpr size_t kMemoryBytes = 65536;
const char *const kPaths[] = {"a", "sub", "sub/../a", "..", "/etc", "new", "sub/x", ".", "a/"};

// Reads the input a byte or a word at a time; zeros once it runs out.
struct Input {
  const uint8_t *data;
  size_t size;
  size_t at = 0;
  bool done() const { return at >= size; }
  uint8_t byte() { return at < size ? data[at++] : 0; }
  uint32_t word() {
    uint32_t w = 0;
    for (int i = 0; i < 4; ++i) w = w << 8 | byte();
    return w;
  }
};

uint32_t pick32(Input &in) {
  switch (in.byte() % 6) {
  case 0:
    return in.byte() % 8; // a descriptor or flag
  case 1:
    return 1024 * (in.byte() % 9); // a plausible path
  case 2:
    return in.byte() % 4; // a short length
  case 3:
    return static_cast<uint32_t>(kMemoryBytes - in.byte() % 16); // the last bytes
  case 4:
    return 0xFFFFFFFFu - in.byte() % 16; // wraps
  default:
    return in.word();
  }
}

const fs::path &scratch() {
  static const fs::path dir = [] {
    char templ[] = "/tmp/halter_fuzz_wasi_XXXXXX";
    fs::path d = mkdtemp(templ);
    fs::create_directories(d / "box/sub");
    return d;
  }();
  return dir;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  Input in{data, size};
  WasiConfig config;
  config.preopens = {{(scratch() / "box").string(), "/box", true}};
  config.deterministic = true; // clock subscriptions never really wait
  config.stdin_stream = WasiStdio::buffer("some input");
  auto context = WasiContext::create(config);
  if (!context) __builtin_trap();

  std::vector<uint8_t> memory(kMemoryBytes);
  for (size_t i = 0; i < 256 && !in.done(); ++i) memory[i * 251 % kMemoryBytes] = in.byte();
  for (uint32_t i = 0; i < 9; ++i)
    std::memcpy(memory.data() + 1024 * i, kPaths[i], std::strlen(kPaths[i]));

  CallContext ctx;
  for (int calls = 0; calls < 64 && !in.done(); ++calls) {
    const AbiEntry &entry = kEntries[in.byte() % std::size(kEntries)];
    std::vector<Value> args;
    for (const char *p = entry.sig; *p; ++p)
      args.push_back(*p == 'I' ? Value::i64(uint64_t(in.word()) << 32 | in.word())
                               : Value::i32(pick32(in)));
    wasi::AbiCall call{detail::WasiAccess::state(**context), ctx, wasi::GuestMemory(memory), args};
    wasi::Errno e = entry.fn(call);
    if (static_cast<uint16_t>(e) > static_cast<uint16_t>(wasi::Errno::NotCapable))
      __builtin_trap(); // not an errno
  }
  for (const auto &item : fs::directory_iterator(scratch()))
    if (item.path().filename() != "box") __builtin_trap(); // escaped the preopen
  return 0;
}
