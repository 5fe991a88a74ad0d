// A function body and its lowerings to internal register code (DESIGN §3.2),
// made on first call (lazy lowering, DESIGN §3.5).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace halter::compile {

struct CompiledModule;

// One lowering of a body: unmetered, or metered with a Fuel instruction at
// the head of every basic block (DESIGN §3.3: with fuel off the fuel test is
// not in the code at all). The layout of `code` is private to compile/ and
// exec/: see compile/register_code.h. Slots are 8 bytes; a frame is
// [params][declared locals][operand stack temporaries].
struct LoweredCode {
  std::vector<uint64_t> code;
  // (code index, wasm byte offset) pairs, ascending by code index, for backtraces.
  std::vector<std::pair<uint32_t, uint32_t>> source_map;
  uint32_t frame_slots = 0; // everything the frame needs, temporaries included
  // When metered code starts with a Fuel instruction, a call pays its cost
  // (entry_fuel) and enters past it (entry_offset words in); else 0 and 0.
  uint32_t entry_fuel = 0;
  uint32_t entry_offset = 0;
};

// The two lowerings a function can have.
enum class Form : uint8_t { Plain = 0, Metered = 1 };
inline Form formFor(bool metered) {
  return metered ? Form::Metered : Form::Plain;
}

// A defined function of a compiled module. Its frame shape is known from
// validation; each form of its code is lowered once, by the first call that
// needs it (exec::lowerOnCall), and published through `entry` so that a
// call reads what it needs without a lock. Instances share it, so the lazily
// filled part is mutable.
struct CompiledFunction {
  // What a call of one form reads. `entry` is null until the form is
  // lowered, and it is stored last (release): a reader that loads it
  // non-null (acquire) sees `frame_slots`, `entry_fuel` and `lowered`.
  struct Published {
    std::atomic<const uint64_t *> entry{nullptr};
    uint32_t frame_slots = 0;
    uint32_t entry_fuel = 0;
    std::unique_ptr<const LoweredCode> lowered;
  };

  const CompiledModule *module = nullptr;
  uint32_t defined_index = 0; // among the module's defined functions
  uint32_t type_index = 0;
  uint32_t num_param_slots = 0;
  uint32_t num_local_slots = 0; // params + declared locals
  uint32_t num_result_slots = 0;

  // Null until `form` is lowered. The code is threaded once published.
  const LoweredCode *lowered(Form form) const {
    const Published &p = published_[size_t(form)];
    return p.entry.load(std::memory_order_acquire) != nullptr ? p.lowered.get() : nullptr;
  }
  const Published &published(Form form) const { return published_[size_t(form)]; }
  // Makes `code` (threaded, or runnable as it is) the function's `form`, once:
  // the caller holds the module's lowering lock and has seen it unpublished.
  void publish(Form form, std::unique_ptr<const LoweredCode> code) const;

private:
  mutable Published published_[2];
};

} // namespace halter::compile
