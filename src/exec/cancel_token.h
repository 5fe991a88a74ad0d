// How executions subscribe to a CancelToken (limits.h): while attached, a
// cancel raises the execution's interrupt word.
#pragma once

#include "exec/interrupt.h"
#include "halter/limits.h"

namespace halter::exec {

// Raises `interrupt` at once when the token is cancelled already.
void attachCancel(const CancelToken &token, Interrupt *interrupt);
void detachCancel(const CancelToken &token, Interrupt *interrupt);

} // namespace halter::exec
