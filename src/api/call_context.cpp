#include "api/memory_access.h"
#include "exec/interrupt.h"
#include "halter/halter.h"
#include "runtime/instance.h"

#include <thread>

namespace halter {

std::span<uint8_t> CallContext::memory() const {
  if (caller_ == nullptr || caller_->memory0 == nullptr) return {};
  return std::span<uint8_t>(caller_->memory0->data(), caller_->memory0->sizeBytes());
}

Result<void> CallContext::read(uint64_t addr, std::span<uint8_t> out) const {
  if (caller_ == nullptr || caller_->memory0 == nullptr)
    return makeError(ErrorCode::InvalidArgument, kNoOffset, "the caller has no memory");
  return api::readGuest(memory(), addr, out);
}

Result<void> CallContext::write(uint64_t addr, std::span<const uint8_t> in) const {
  if (caller_ == nullptr || caller_->memory0 == nullptr)
    return makeError(ErrorCode::InvalidArgument, kNoOffset, "the caller has no memory");
  return api::writeGuest(memory(), addr, in);
}

bool CallContext::interrupted() const {
  if (interrupt_ == nullptr) return false;
  if (interrupt_->raised()) return true;
  // A host function may see the deadline pass before the timer thread does:
  // raise it here, so that the execution ends whatever the host answers.
  if (deadline_ && Clock::now() >= *deadline_) {
    interrupt_->raise(exec::Interrupt::kDeadline);
    return true;
  }
  return false;
}

int CallContext::interruptFd() const {
  return interrupt_ != nullptr ? interrupt_->wakeFd() : -1;
}

bool CallContext::waitUntil(Clock::time_point until) const {
  Clock::time_point stop = until;
  if (deadline_ && *deadline_ < stop) stop = *deadline_;
  if (interrupt_ != nullptr)
    interrupt_->waitUntil(stop);
  else
    std::this_thread::sleep_until(stop);
  Clock::time_point now = Clock::now();
  // Woken by the deadline itself: raise it now rather than leave the guest
  // to run until the timer thread gets there.
  if (deadline_ && now >= *deadline_ && interrupt_ != nullptr)
    interrupt_->raise(exec::Interrupt::kDeadline);
  return !interrupted() && now >= until;
}

} // namespace halter
