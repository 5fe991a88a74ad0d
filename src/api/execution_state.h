// What a public Execution holds: the engine's execution and what it runs on.
#pragma once

#include "exec/execution.h"
#include "halter/halter.h"

#include <memory>

namespace halter {

struct Execution::State {
  // Declared before `ex`: destroyed after it.
  std::shared_ptr<const void> keep_alive;
  std::shared_ptr<const void> keep_alive_callee;
  exec::Execution ex;
};

} // namespace halter
