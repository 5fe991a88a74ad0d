// Values on the command line: parsed by the parameter type, printed plainly.
#pragma once

#include "halter/result.h"
#include "halter/types.h"

#include <string>
#include <string_view>

namespace halter::cli {

// Integers: decimal or 0x hex, optionally negative ("-1", "0xffffffff").
// Floats: decimal, hex float (0x1.8p3), inf, -inf, nan, nan:0xPAYLOAD.
// References: null. Errors are InvalidArgument with a message.
Result<Value> parseValue(ValType type, std::string_view text);

// i32/i64 as signed decimal, floats in shortest round-trip form ("nan:0x..."
// for a non-canonical NaN), references as null or ref:0x..., v128 as 0x and 32 hex
// digits, most significant byte first (the form parseValue accepts).
std::string formatValue(const Value &value);

// A count of fuel units given to `flag` (--fuel, --add-fuel): as an i64
// by parseValue, and not negative.
Result<uint64_t> parseFuel(std::string_view text, std::string_view flag);

} // namespace halter::cli
