// Instantiation up to (not including) the start function: allocate memories,
// tables and globals, bind imports, evaluate constant expressions, apply
// active element and data segments (in order, with 2.0 trap semantics).
#pragma once

#include "compile/compiled_module.h"
#include "halter/halter.h"
#include "runtime/instance.h"

#include <memory>
#include <span>
#include <vector>

namespace halter::rt {

// `imports` has one resolved Extern per module import, in order; kinds and
// types are checked here (IncompatibleImport). A trap while applying
// segments returns InstantiationTrap, with the instance's effects on shared
// (imported) memories and tables kept. On success the caller runs the start
// function, if any, with the interpreter. The instance belongs to a lifetime
// group (lifetime_group.h), merged with those of the imports that need it;
// the returned pointer shares ownership of that group.
Result<std::shared_ptr<Instance>> instantiate(std::shared_ptr<const compile::CompiledModule> module,
                                              std::span<const Extern> imports,
                                              const Limits &config);

// The steps of instantiation after the imports are bound and the module's
// functions, tables and memories exist, in the order instantiate runs them;
// each can run again on an instance of inst.module (a reset).
// The module's own globals from their initialisers: created the first
// time, set again on later runs.
Result<void> initGlobals(Instance &inst);
// Element segments evaluated to references; no data segment dropped.
Result<void> resolveSegments(Instance &inst);
// Active element then data segments written into their tables and
// memories and then dropped (InstantiationTrap when one does not fit).
Result<void> applyActiveSegments(Instance &inst);

// Back to the state instantiate left (before any start function): the
// instance's own memories at their initial size and content (they shrink),
// its own tables at their initial size, all null, then globals, segments
// and active segments as instantiate sets them. Imported objects belong to
// their exporter and are not reset, but active segments are written into
// them again, as a new instance with the same imports would. The caller
// makes sure no execution of the instance runs or is parked.
Result<void> resetInstance(Instance &inst);

} // namespace halter::rt
