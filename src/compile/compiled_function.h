// A function body lowered to internal register code (DESIGN §3.2).
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace halter::compile {

// The layout of `code` is private to compile/ and exec/: see
// compile/register_code.h. Slots are 8 bytes; a frame is
// [params][declared locals][operand stack temporaries].
struct CompiledFunction {
  // Two lowerings of one body: `code` for unmetered runs, `metered_code` with
  // a Fuel instruction at the head of every basic block (DESIGN §3.3: with
  // fuel off the fuel test is not in the code at all).
  std::vector<uint64_t> code;
  std::vector<uint64_t> metered_code;
  uint32_t type_index = 0;
  uint32_t num_param_slots = 0;
  uint32_t num_local_slots = 0; // params + declared locals
  uint32_t frame_slots = 0;     // everything the frame needs, temporaries included
  uint32_t num_result_slots = 0;
  // (code index, wasm byte offset) pairs, ascending by code index, for backtraces.
  std::vector<std::pair<uint32_t, uint32_t>> source_map;
  std::vector<std::pair<uint32_t, uint32_t>> metered_source_map;
  // When metered_code starts with a Fuel instruction, a call pays its cost
  // (entry_fuel) and enters past it (metered_entry words in); else 0 and 0.
  uint32_t entry_fuel = 0;
  uint32_t metered_entry = 0;

  const std::vector<uint64_t> &codeFor(bool metered) const { return metered ? metered_code : code; }
  const std::vector<std::pair<uint32_t, uint32_t>> &sourceMapFor(bool metered) const {
    return metered ? metered_source_map : source_map;
  }
};

} // namespace halter::compile
