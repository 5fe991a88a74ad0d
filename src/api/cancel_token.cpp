#include "exec/interrupt.h"
#include "halter/limits.h"

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
  token.state_ = std::make_shared<State>();
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

void CancelToken::attach(exec::Interrupt *interrupt) const {
  if (!state_) return;
  std::lock_guard<std::mutex> lock(state_->mutex);
  state_->attached.push_back(interrupt);
  if (state_->cancelled) interrupt->raise(exec::Interrupt::kCancel);
}

void CancelToken::detach(exec::Interrupt *interrupt) const {
  if (!state_) return;
  std::lock_guard<std::mutex> lock(state_->mutex);
  auto &v = state_->attached;
  v.erase(std::remove(v.begin(), v.end(), interrupt), v.end());
}

} // namespace halter
