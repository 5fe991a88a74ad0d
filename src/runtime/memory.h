// A linear memory: one mmap reservation of its maximum, grown by mprotect,
// so its base never moves (DESIGN §3.5). Bounds are checked explicitly by the
// interpreter against size_bytes().
#pragma once

#include "halter/result.h"
#include "halter/types.h"

#include <cstdint>
#include <memory>

namespace halter::compile {
class MemoryImage;
}

namespace halter::rt {

class Memory : public std::enable_shared_from_this<Memory> {
public:
  // `cap_bytes` limits growth below the type's maximum (0 = no cap). Fails with
  // ResourceLimit when the initial size is above the cap or cannot be mapped.
  // With an `image`, its bytes are mapped copy-on-write at the base
  // (fromImage() is then true): the initial content without a copy.
  static Result<std::shared_ptr<Memory>>
  create(const MemoryType &type, uint64_t cap_bytes = 0,
         std::shared_ptr<const compile::MemoryImage> image = {});
  ~Memory();
  Memory(const Memory &) = delete;
  Memory &operator=(const Memory &) = delete;

  uint8_t *data() const { return base_; }
  uint64_t sizeBytes() const { return size_bytes_; }
  uint64_t pages() const { return size_bytes_ / kPageSize; }
  const MemoryType &type() const { return type_; } // limits.min is the current size

  // Grows by `delta` pages; returns the old size in pages, or -1 when the
  // maximum, the cap or the host refuses (spec behaviour: no trap).
  // `*cap_refused` is set when the type's maximum allowed the grow but the
  // cap (or `extra_cap_pages`, a lower per-call cap) did not.
  int64_t grow(uint64_t delta, bool *cap_refused = nullptr, uint64_t extra_cap_pages = UINT64_MAX);
  // Back to `pages` pages (at most the current size) of zeros: the pages the
  // guest touched go back to the system (MADV_DONTNEED on the private
  // mapping, so the cost follows what was touched, not the size), and those
  // past `pages` stop being accessible. The memory shrinks.
  // With an image, the pages it covers come back as the image's bytes.
  Result<void> resetTo(uint64_t pages);
  bool fromImage() const { return from_image_; }
  // Makes the memory `pages` pages of zeros and drops its image (what a
  // snapshot's content is written over). Fails with ResourceLimit above the
  // maximum or the cap.
  Result<void> clearTo(uint64_t pages);
  // clearTo(pages), then `image` (when given; at most that large) mapped
  // copy-on-write at the base: the memory's content, and what resetTo
  // brings back, as for an image made at instantiation.
  Result<void> adoptImage(uint64_t pages, std::shared_ptr<const compile::MemoryImage> image);

  // Fields read by the interpreter's fast path.
  uint8_t *base_ = nullptr;
  uint64_t size_bytes_ = 0;

private:
  Memory() = default;
  MemoryType type_;
  uint64_t max_pages_ = 0;      // effective: min(type max, cap, 65536)
  uint64_t type_max_pages_ = 0; // min(type max, 65536)
  uint64_t reserved_bytes_ = 0; // size of the mapping
  bool from_image_ = false;
  std::shared_ptr<const compile::MemoryImage> image_; // while from_image_

  // resetTo's way for small memories with few written pages: restores the
  // first `bytes` in place (false: not possible or not worth it; madvise then).
  bool restoreInPlace(uint64_t bytes);
};

} // namespace halter::rt
