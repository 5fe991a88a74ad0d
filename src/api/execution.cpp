#include "exec/execution.h"
#include "halter/halter.h"

namespace halter {

Execution::Execution(std::unique_ptr<exec::Execution> impl) : impl_(std::move(impl)) {}
Execution::Execution(Execution &&) noexcept = default;
Execution &Execution::operator=(Execution &&) noexcept = default;
Execution::~Execution() = default;

Outcome Execution::run() {
  return impl_->run();
}

bool Execution::paused() const {
  return impl_->paused();
}

bool Execution::suspended() const {
  return impl_->suspended();
}

Result<void> Execution::resume(std::span<const Value> results) {
  return impl_->resume(results);
}

Result<void> Execution::resumeWithError(std::string message, int32_t code) {
  return impl_->resumeWithError(std::move(message), code);
}

bool Execution::finished() const {
  return impl_->finished();
}

void Execution::addFuel(uint64_t units) {
  impl_->addFuel(units);
}

uint64_t Execution::fuelLeft() const {
  return impl_->fuelLeft();
}

const RunStats &Execution::stats() const {
  return impl_->stats();
}

void Execution::cancel() {
  impl_->cancelToken().cancel();
}

} // namespace halter
