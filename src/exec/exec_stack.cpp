#include "exec/frame.h"

#include <algorithm>
#include <new>

namespace halter::exec {
namespace {

constexpr size_t kInitialFrames = 256;
constexpr size_t kMaxPooled = 4;

struct StackPool {
  std::vector<std::unique_ptr<ExecStack>> free;
};

thread_local StackPool t_pool;

} // namespace

ExecStack *acquireStack(uint64_t stack_bytes) {
  std::unique_ptr<ExecStack> s;
  if (!t_pool.free.empty()) {
    s = std::move(t_pool.free.back());
    t_pool.free.pop_back();
  } else {
    s = std::make_unique<ExecStack>();
    s->frames.resize(kInitialFrames);
  }
  uint64_t want = std::max<uint64_t>((stack_bytes + 7) / 8, 1);
  if (s->slot_count < want) {
    // Untouched pages of a large allocation cost nothing until used.
    s->slots.reset(new (std::nothrow) uint64_t[want]);
    s->slot_count = s->slots ? want : 0;
    if (!s->slots) {
      t_pool.free.push_back(std::move(s));
      return nullptr;
    }
  }
  s->interrupt.reset();
  return s.release();
}

void releaseStack(ExecStack *stack) {
  std::unique_ptr<ExecStack> s(stack);
  if (t_pool.free.size() < kMaxPooled) t_pool.free.push_back(std::move(s));
}

} // namespace halter::exec
