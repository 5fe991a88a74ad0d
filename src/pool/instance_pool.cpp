#include "halter/pool.h"

#include <algorithm>
#include <mutex>
#include <thread>
#include <vector>

namespace halter {

namespace {

constexpr const char *kDropNames[] = {
#define HALTER_DROP_NAME(name, text) #name,
    HALTER_DROP_REASONS(HALTER_DROP_NAME)
#undef HALTER_DROP_NAME
};
constexpr const char *kDropTexts[] = {
#define HALTER_DROP_TEXT(name, text) text,
    HALTER_DROP_REASONS(HALTER_DROP_TEXT)
#undef HALTER_DROP_TEXT
};

Error poolClosed() {
  return makeError(ErrorCode::PoolClosed, kNoOffset,
                   "the lease outlived its pool: the instance was freed instead of returned");
}

} // namespace

const char *dropReasonName(DropReason reason) {
  return size_t(reason) < kDropReasons ? kDropNames[size_t(reason)] : "?";
}
const char *dropReasonText(DropReason reason) {
  return size_t(reason) < kDropReasons ? kDropTexts[size_t(reason)] : "?";
}

uint64_t PoolStats::droppedTotal() const {
  uint64_t n = 0;
  for (uint64_t d : dropped) n += d;
  return n;
}

// The pool's state, shared with its leases through weak pointers so that a
// lease can tell whether its pool still exists.
struct Lease::Core {
  struct Warm {
    std::shared_ptr<Instance> instance;
    uint64_t uses = 0;
    Clock::time_point since;
    std::thread::id home; // the thread that returned it
  };

  // How far back lease() looks for an instance its own thread returned: its
  // memory and code are still in that thread's caches (DESIGN §6: ready
  // instances per worker thread).
  static constexpr size_t kHomeScan = 16;

  std::shared_ptr<const Module> module;
  Linker linker;
  PoolOptions options;
  std::shared_ptr<const Snapshot> snapshot; // from options.reset_snapshot

  mutable std::mutex lock;
  std::vector<Warm> warm; // oldest first; leases take their thread's newest, else the newest
  size_t creating = 0;    // instances being made outside the lock
  size_t resetting = 0;   // returned instances being reset, with a warm slot kept
  bool closed = false;
  PoolStats stats;

  // A new instance, its init export run.
  Result<std::shared_ptr<Instance>> make() const {
    // From the snapshot when the pool has one (its memory images shared).
    HALTER_ASSIGN_OR_RETURN(std::shared_ptr<Instance> inst,
                            snapshot ? linker.restore(*snapshot, options.limits)
                                     : linker.instantiate(module, options.limits));
    HALTER_TRY(init(*inst));
    return inst;
  }

  Result<void> init(Instance &inst) const {
    if (options.init_export.empty()) return okResult();
    HALTER_ASSIGN_OR_RETURN(Outcome out, inst.call(options.init_export, {}));
    if (out.returned()) return okResult();
    return makeError(ErrorCode::InstantiationTrap, kNoOffset,
                     "the pool's init export \"" + options.init_export +
                         "\" did not return: " + outcomeKindName(out.kind) +
                         (out.trapped() ? " (" + out.trap.describe() + ")" : std::string()));
  }

  void notePeak() {
    uint64_t live = stats.leased + stats.warm + creating;
    if (live > stats.peak_instances) stats.peak_instances = live;
  }

  // Under the lock: moves out warm instances idle past max_idle (the caller
  // frees them after unlocking).
  void takeExpired(std::vector<std::shared_ptr<Instance>> &out) {
    if (!options.recycle.max_idle || warm.empty()) return;
    Clock::time_point oldest_kept = Clock::now() - *options.recycle.max_idle;
    size_t n = 0;
    while (n < warm.size() && warm[n].since < oldest_kept) ++n;
    for (size_t i = 0; i < n; ++i) out.push_back(std::move(warm[i].instance));
    warm.erase(warm.begin(), warm.begin() + ptrdiff_t(n));
    stats.warm -= n;
    stats.dropped[size_t(DropReason::Idle)] += n;
  }

