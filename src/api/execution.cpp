#include "exec/execution.h"
#include "api/memory_access.h"
#include "halter/halter.h"
#include "runtime/api_access.h"
#include "runtime/instance.h"

namespace halter {

Execution detail::ApiAccess::makeExecution(std::unique_ptr<exec::Execution> impl,
                                           std::shared_ptr<const void> keep_alive,
                                           std::shared_ptr<const void> keep_alive_callee) {
  return Execution(std::move(impl), std::move(keep_alive), std::move(keep_alive_callee));
}

namespace {

Error emptyExecution() {
  return makeError(ErrorCode::InvalidArgument, kNoOffset,
                   "empty Execution (moved from): it has nothing to run");
}

} // namespace

Execution::Execution(std::unique_ptr<exec::Execution> impl, std::shared_ptr<const void> keep_alive,
                     std::shared_ptr<const void> keep_alive_callee)
    : keep_alive_(std::move(keep_alive)), keep_alive_callee_(std::move(keep_alive_callee)),
      impl_(std::move(impl)) {}
Execution::Execution(Execution &&) noexcept = default;
Execution &Execution::operator=(Execution &&other) noexcept {
  if (this == &other) return *this;
  impl_.reset(); // before what it runs on
  keep_alive_ = std::move(other.keep_alive_);
  keep_alive_callee_ = std::move(other.keep_alive_callee_);
  impl_ = std::move(other.impl_);
  return *this;
}
Execution::~Execution() = default;

Result<Outcome> Execution::run() {
  if (!impl_) return emptyExecution();
  HALTER_TRY(impl_->run());
  return impl_->out;
}

bool Execution::paused() const {
  return impl_ && impl_->paused();
}

bool Execution::suspended() const {
  return impl_ && impl_->suspended();
}

Result<void> Execution::resume(std::span<const Value> results) {
  if (!impl_) return emptyExecution();
  return impl_->resume(results);
}

Result<void> Execution::resumeWithError(std::string message, int32_t code) {
  if (!impl_) return emptyExecution();
  return impl_->resumeWithError(std::move(message), code);
}

namespace {

// Memory 0 of the instance whose code `ex` is in, or an error.
Result<std::span<uint8_t>> runningMemory(const exec::Execution *ex) {
  if (ex == nullptr) return makeError(ErrorCode::InvalidArgument, kNoOffset, "empty Execution");
  if (ex->finished())
    return makeError(ErrorCode::ExecutionFinished, kNoOffset, "the execution has finished");
  const rt::Instance *inst = ex->cur != nullptr ? ex->cur->instance : nullptr;
  if (inst == nullptr || inst->memory0 == nullptr)
    return makeError(ErrorCode::InvalidArgument, kNoOffset,
                     "the instance the execution is in has no memory");
  return std::span<uint8_t>(inst->memory0->data(), inst->memory0->sizeBytes());
}

} // namespace

Result<void> Execution::readMemory(uint64_t addr, std::span<uint8_t> out) const {
  HALTER_ASSIGN_OR_RETURN(std::span<uint8_t> memory, runningMemory(impl_.get()));
  return api::readGuest(memory, addr, out);
}

Result<void> Execution::writeMemory(uint64_t addr, std::span<const uint8_t> in) const {
  HALTER_ASSIGN_OR_RETURN(std::span<uint8_t> memory, runningMemory(impl_.get()));
  return api::writeGuest(memory, addr, in);
}

bool Execution::finished() const {
  return !impl_ || impl_->finished();
}

bool Execution::empty() const {
  return !impl_;
}

void Execution::addFuel(uint64_t units) {
  if (impl_) impl_->addFuel(units);
}

uint64_t Execution::fuelLeft() const {
  return impl_ ? impl_->fuelLeft() : 0;
}

const RunStats &Execution::stats() const {
  static const RunStats kNoStats;
  return impl_ ? impl_->stats() : kNoStats;
}

void Execution::cancel() {
  if (impl_) impl_->cancelToken().cancel();
}

} // namespace halter
