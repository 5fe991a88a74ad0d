#include "halter/halter.h"
#include "runtime/instance.h"

namespace halter {

std::span<uint8_t> CallContext::memory() const {
  if (caller_ == nullptr || caller_->memory0 == nullptr) return {};
  return std::span<uint8_t>(caller_->memory0->data(), caller_->memory0->sizeBytes());
}

} // namespace halter
