// Limits as text (the CLI, pipeline manifests): sizes ("64MiB") and
// durations ("250ms").
#pragma once

#include "halter/result.h"

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace halter {

// A byte count: a whole number with an optional unit, B, KiB, MiB, GiB
// (powers of 1024) or KB, MB, GB (powers of 1000).
Result<uint64_t> parseSize(std::string_view text);

// A duration: a number (fractions allowed) with a unit, ns, us, ms, s, m or h.
Result<std::chrono::nanoseconds> parseDuration(std::string_view text);

// "1.50 MiB", "512 B": for --stats.
std::string formatSize(uint64_t bytes);
// "12.3 ms", "2.00 s".
std::string formatDuration(std::chrono::nanoseconds d);

} // namespace halter
