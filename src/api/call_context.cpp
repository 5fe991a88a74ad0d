#include "api/memory_access.h"
#include "exec/interrupt.h"
#include "halter/halter.h"
#include "runtime/api_access.h"
#include "runtime/instance.h"

#include <thread>

namespace halter {
namespace {

const rt::Memory *callerMemory(const CallContext &ctx) {
  const rt::Instance *caller = detail::ApiAccess::callerInstance(ctx);
  return caller != nullptr ? caller->memory0 : nullptr;
}

} // namespace

std::span<uint8_t> CallContext::memory() const {
  const rt::Memory *mem = callerMemory(*this);
  if (mem == nullptr) return {};
  return std::span<uint8_t>(mem->data(), mem->sizeBytes());
}

Result<void> CallContext::read(uint64_t addr, std::span<uint8_t> out) const {
  if (callerMemory(*this) == nullptr)
    return makeError(ErrorCode::InvalidArgument, kNoOffset, "the caller has no memory");
  return api::readGuest(memory(), addr, out);
}

Result<void> CallContext::write(uint64_t addr, std::span<const uint8_t> in) const {
  if (callerMemory(*this) == nullptr)
    return makeError(ErrorCode::InvalidArgument, kNoOffset, "the caller has no memory");
  return api::writeGuest(memory(), addr, in);
}

bool CallContext::interrupted() const {
  exec::Interrupt *interrupt = detail::ApiAccess::interrupt(*this);
  if (interrupt == nullptr) return false;
  if (interrupt->raised()) return true;
  // A host function may see the deadline pass before the timer thread does:
  // raise it here, so that the execution ends whatever the host answers.
  if (deadline_ && Clock::now() >= *deadline_) {
    interrupt->raise(exec::Interrupt::kDeadline);
    return true;
  }
  return false;
}

int CallContext::interruptFd() const {
  exec::Interrupt *interrupt = detail::ApiAccess::interrupt(*this);
  return interrupt != nullptr ? interrupt->wakeFd() : -1;
}

bool CallContext::waitUntil(Clock::time_point until) const {
  exec::Interrupt *interrupt = detail::ApiAccess::interrupt(*this);
  Clock::time_point stop = until;
  if (deadline_ && *deadline_ < stop) stop = *deadline_;
  if (interrupt != nullptr)
    interrupt->waitUntil(stop);
  else
    std::this_thread::sleep_until(stop);
  Clock::time_point now = Clock::now();
  // Woken by the deadline itself: raise it now rather than leave the guest
  // to run until the timer thread gets there.
  if (deadline_ && now >= *deadline_ && interrupt != nullptr)
    interrupt->raise(exec::Interrupt::kDeadline);
  return !interrupted() && now >= until;
}

} // namespace halter
