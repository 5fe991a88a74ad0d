// Invariants the engine relies on but does not re-check at run time, such as
// what validation already guaranteed for the lowering. Builds with
// HALTER_DCHECKS (every build but Release, see CMakeLists.txt) test them and
// abort with the place on failure, so the test suites and fuzzers catch a
// broken invariant where it breaks; other builds compile them out.
#pragma once

#if HALTER_DCHECKS
#include <cstdio>
#include <cstdlib>

namespace halter::detail {
[[noreturn]] inline void failCheck(const char *cond, const char *file, int line) {
  std::fprintf(stderr, "halter: invariant failed at %s:%d: %s\n", file, line, cond);
  std::abort();
}
} // namespace halter::detail

#define HALTER_DCHECK(cond)                                                                        \
  ((cond) ? static_cast<void>(0) : ::halter::detail::failCheck(#cond, __FILE__, __LINE__))
#else
#define HALTER_DCHECK(cond) static_cast<void>(sizeof(!(cond)))
#endif
