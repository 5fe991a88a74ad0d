// Pre-initialisation (as Wizer does for wasmtime): run a module's init
// function once and write a standard module that starts in the state it
// left, runnable by any engine (README "Pre-initialisation").
#pragma once

#include "halter/halter.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace halter {

struct PreinitOptions {
  // The exported function to run, of type () -> (). Wizer's convention.
  std::string init_func = "wizer.initialize";
  // Limits of the instance and of its start function and init function.
  // Fuel is a budget for each of the two runs; a timeout is one deadline
  // counted from the start of preinitialize, over both.
  Limits limits;
  CancelToken cancel;
};

// Instantiates `module` with `linker`'s imports (its start function runs),
// calls `options.init_func`, and returns the bytes of a module whose
// memories, globals and tables start as that instance was left: memory and
// table minimums are their current sizes, globals are initialised to their
// current values, the active data and element segments are rebuilt from
// the contents, segments dropped during init are empty (element segments
// stay as declarative ones, so ref.func stays declared), the start section
// and the init export are gone. Every index the code uses means what it
// meant; other sections (code, names, custom) are copied as they were.
// Errors, each saying what and where:
// - NotFound: no function export named init_func; InvalidArgument when its
//   type is not () -> ();
// - InvalidArgument: state that lives outside the module (an imported
//   memory, table or mutable global), state the binary format cannot say
//   (a non-null externref, a function the module neither defines nor
//   imports, a v128 global), or an init function that suspended in a host
//   call;
// - instantiate's errors (link, start function);
// - Trapped, OutOfFuel, DeadlineExceeded, Cancelled, Exited: how the init
//   function failed.
Result<std::vector<uint8_t>> preinitialize(const Linker &linker,
                                           std::shared_ptr<const Module> module,
                                           const PreinitOptions &options = {});

} // namespace halter
