#include "alloc_guard.h"

#include <malloc.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <new>

namespace halter::robustness {

namespace {

std::atomic<uint64_t> g_live{0};
std::atomic<uint64_t> g_peak{0};
std::atomic<const char *> g_context{""};

[[noreturn]] void overLimit(const char *what, uint64_t bytes) {
  std::fprintf(stderr,
               "robustness: FAILED: %s of %llu bytes exceeds the 1 GiB limit while running %s\n",
               what, static_cast<unsigned long long>(bytes), g_context.load());
  std::abort();
}

void *allocate(std::size_t size, std::size_t alignment) {
  if (size > kAllocationLimit) overLimit("a single allocation", size);
  void *p = nullptr;
  if (alignment <= alignof(std::max_align_t)) {
    p = std::malloc(size == 0 ? 1 : size);
  } else {
    std::size_t rounded = (size + alignment - 1) / alignment * alignment;
    p = std::aligned_alloc(alignment, rounded == 0 ? alignment : rounded);
  }
  if (!p) throw std::bad_alloc();
  uint64_t live = g_live.fetch_add(malloc_usable_size(p)) + malloc_usable_size(p);
  uint64_t peak = g_peak.load();
  while (live > peak && !g_peak.compare_exchange_weak(peak, live)) {
  }
  if (live > kAllocationLimit) overLimit("the live heap", live);
  return p;
}

void release(void *p) {
  if (!p) return;
  g_live.fetch_sub(malloc_usable_size(p));
  std::free(p);
}

} // namespace

uint64_t liveHeapBytes() {
  return g_live.load();
}
uint64_t peakHeapBytes() {
  return g_peak.load();
}
void resetPeak() {
  g_peak.store(g_live.load());
}
void setAllocationContext(const char *context) {
  g_context.store(context);
}

} // namespace halter::robustness

using halter::robustness::allocate;
using halter::robustness::release;

void *operator new(std::size_t size) {
  return allocate(size, 0);
}
void *operator new[](std::size_t size) {
  return allocate(size, 0);
}
void *operator new(std::size_t size, std::align_val_t al) {
  return allocate(size, static_cast<std::size_t>(al));
}
void *operator new[](std::size_t size, std::align_val_t al) {
  return allocate(size, static_cast<std::size_t>(al));
}
void *operator new(std::size_t size, const std::nothrow_t &) noexcept {
  try {
    return allocate(size, 0);
  } catch (...) {
    return nullptr;
  }
}
void *operator new[](std::size_t size, const std::nothrow_t &) noexcept {
  try {
    return allocate(size, 0);
  } catch (...) {
    return nullptr;
  }
}
void operator delete(void *p) noexcept {
  release(p);
}
void operator delete[](void *p) noexcept {
  release(p);
}
void operator delete(void *p, std::size_t) noexcept {
  release(p);
}
void operator delete[](void *p, std::size_t) noexcept {
  release(p);
}
void operator delete(void *p, std::align_val_t) noexcept {
  release(p);
}
void operator delete[](void *p, std::align_val_t) noexcept {
  release(p);
}
void operator delete(void *p, std::size_t, std::align_val_t) noexcept {
  release(p);
}
void operator delete[](void *p, std::size_t, std::align_val_t) noexcept {
  release(p);
}
