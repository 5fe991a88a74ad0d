#include "runtime/memory.h"

#include "compile/memory_image.h"

#include <algorithm>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <vector>

namespace halter::rt {

namespace {

// In-place restores scan at most this much memory (the pagemap read grows
// with it) and rewrite at most this many written pages (beyond, handing
// them back to the kernel is cheaper and frees them).
constexpr uint64_t kInPlaceScanLimit = uint64_t(8) << 20;
constexpr size_t kInPlaceMaxPages = 512;

// /proc/self/pagemap entry bits (Documentation/admin-guide/mm/pagemap.rst).
constexpr uint64_t kPagePresent = uint64_t(1) << 63;
constexpr uint64_t kPageSwapped = uint64_t(1) << 62;
constexpr uint64_t kPageFileOrShared = uint64_t(1) << 61;

size_t hostPageSize() {
  static const size_t size = size_t(sysconf(_SC_PAGESIZE));
  return size;
}

// Opened once for the process; -1 where /proc is not readable.
int pagemapFd() {
  static const int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
  return fd;
}

} // namespace

Result<std::shared_ptr<Memory>> Memory::create(const MemoryType &type, uint64_t cap_bytes,
                                               std::shared_ptr<const compile::MemoryImage> image) {
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
    mem->image_ = std::move(image);
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

// A page the guest wrote is private to this process: an anonymous page, or
// the copy a write made of an image page. Pages still mapped from the image
// (file pages) or never touched need nothing. Rewriting the written ones
// (from the image, or zeros) keeps them resident, so the next use does not
// fault them in again: a pooled instance that touches a few pages costs one
// read of pagemap per reset instead of madvise and a fault per page.
bool Memory::restoreInPlace(uint64_t bytes) {
  int fd = pagemapFd();
  size_t page = hostPageSize();
  if (fd < 0 || bytes == 0 || bytes > kInPlaceScanLimit || bytes % page != 0) return false;
  size_t count = bytes / page;
  uint64_t entries_on_stack[256];
  std::vector<uint64_t> entries_on_heap;
  uint64_t *entries = entries_on_stack;
  if (count > std::size(entries_on_stack)) {
    entries_on_heap.resize(count);
    entries = entries_on_heap.data();
  }
  off_t at = off_t(reinterpret_cast<uintptr_t>(base_) / page * sizeof(uint64_t));
  size_t want = count * sizeof(uint64_t);
  if (pread(fd, entries, want, at) != ssize_t(want)) return false;
  size_t written = 0;
  for (size_t i = 0; i < count; ++i) {
    uint64_t e = entries[i];
    if (e & kPageSwapped) return false; // written, and out of reach of a cheap copy
    if ((e & kPagePresent) && !(e & kPageFileOrShared) && ++written > kInPlaceMaxPages)
      return false;
  }
  uint64_t image_bytes = from_image_ ? image_->bytes() : 0;
  for (size_t i = 0; i < count; ++i) {
    uint64_t e = entries[i];
    if (!(e & kPagePresent) || (e & kPageFileOrShared)) continue;
    uint64_t off = uint64_t(i) * page;
    if (off < image_bytes) {
      std::memcpy(base_ + off, image_->view() + off, page);
    } else {
      std::memset(base_ + off, 0, page);
    }
  }
  return true;
}

Result<void> Memory::resetTo(uint64_t pages) {
  uint64_t keep = pages * kPageSize;
  if (keep > size_bytes_) {
    return makeError(ErrorCode::Internal, kNoOffset, "memory reset beyond its size");
  }
  // The first `keep` bytes in place if that is cheap, the rest (what the
  // guest grew) handed back; or all handed back.
  uint64_t release_from = restoreInPlace(keep) ? keep : 0;
  if (size_bytes_ > release_from &&
      madvise(base_ + release_from, size_bytes_ - release_from, MADV_DONTNEED) != 0) {
    return makeError(ErrorCode::ResourceLimit, kNoOffset, "cannot release linear memory");
  }
  if (size_bytes_ > keep && mprotect(base_ + keep, size_bytes_ - keep, PROT_NONE) != 0) {
    return makeError(ErrorCode::ResourceLimit, kNoOffset, "cannot shrink linear memory");
  }
  size_bytes_ = keep;
  type_.limits.min = pages;
  return okResult();
}

Result<void> Memory::clearTo(uint64_t pages) {
  if (pages > max_pages_) {
    return makeError(ErrorCode::ResourceLimit, kNoOffset,
                     std::to_string(pages) + " pages exceed the limit of " +
                         std::to_string(max_pages_) + " pages");
  }
  // The image's file mapping would bring its bytes back after madvise:
  // anonymous zero pages replace it first.
  if (from_image_) {
    if (mmap(base_, image_->bytes(), PROT_NONE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_NORESERVE, -1, 0) == MAP_FAILED) {
      return makeError(ErrorCode::ResourceLimit, kNoOffset, "cannot unmap the memory image");
    }
    from_image_ = false;
    image_.reset();
  }
  if (size_bytes_ != 0 && madvise(base_, size_bytes_, MADV_DONTNEED) != 0)
    return makeError(ErrorCode::ResourceLimit, kNoOffset, "cannot release linear memory");
  const uint64_t want = pages * kPageSize;
  if (want != 0 && mprotect(base_, want, PROT_READ | PROT_WRITE) != 0)
    return makeError(ErrorCode::ResourceLimit, kNoOffset, "cannot commit linear memory");
  if (size_bytes_ > want && mprotect(base_ + want, size_bytes_ - want, PROT_NONE) != 0)
    return makeError(ErrorCode::ResourceLimit, kNoOffset, "cannot shrink linear memory");
  size_bytes_ = want;
  type_.limits.min = pages;
  return okResult();
}

Result<void> Memory::adoptImage(uint64_t pages, std::shared_ptr<const compile::MemoryImage> image) {
  HALTER_TRY(clearTo(pages));
  if (image == nullptr) return okResult();
  if (image->bytes() > size_bytes_)
    return makeError(ErrorCode::Internal, kNoOffset, "memory image larger than the memory");
  if (mmap(base_, image->bytes(), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, image->fd(),
           0) == MAP_FAILED) {
    return makeError(ErrorCode::ResourceLimit, kNoOffset, "cannot map the memory image");
  }
  from_image_ = true;
  image_ = std::move(image);
  return okResult();
}

} // namespace halter::rt