  std::optional<DropReason> policyDrop(const Instance &inst, uint64_t uses,
                                       const InstanceStats &at_lease, bool discard) const {
    const RecyclePolicy &p = options.recycle;
    InstanceStats now = inst.stats();
    if (discard) return DropReason::Discarded;
    if (p.drop_after_trap && now.traps > at_lease.traps) return DropReason::Trapped;
    if (p.drop_after_limit_stop && now.limit_stops > at_lease.limit_stops)
      return DropReason::LimitStopped;
    if (p.max_memory_bytes != 0 && now.memory_bytes > p.max_memory_bytes)
      return DropReason::MemoryHighWater;
    if (p.max_uses != 0 && uses >= p.max_uses) return DropReason::MaxUses;
    return std::nullopt;
  }

  // A lease's instance back: reset and kept warm, or dropped.
  void giveBack(std::shared_ptr<Instance> inst, uint64_t uses, const InstanceStats &at_lease,
                bool discard) {
    std::optional<DropReason> reason = policyDrop(*inst, uses, at_lease, discard);
    uint64_t memory = inst->stats().memory_bytes;
    {
      std::lock_guard<std::mutex> g(lock);
      if (memory > stats.peak_memory_bytes) stats.peak_memory_bytes = memory;
      if (!reason && closed) reason = DropReason::PoolClosed;
      if (!reason && warm.size() + resetting >= options.max_warm) reason = DropReason::PoolFull;
      if (reason) {
        stats.returned++;
        stats.leased--;
        stats.dropped[size_t(*reason)]++;
        return; // inst is freed after the unlock
      }
      resetting++;
    }
    ResetOptions reset;
    reset.run_start = options.rerun_start;
    if (!inst->reset(reset).ok()) {
      reason = DropReason::ResetFailed;
    } else if (!init(*inst).ok()) {
      reason = DropReason::InitFailed;
    }
    std::lock_guard<std::mutex> g(lock);
    resetting--;
    stats.returned++;
    stats.leased--;
    if (!reason && closed) reason = DropReason::PoolClosed;
    if (reason) {
      stats.dropped[size_t(*reason)]++;
      return;
    }
    stats.resets++;
    warm.push_back(Warm{std::move(inst), uses, Clock::now(), std::this_thread::get_id()});
    stats.warm++;
  }

