// ABI: args, environment, clocks, random, scheduling, signals.
#include "wasi/abi.h"

namespace halter::wasi::abi {
namespace {

// argv-style: `count` pointers at ptrs_ptr into NUL-terminated copies at buf_ptr.
Errno writeStrings(GuestMemory &mem, const std::vector<std::string> &strings, uint32_t ptrs_ptr,
                   uint32_t buf_ptr) {
  uint64_t total = 0;
  for (const auto &s : strings) total += s.size() + 1;
  if (!mem.inBounds(ptrs_ptr, uint64_t{strings.size()} * 4) || !mem.inBounds(buf_ptr, total))
    return Errno::Fault;
  uint64_t at = buf_ptr;
  for (size_t i = 0; i < strings.size(); ++i) {
    mem.storeAt<uint32_t>(uint64_t{ptrs_ptr} + 4 * i, static_cast<uint32_t>(at));
    std::copy(strings[i].begin(), strings[i].end(), mem.data() + at);
    mem.data()[at + strings[i].size()] = 0;
    at += strings[i].size() + 1;
  }
  return Errno::Success;
}

Errno writeSizes(GuestMemory &mem, const std::vector<std::string> &strings, uint32_t count_ptr,
                 uint32_t size_ptr) {
  uint64_t total = 0;
  for (const auto &s : strings) total += s.size() + 1;
  if (total > UINT32_MAX) return Errno::Overflow;
  if (Errno e = mem.store<uint32_t>(count_ptr, static_cast<uint32_t>(strings.size()));
      e != Errno::Success)
    return e;
  return mem.store<uint32_t>(size_ptr, static_cast<uint32_t>(total));
}

} // namespace

Errno argsGet(AbiCall &c) {
  return writeStrings(c.memory, c.state.args, c.u32(0), c.u32(1));
}
Errno argsSizesGet(AbiCall &c) {
  return writeSizes(c.memory, c.state.args, c.u32(0), c.u32(1));
}
Errno environGet(AbiCall &c) {
  return writeStrings(c.memory, c.state.env, c.u32(0), c.u32(1));
}
Errno environSizesGet(AbiCall &c) {
  return writeSizes(c.memory, c.state.env, c.u32(0), c.u32(1));
}

Errno clockResGet(AbiCall &c) {
  uint64_t res = 0;
  if (Errno e = c.state.clock.resolution(c.u32(0), res); e != Errno::Success) return e;
  return c.memory.store<uint64_t>(c.u32(1), res);
}

Errno clockTimeGet(AbiCall &c) {
  if (!c.memory.inBounds(c.u32(2), 8)) return Errno::Fault;
  uint64_t now = 0;
  if (Errno e = c.state.clock.now(c.u32(0), now); e != Errno::Success) return e;
  return c.memory.store<uint64_t>(c.u32(2), now);
}

Errno randomGet(AbiCall &c) {
  std::span<uint8_t> buf;
  if (Errno e = c.memory.span(c.u32(0), c.u32(1), buf); e != Errno::Success) return e;
  return c.state.random.fill(buf);
}

Errno schedYield(AbiCall &) {
  return Errno::Success;
}

// Signals have no meaning inside the sandbox; wasi-libc's abort() traps
// instead of raising.
Errno procRaise(AbiCall &) {
  return Errno::NoSys;
}

} // namespace halter::wasi::abi
