#include "wasi/guest_memory.h"

namespace halter::wasi {

Errno IovecList::check(GuestMemory &memory, uint32_t ptr, uint32_t count, IovecList &out) {
  if (count > kMaxIovecs) return Errno::Inval;
  if (!memory.inBounds(ptr, uint64_t{count} * layout::kIovecSize)) return Errno::Fault;
  uint64_t total = 0;
  for (uint32_t i = 0; i < count; ++i) {
    uint64_t entry = uint64_t{ptr} + uint64_t{i} * layout::kIovecSize;
    uint32_t buf = memory.loadAt<uint32_t>(entry);
    uint32_t len = memory.loadAt<uint32_t>(entry + 4);
    if (!memory.inBounds(buf, len)) return Errno::Fault;
    total += len;
    if (total > kMaxIoTotal) return Errno::Inval;
  }
  out.memory_ = &memory;
  out.ptr_ = ptr;
  out.count_ = count;
  out.total_ = total;
  return Errno::Success;
}

std::span<uint8_t> IovecList::at(uint32_t i) const {
  uint64_t entry = uint64_t{ptr_} + uint64_t{i} * layout::kIovecSize;
  uint32_t buf = memory_->loadAt<uint32_t>(entry);
  uint32_t len = memory_->loadAt<uint32_t>(entry + 4);
  // Checked again: a read into an earlier buffer may have rewritten this
  // very array (the guest can make them overlap).
  if (!memory_->inBounds(buf, len)) return {};
  return {memory_->data() + buf, len};
}

} // namespace halter::wasi
