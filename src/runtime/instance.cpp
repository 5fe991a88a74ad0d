#include "runtime/instance.h"

#include "compile/compiled_module.h"

namespace halter::rt {

namespace {
// A non-zero identity of the calling thread, unique among live threads.
uintptr_t threadIdentity() {
  static thread_local char marker;
  return reinterpret_cast<uintptr_t>(&marker);
}
} // namespace

bool Instance::tryEnter() {
  uintptr_t self = threadIdentity();
  uintptr_t expected = kNoThread;
  if (busy_thread.compare_exchange_strong(expected, self, std::memory_order_acquire,
                                          std::memory_order_relaxed)) {
    busy_depth = 1;
    return true;
  }
  if (expected != self) return false;
  ++busy_depth; // nested on the same thread
  return true;
}

void Instance::leave() {
  if (--busy_depth == 0) busy_thread.store(kNoThread, std::memory_order_release);
}

std::span<const uint8_t> Instance::dataSegment(uint32_t i) const {
  if (module == nullptr || i >= module->ir.datas.size() ||
      (i < data_dropped.size() && data_dropped[i])) {
    return {};
  }
  const ir::DataSegment &seg = module->ir.datas[i];
  return std::span<const uint8_t>(module->ir.bytes.data() + seg.data_begin, seg.data_size);
}

} // namespace halter::rt
