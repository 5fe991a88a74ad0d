// Test helpers: WAT text -> wasm bytes via wabt's wat2wasm, and -> an instance.
#pragma once

#include "halter/halter.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace halter::test {

// Empty on failure (the test then fails on compile()).
std::vector<uint8_t> watToWasm(const std::string &wat, const std::string &flags = "");

// Compiles and instantiates `wat`; null (with a test failure) on any error.
std::shared_ptr<Instance> instantiate(const std::string &wat, const Linker &linker = Linker());

} // namespace halter::test
