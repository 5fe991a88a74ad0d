#include "wasi/fd_table.h"

namespace halter::wasi {

void setOrigin(FdEntry &entry, const FdEntry &dir, std::string_view path, uint32_t lookup) {
  if (!dir.is_preopen && !dir.beneath_preopen) return;
  entry.beneath_preopen = true;
  entry.origin_preopen = dir.is_preopen ? dir.preopen_name : dir.origin_preopen;
  entry.origin_lookup = lookup;
  entry.origin_too_long = dir.origin_too_long;
  if (entry.origin_too_long) return;
  std::string joined = dir.is_preopen ? std::string() : dir.origin_path;
  while (!path.empty()) {
    const size_t slash = path.find('/');
    const std::string_view part = path.substr(0, slash);
    path = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
    if (part.empty() || part == ".") continue;
    if (joined.size() + part.size() + 1 > kMaxOriginPath) {
      entry.origin_too_long = true;
      return;
    }
    if (!joined.empty()) joined += '/';
    joined += part;
  }
  entry.origin_path = joined.empty() ? "." : std::move(joined);
}

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

bool FdTable::insertAt(uint32_t fd, std::unique_ptr<FdEntry> entry) {
  if (entries_.size() >= max_open_) return false;
  return entries_.emplace(fd, std::move(entry)).second;
}

std::unique_ptr<FdEntry> FdTable::release(uint32_t fd) {
  auto it = entries_.find(fd);
  if (it == entries_.end()) return nullptr;
  std::unique_ptr<FdEntry> entry = std::move(it->second);
  entries_.erase(it);
  return entry;
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
