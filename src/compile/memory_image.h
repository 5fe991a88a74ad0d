// The initial content of a module's own memory 0, laid out once into an
// anonymous file (memfd) that instances map copy-on-write: instantiation
// copies no data, and a reset hands the touched pages back to the kernel,
// which refills them from the image (DESIGN §6).
#pragma once

#include "ir/module.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <span>

namespace halter::compile {

class MemoryImage {
public:
  ~MemoryImage();
  MemoryImage(const MemoryImage &) = delete;
  MemoryImage &operator=(const MemoryImage &) = delete;

  // Lays out the active data segments of `m` for memory 0, or returns null
  // when instances must copy them instead: memory 0 is imported or absent,
  // there is no data to place, a segment's offset is not an i32.const, a
  // segment ends past the initial size (instantiation traps: the copying
  // path reports it), or the system refuses the file.
  static std::shared_ptr<const MemoryImage> layOut(const ir::Module &m);

  // Bytes at offsets (increasing, not overlapping); zeros elsewhere. The
  // image ends at the last run, rounded up to a host page: map it only
  // over a memory at least that large. Null when the system refuses.
  struct Run {
    uint64_t offset = 0, size = 0;
    const uint8_t *data = nullptr;
  };
  static std::shared_ptr<const MemoryImage> fromRuns(std::span<const Run> runs);

  int fd() const { return fd_; }
  // The image's bytes, mapped read-only (a reset copies written pages back
  // from here).
  const uint8_t *view() const { return view_; }
  // Length to map at the memory's base: a multiple of the host page size,
  // never past the memory's initial size.
  uint64_t bytes() const { return bytes_; }

private:
  MemoryImage(int fd, uint64_t bytes) : fd_(fd), bytes_(bytes) {}
  // A memfd of `bytes` that `fill` writes, mapped for view().
  static std::shared_ptr<const MemoryImage> create(uint64_t bytes,
                                                   const std::function<bool(int fd)> &fill);
  int fd_;
  uint64_t bytes_;
  const uint8_t *view_ = nullptr;
};

} // namespace halter::compile
