// Instantiation up to (not including) the start function: allocate memories,
// tables and globals, bind imports, evaluate constant expressions, apply
// active element and data segments (in order, with 2.0 trap semantics).
#pragma once

#include "halter/halter.h"
#include "ir/module.h"
#include "runtime/instance.h"

#include <memory>
#include <span>
#include <vector>

namespace halter::compile {
struct CompiledFunction;
}

namespace halter::rt {

struct ModuleRef {
  std::shared_ptr<const void> owner;
  const ir::Module *ir = nullptr;
  const std::vector<compile::CompiledFunction> *code = nullptr;
};

// `imports` has one resolved Extern per module import, in order; kinds and
// types are checked here (IncompatibleImport). A trap while applying
// segments returns InstantiationTrap, with the instance's effects on shared
// (imported) memories and tables kept. On success the caller runs the start
// function, if any, with the interpreter. The instance belongs to a lifetime
// group (lifetime_group.h), merged with those of the imports that need it;
// the returned pointer shares ownership of that group.
Result<std::shared_ptr<Instance>>
instantiate(const ModuleRef &module, std::span<const Extern> imports, const Limits &config);

} // namespace halter::rt
