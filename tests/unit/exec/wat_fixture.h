// Test helper for the engine tests: WAT text -> instance, via wabt's wat2wasm.
#pragma once

#include "halter/halter.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace halter::test {

// Empty when wat2wasm rejects the text.
std::vector<uint8_t> watToWasm(const std::string &wat);

// Compiles and instantiates `wat` (with `linker` for imports); fails the test
// and returns nullptr on error.
std::shared_ptr<Instance> instantiateWat(const std::string &wat, const Linker &linker = Linker(),
                                         const Limits &config = {});

// Calls `name` and expects it to return; gives the results.
std::vector<Value> callOk(Instance &inst, const std::string &name, std::vector<Value> args = {});
// Calls `name` and expects a trap; gives it.
Trap callTrap(Instance &inst, const std::string &name, std::vector<Value> args = {});

uint32_t callI32(Instance &inst, const std::string &name, std::vector<Value> args = {});
uint64_t callI64(Instance &inst, const std::string &name, std::vector<Value> args = {});

} // namespace halter::test
