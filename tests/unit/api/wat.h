// Test helper: WAT text -> wasm bytes via wabt's wat2wasm.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace halter::test {

// Empty on failure (the test then fails on compile()).
std::vector<uint8_t> watToWasm(const std::string &wat, const std::string &flags = "");

} // namespace halter::test
