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

// Pages of [base, base + bytes) that are resident and private to this
// process (written anonymous or copy-on-write pages), from
// /proc/self/pagemap; pages still backed by a file (a memory image) do not
// count. SIZE_MAX when pagemap cannot be read.
size_t privatePages(const uint8_t *base, size_t bytes);

// The process's resident set (VmRSS of /proc/self/status), in bytes.
size_t residentBytes();

} // namespace halter::test
