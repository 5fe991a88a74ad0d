#include "api/execution_state.h"
#include "api/memory_access.h"
#include "exec/execution_snapshot.h"
#include "halter/halter.h"
#include "runtime/api_access.h"
#include "runtime/instance.h"

namespace halter {

Execution detail::ApiAccess::newExecution(std::shared_ptr<const void> keep_alive,
                                          std::shared_ptr<const void> keep_alive_callee) {
  auto state = std::make_unique<Execution::State>();
  state->keep_alive = std::move(keep_alive);
  state->keep_alive_callee = std::move(keep_alive_callee);
  return Execution(std::move(state));
}

exec::Execution *detail::ApiAccess::engine(const Execution &e) {
  return e.state_ ? &e.state_->ex : nullptr;
}

namespace {

Error emptyExecution() {
  return makeError(ErrorCode::InvalidArgument, kNoOffset,
                   "empty Execution (moved from): it has nothing to run");
}

} // namespace

Execution::Execution(std::unique_ptr<State> state) : state_(std::move(state)) {}
Execution::Execution(Execution &&) noexcept = default;
Execution &Execution::operator=(Execution &&) noexcept = default;
Execution::~Execution() = default;

Result<std::vector<uint8_t>> Execution::snapshot(const SnapshotOptions &options) const {
  if (!state_) return emptyExecution();
  return exec::writeExecutionSnapshot(state_->ex, options.compress, options.host_state);
}

Result<Outcome> Execution::run() {
  if (!state_) return emptyExecution();
  HALTER_TRY(state_->ex.run());
  return state_->ex.out;
}

bool Execution::paused() const {
  return state_ && state_->ex.paused();
}

bool Execution::suspended() const {
  return state_ && state_->ex.suspended();
}

Result<void> Execution::resume(std::span<const Value> results) {
  if (!state_) return emptyExecution();
  return state_->ex.resume(results);
}

Result<void> Execution::resumeWithError(std::string message, int32_t code) {
  if (!state_) return emptyExecution();
  return state_->ex.resumeWithError(std::move(message), code);
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
  HALTER_ASSIGN_OR_RETURN(std::span<uint8_t> memory,
                          runningMemory(detail::ApiAccess::engine(*this)));
  return api::readGuest(memory, addr, out);
}

Result<void> Execution::writeMemory(uint64_t addr, std::span<const uint8_t> in) const {
  HALTER_ASSIGN_OR_RETURN(std::span<uint8_t> memory,
                          runningMemory(detail::ApiAccess::engine(*this)));
  return api::writeGuest(memory, addr, in);
}

bool Execution::finished() const {
  return !state_ || state_->ex.finished();
}

bool Execution::empty() const {
  return !state_;
}

void Execution::addFuel(uint64_t units) {
  if (state_) state_->ex.addFuel(units);
}

uint64_t Execution::fuelLeft() const {
  return state_ ? state_->ex.fuelLeft() : 0;
}

const RunStats &Execution::stats() const {
  static const RunStats kNoStats;
  return state_ ? state_->ex.stats() : kNoStats;
}

void Execution::cancel() {
  if (state_) state_->ex.cancelToken().cancel();
}

} // namespace halter
