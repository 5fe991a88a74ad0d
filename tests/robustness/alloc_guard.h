// Heap accounting for the robustness test: this binary replaces the global
// operator new/delete so that it can see every C++ allocation the engine makes.
#pragma once

#include <cstddef>
#include <cstdint>

namespace halter::robustness {

inline constexpr uint64_t kAllocationLimit = uint64_t{1} << 30;

// Bytes currently live and the peak since the last resetPeak().
uint64_t liveHeapBytes();
uint64_t peakHeapBytes();
void resetPeak();

// Text printed (with the mutant's description) when the limit is broken; the
// process then aborts, since the engine cannot be unwound cleanly from inside new.
void setAllocationContext(const char *context);

} // namespace halter::robustness
