// Deterministic mutations of a module binary for the robustness test.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace halter::robustness {

struct Mutant {
  std::vector<uint8_t> bytes;
  std::string description; // "bit flip at 0x1f", "section size at 0x9 -> ff ff ff ff 0f", ...
};

// Applies one or two mutations, chosen and placed by `rng`: bit flips,
// truncation, inflated LEB128 counts and sizes, byte insertion, deletion and
// overwrite.
Mutant mutate(const std::vector<uint8_t> &original, std::mt19937_64 &rng);

} // namespace halter::robustness
