#include "runtime/memory.h"

#include "compile/memory_image.h"

#include <algorithm>
#include <sys/mman.h>

namespace halter::rt {

Result<std::shared_ptr<Memory>> Memory::create(const MemoryType &type, uint64_t cap_bytes,
                                               const compile::MemoryImage *image) {
  uint64_t type_max_pages = std::min(type.limits.max.value_or(kMaxPages), kMaxPages);
  uint64_t max_pages = type_max_pages;
  if (cap_bytes != 0) max_pages = std::min(max_pages, cap_bytes / kPageSize);
  if (type.limits.min > max_pages) {
    return makeError(ErrorCode::ResourceLimit, kNoOffset,
                     "memory of " + std::to_string(type.limits.min) +
                         " pages exceeds the limit of " + std::to_string(max_pages) + " pages");
  }
  std::shared_ptr<Memory> mem(new Memory());
  mem->type_ = type;
  mem->max_pages_ = max_pages;
  mem->type_max_pages_ = type_max_pages;
  // At least one page is reserved so that the base is never null, even for
  // a memory that can never hold a byte (zero-length accesses still get a
  // valid pointer).
  mem->reserved_bytes_ = std::max(max_pages * kPageSize, kPageSize);
  void *p = mmap(nullptr, mem->reserved_bytes_, PROT_NONE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) {
    mem->reserved_bytes_ = 0;
    return makeError(ErrorCode::ResourceLimit, kNoOffset, "cannot reserve linear memory");
  }
  mem->base_ = static_cast<uint8_t *>(p);
  uint64_t initial = type.limits.min * kPageSize;
  if (initial != 0 && mprotect(mem->base_, initial, PROT_READ | PROT_WRITE) != 0) {
    return makeError(ErrorCode::ResourceLimit, kNoOffset, "cannot commit linear memory");
  }
  // MAP_FIXED over the reservation: the private file mapping replaces the
  // first pages; a write copies only the page it touches.
  if (image != nullptr && image->bytes() <= initial) {
    if (mmap(mem->base_, image->bytes(), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED,
             image->fd(), 0) == MAP_FAILED) {
      return makeError(ErrorCode::ResourceLimit, kNoOffset, "cannot map the memory image");
    }
    mem->from_image_ = true;
  }
  mem->size_bytes_ = initial;
  return mem;
}

Memory::~Memory() {
  if (base_ != nullptr) munmap(base_, reserved_bytes_);
}

int64_t Memory::grow(uint64_t delta, bool *cap_refused, uint64_t extra_cap_pages) {
  uint64_t old_pages = pages();
  uint64_t max_pages = max_pages_;
  if (extra_cap_pages < max_pages) max_pages = extra_cap_pages;
  if (old_pages > max_pages || delta > max_pages - old_pages) {
    if (cap_refused != nullptr && delta <= type_max_pages_ - old_pages) *cap_refused = true;
    return -1;
  }
  if (delta == 0) return int64_t(old_pages);
  // Pages past the current size have never been writable, so they are still
  // the zero pages mmap handed out.
  if (mprotect(base_ + size_bytes_, delta * kPageSize, PROT_READ | PROT_WRITE) != 0) return -1;
  size_bytes_ += delta * kPageSize;
  type_.limits.min = old_pages + delta;
  return int64_t(old_pages);
}

Result<void> Memory::resetTo(uint64_t pages) {
  uint64_t keep = pages * kPageSize;
  if (keep > size_bytes_) {
    return makeError(ErrorCode::Internal, kNoOffset, "memory reset beyond its size");
  }
  if (size_bytes_ != 0 && madvise(base_, size_bytes_, MADV_DONTNEED) != 0) {
    return makeError(ErrorCode::ResourceLimit, kNoOffset, "cannot release linear memory");
  }
  if (size_bytes_ > keep && mprotect(base_ + keep, size_bytes_ - keep, PROT_NONE) != 0) {
    return makeError(ErrorCode::ResourceLimit, kNoOffset, "cannot shrink linear memory");
  }
  size_bytes_ = keep;
  type_.limits.min = pages;
  return okResult();
}

} // namespace halter::rt
