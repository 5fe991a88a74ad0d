// A function instance: a guest function of some instance, or a host function.
// A funcref value is a pointer to one of these.
#pragma once

#include "halter/halter.h"

#include <cstdint>
#include <memory>

namespace halter::compile {
struct CompiledFunction;
}

namespace halter::rt {

class Instance;

// Host functions are created by make_shared (importers share them); guest
// functions are owned by their instance.
struct Function : std::enable_shared_from_this<Function> {
  // Interned (see type_registry.h): equal types have equal pointers.
  const FuncType *type = nullptr;
  // Guest functions: the defining instance and its lowered code.
  Instance *instance = nullptr;
  const compile::CompiledFunction *code = nullptr;
  uint32_t func_index = 0; // index in the defining module's function space
  // Host functions (instance == nullptr).
  HostFunction host;
  HostErrors host_errors = HostErrors::Trap;
  std::string host_module; // names for PendingCall (may be empty)
  std::string host_name;

  bool isHost() const { return instance == nullptr; }
};

} // namespace halter::rt
