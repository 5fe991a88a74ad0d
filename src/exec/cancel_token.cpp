#include "exec/cancel_token.h"

#include "runtime/api_access.h"

#include <algorithm>
#include <mutex>
#include <vector>

namespace halter {

struct CancelToken::State {
  std::mutex mutex;
  bool cancelled = false;
  std::vector<exec::Interrupt *> attached;
};

CancelToken CancelToken::create() {
  CancelToken token;
  detail::ApiAccess::setCancelState(token, std::make_shared<State>());
  return token;
}

void CancelToken::cancel() const {
  if (!state_) return;
  std::lock_guard<std::mutex> lock(state_->mutex);
  state_->cancelled = true;
  for (exec::Interrupt *i : state_->attached) i->raise(exec::Interrupt::kCancel);
}

bool CancelToken::cancelled() const {
  if (!state_) return false;
  std::lock_guard<std::mutex> lock(state_->mutex);
  return state_->cancelled;
}

namespace exec {

void attachCancel(const CancelToken &token, Interrupt *interrupt) {
  const auto &state = detail::ApiAccess::cancelState(token);
  if (!state) return;
  std::lock_guard<std::mutex> lock(state->mutex);
  state->attached.push_back(interrupt);
  if (state->cancelled) interrupt->raise(Interrupt::kCancel);
}

void detachCancel(const CancelToken &token, Interrupt *interrupt) {
  const auto &state = detail::ApiAccess::cancelState(token);
  if (!state) return;
  std::lock_guard<std::mutex> lock(state->mutex);
  auto &v = state->attached;
  v.erase(std::remove(v.begin(), v.end(), interrupt), v.end());
}

} // namespace exec
} // namespace halter
