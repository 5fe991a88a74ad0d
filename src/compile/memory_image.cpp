#include "compile/memory_image.h"

#include "halter/types.h"

#include <algorithm>
#include <functional>
#include <sys/mman.h>
#include <unistd.h>

namespace halter::compile {

namespace {

// The constant start of an active data segment of memory 0, if it has one.
std::optional<uint64_t> constantOffset(const ir::DataSegment &seg) {
  if (seg.mode != ir::SegmentMode::Active || seg.memory != 0) return std::nullopt;
  const std::vector<ir::ConstInstr> &instrs = seg.offset_expr.instrs;
  if (instrs.size() != 1 || instrs[0].op != Op::I32Const) return std::nullopt;
  return uint64_t(uint32_t(instrs[0].value));
}

bool writeAll(int fd, const uint8_t *data, uint64_t size, uint64_t at) {
  while (size != 0) {
    ssize_t n = pwrite(fd, data, size, off_t(at));
    if (n <= 0) return false;
    data += n;
    size -= uint64_t(n);
    at += uint64_t(n);
  }
  return true;
}

} // namespace

MemoryImage::~MemoryImage() {
  if (view_ != nullptr) munmap(const_cast<uint8_t *>(view_), bytes_);
  close(fd_);
}

std::shared_ptr<const MemoryImage> MemoryImage::layOut(const ir::Module &m) {
  if (!m.imported_memories.empty() || m.memories.empty()) return nullptr;
  uint64_t initial_bytes = m.memories[0].limits.min * kPageSize;
  uint64_t end = 0;
  for (const ir::DataSegment &seg : m.datas) {
    if (seg.mode != ir::SegmentMode::Active) continue;
    std::optional<uint64_t> at = constantOffset(seg);
    if (!at || *at + seg.data_size > initial_bytes) return nullptr;
    if (seg.data_size != 0) end = std::max(end, *at + seg.data_size);
  }
  if (end == 0) return nullptr; // all zeros: the anonymous mapping already is
  uint64_t host_page = uint64_t(sysconf(_SC_PAGESIZE));
  uint64_t bytes = std::min((end + host_page - 1) / host_page * host_page, initial_bytes);
  // In order, so that a later segment overwrites an earlier one, as
  // instantiation's copies would.
  return create(bytes, [&](int fd) {
    for (const ir::DataSegment &seg : m.datas) {
      if (seg.mode != ir::SegmentMode::Active || seg.data_size == 0) continue;
      if (!writeAll(fd, m.bytes.data() + seg.data_begin, seg.data_size, *constantOffset(seg)))
        return false;
    }
    return true;
  });
}

std::shared_ptr<const MemoryImage> MemoryImage::fromRuns(std::span<const Run> runs) {
  if (runs.empty()) return nullptr;
  uint64_t host_page = uint64_t(sysconf(_SC_PAGESIZE));
  uint64_t end = runs.back().offset + runs.back().size;
  return create((end + host_page - 1) / host_page * host_page, [&](int fd) {
    for (const Run &run : runs)
      if (!writeAll(fd, run.data, run.size, run.offset)) return false;
    return true;
  });
}

std::shared_ptr<const MemoryImage> MemoryImage::create(uint64_t bytes,
                                                       const std::function<bool(int fd)> &fill) {
  int fd = memfd_create("halter-memory-image", MFD_CLOEXEC);
  if (fd < 0) return nullptr;
  std::shared_ptr<MemoryImage> image(new MemoryImage(fd, bytes));
  if (ftruncate(fd, off_t(bytes)) != 0 || !fill(fd)) return nullptr;
  void *view = mmap(nullptr, bytes, PROT_READ, MAP_SHARED, fd, 0);
  if (view == MAP_FAILED) return nullptr;
  image->view_ = static_cast<const uint8_t *>(view);
  return image;
}

} // namespace halter::compile
