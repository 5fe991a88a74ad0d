// OS layer: resolving guest paths beneath a directory descriptor. No result
// of these functions ever names a file outside `dirfd`: not through "..",
// absolute paths, or symlinks (absolute or relative, whoever made them).
// Escapes answer ENOTCAPABLE.
#pragma once

#include "wasi/abi_types.h"
#include "wasi/unique_fd.h"

#include <string>
#include <string_view>
#include <sys/types.h>

namespace halter::wasi {

// Opens `path` beneath `dirfd` with open(2) `flags` (O_NOFOLLOW: do not
// follow a final symlink) and `mode`. Uses openat2(RESOLVE_BENEATH) when the
// kernel has it, else a component-by-component walk with O_NOFOLLOW.
Errno openBeneath(int dirfd, std::string_view path, int flags, mode_t mode, UniqueFd &out);

// A path split for the *at() calls that act on a name: `parent` is a
// descriptor beneath the starting directory (or that directory itself,
// borrowed), `name` one component without '/'. It can be "." or "..", which
// callers must not hand to the kernel as a name (".." of the root is
// outside it).
struct ParentAndName {
  UniqueFd owned; // empty when parent is the starting directory
  int parent = -1;
  std::string name;
  bool trailing_slash = false; // the path ended in '/': it must name a directory
  bool isDots() const { return name == "." || name == ".."; }
};
Errno resolveParent(int dirfd, std::string_view path, ParentAndName &out);

// Whether openat2 with RESOLVE_BENEATH is used (probed once, ENOSYS falls
// back to the walk).
bool kernelResolvesBeneath();
// Tests run every resolution both ways.
void forcePathWalkForTesting(bool force);

} // namespace halter::wasi
