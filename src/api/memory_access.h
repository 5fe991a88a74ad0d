// Bounds-checked copies between a linear memory and the host, shared by the
// public read/write functions (CallContext, Extern, Execution).
#pragma once

#include "halter/result.h"

#include <cstdint>
#include <span>

namespace halter::api {

Result<void> readGuest(std::span<const uint8_t> memory, uint64_t addr, std::span<uint8_t> out);
Result<void> writeGuest(std::span<uint8_t> memory, uint64_t addr, std::span<const uint8_t> in);

} // namespace halter::api