  // Under the lock, with `warm` not empty: the newest instance this thread
  // returned among the last kHomeScan, else the newest of all.
  Warm takeWarm() {
    const std::thread::id self = std::this_thread::get_id();
    size_t pick = warm.size() - 1;
    for (size_t back = 0; back < std::min(kHomeScan, warm.size()); ++back) {
      if (warm[warm.size() - 1 - back].home == self) {
        pick = warm.size() - 1 - back;
        break;
      }
    }
    Warm w = std::move(warm[pick]);
    warm.erase(warm.begin() + ptrdiff_t(pick));
    return w;
  }
};

Lease::Lease(Lease &&other) noexcept
    : instance_(std::move(other.instance_)), pool_(std::move(other.pool_)), uses_(other.uses_),
      at_lease_(other.at_lease_), discard_(other.discard_) {
  other.instance_.reset();
}

Lease &Lease::operator=(Lease &&other) noexcept {
  if (this != &other) {
    (void)release();
    instance_ = std::move(other.instance_);
    other.instance_.reset();
    pool_ = std::move(other.pool_);
    uses_ = other.uses_;
    at_lease_ = other.at_lease_;
    discard_ = other.discard_;
  }
  return *this;
}

Lease::~Lease() {
  (void)release();
}

Result<void> Lease::release() {
  if (!instance_) return makeError(ErrorCode::InvalidArgument, kNoOffset, "empty lease");
  std::shared_ptr<Instance> inst = std::move(instance_);
  instance_.reset();
  std::shared_ptr<Core> core = pool_.lock();
  pool_.reset();
  if (!core) return poolClosed(); // inst is freed here
  core->giveBack(std::move(inst), uses_, at_lease_, discard_);
  return okResult();
}

InstancePool::InstancePool(std::shared_ptr<Lease::Core> core) : core_(std::move(core)) {}

InstancePool::~InstancePool() {
  std::vector<Lease::Core::Warm> dropped;
  {
    std::lock_guard<std::mutex> g(core_->lock);
    core_->closed = true;
    dropped.swap(core_->warm);
    core_->stats.dropped[size_t(DropReason::PoolClosed)] += dropped.size();
    core_->stats.warm = 0;
  }
}

Result<std::unique_ptr<InstancePool>> InstancePool::create(std::shared_ptr<const Module> module,
                                                           Linker linker, PoolOptions options) {
  if (module == nullptr) return makeError(ErrorCode::InvalidArgument, kNoOffset, "null module");
  if (!options.init_export.empty()) {
    const FuncType *type = module->exportedFuncType(options.init_export);
    if (type == nullptr) {
      return makeError(ErrorCode::InvalidArgument, kNoOffset,
                       "the pool's init export \"" + options.init_export +
                           "\" is not a function export of the module");
    }
    if (!type->params.empty()) {
      return makeError(ErrorCode::InvalidArgument, kNoOffset,
                       "the pool's init export \"" + options.init_export +
                           "\" takes parameters; it is called with none");
    }
  }
  std::shared_ptr<const Snapshot> snapshot;
  if (!options.reset_snapshot.empty()) {
    // Read once: a bad snapshot is the pool's error, not every lease's, and
    // the instances share its memory images.
    HALTER_ASSIGN_OR_RETURN(snapshot, Snapshot::read(module, options.reset_snapshot));
    options.reset_snapshot.clear();
  }
  auto core = std::make_shared<Lease::Core>();
  core->snapshot = std::move(snapshot);
  core->module = std::move(module);
  core->linker = std::move(linker);
  core->options = std::move(options);
  return std::unique_ptr<InstancePool>(new InstancePool(std::move(core)));
}

Result<Lease> InstancePool::lease() {
  Lease::Core &c = *core_;
  std::vector<std::shared_ptr<Instance>> expired; // freed after the unlock
  Lease out;
  out.pool_ = core_;
  {
    std::lock_guard<std::mutex> g(c.lock);
    c.takeExpired(expired);
    if (!c.warm.empty()) {
      Lease::Core::Warm w = c.takeWarm();
      c.stats.warm--;
      c.stats.leases++;
      c.stats.reused++;
      c.stats.leased++;
      out.instance_ = std::move(w.instance);
      out.uses_ = w.uses + 1;
    } else {
      size_t live = c.stats.leased + c.warm.size() + c.creating + c.resetting;
      if (c.options.max_instances != 0 && live >= c.options.max_instances) {
        c.stats.failed_leases++;
        return makeError(ErrorCode::ResourceLimit, kNoOffset,
                         "the pool has its maximum of " + std::to_string(c.options.max_instances) +
                             " instances alive");
      }
      c.creating++;
      c.notePeak();
    }
  }
  if (!out.instance_) {
    Result<std::shared_ptr<Instance>> made = c.make();
    std::lock_guard<std::mutex> g(c.lock);
    c.creating--;
    if (!made.ok()) {
      c.stats.failed_leases++;
      return made.error();
    }
    c.stats.created++;
    c.stats.leases++;
    c.stats.leased++;
    c.notePeak();
    out.instance_ = std::move(*made);
    out.uses_ = 1;
  }
  out.at_lease_ = out.instance_->stats();
  return out;
}

Result<void> InstancePool::prewarm(size_t count) {
  Lease::Core &c = *core_;
  size_t target = std::min(count, c.options.max_warm);
  for (;;) {
    {
      std::lock_guard<std::mutex> g(c.lock);
      if (c.warm.size() + c.creating >= target) return okResult();
      size_t live = c.stats.leased + c.warm.size() + c.creating + c.resetting;
      if (c.options.max_instances != 0 && live >= c.options.max_instances) return okResult();
      c.creating++;
      c.notePeak();
    }
    Result<std::shared_ptr<Instance>> made = c.make();
    std::lock_guard<std::mutex> g(c.lock);
    c.creating--;
    if (!made.ok()) return made.error();
    c.stats.created++;
    c.stats.prewarmed++;
    c.warm.push_back(Lease::Core::Warm{std::move(*made), 0, Clock::now(), {}});
    c.stats.warm++;
  }
}

size_t InstancePool::trimIdle() {
  std::vector<std::shared_ptr<Instance>> expired;
  std::lock_guard<std::mutex> g(core_->lock);
  core_->takeExpired(expired);
  return expired.size(); // freed after the unlock (declared first)
}

PoolStats InstancePool::stats() const {
  std::lock_guard<std::mutex> g(core_->lock);
  return core_->stats;
}

const Module &InstancePool::module() const {
  return *core_->module;
}

} // namespace halter
