// The one engine thread that serves every deadline (DESIGN §3.3, §4): it
// sleeps until the earliest registered deadline and raises the kDeadline bit
// of that execution's interrupt word. Started on first use.
#pragma once

#include "exec/interrupt.h"

#include <cstdint>

namespace halter::exec {

using TimerId = uint64_t;

// Raises Interrupt::kDeadline on `interrupt` at `when` (at once when `when`
// has passed). The interrupt must stay alive until cancelDeadline(id)
// returns.
TimerId scheduleDeadline(Clock::time_point when, Interrupt *interrupt);
// After this returns the timer no longer touches the interrupt.
void cancelDeadline(TimerId id);

} // namespace halter::exec
