#include "wasi/fd_table.h"

namespace halter::wasi {

Errno FdTable::get(uint32_t fd, Rights rights, FdEntry *&out) {
  auto it = entries_.find(fd);
  if (it == entries_.end()) return Errno::BadF;
  if ((it->second->base & rights) != rights) return Errno::NotCapable;
  out = it->second.get();
  return Errno::Success;
}

Errno FdTable::insert(std::unique_ptr<FdEntry> entry, uint32_t &fd_out) {
  if (entries_.size() >= max_open_) return Errno::MFile;
  uint32_t fd = 0;
  for (const auto &[number, e] : entries_) {
    if (number != fd) break;
    ++fd;
  }
  entries_.emplace(fd, std::move(entry));
  fd_out = fd;
  return Errno::Success;
}

Errno FdTable::close(uint32_t fd) {
  return entries_.erase(fd) ? Errno::Success : Errno::BadF;
}

Errno FdTable::renumber(uint32_t from, uint32_t to) {
  auto src = entries_.find(from);
  auto dst = entries_.find(to);
  if (src == entries_.end() || dst == entries_.end()) return Errno::BadF;
  if (from == to) return Errno::Success;
  dst->second = std::move(src->second);
  entries_.erase(src);
  return Errno::Success;
}

} // namespace halter::wasi
