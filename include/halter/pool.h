// Instance pools: lease an instance of one module, use it, give it back;
// the pool resets it (Instance::reset) and hands it out again, or drops it
// as its recycle policy says (README "Pools and reset").
#pragma once

#include "halter/halter.h"

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace halter {

// Why the pool dropped an instance instead of keeping it warm.
#define HALTER_DROP_REASONS(X)                                                                     \
  X(MaxUses, "served RecyclePolicy::max_uses leases")                                              \
  X(Trapped, "trapped during its lease (poisoned)")                                                \
  X(LimitStopped, "stopped by fuel, a deadline or a cancel during its lease")                      \
  X(MemoryHighWater, "its memory grew above RecyclePolicy::max_memory_bytes")                      \
  X(Discarded, "its lease asked for it (Lease::discard)")                                          \
  X(ResetFailed, "Instance::reset failed (a parked execution, for one)")                           \
  X(InitFailed, "the init export did not return after a reset")                                    \
  X(PoolFull, "PoolOptions::max_warm instances were already warm")                                 \
  X(Idle, "warm longer than RecyclePolicy::max_idle")                                              \
  X(PoolClosed, "returned after its pool was destroyed")

enum class DropReason : uint8_t {
#define HALTER_DROP_ENUM(name, text) name,
  HALTER_DROP_REASONS(HALTER_DROP_ENUM)
#undef HALTER_DROP_ENUM
};
inline constexpr size_t kDropReasons = 0
#define HALTER_DROP_COUNT(name, text) +1
    HALTER_DROP_REASONS(HALTER_DROP_COUNT)
#undef HALTER_DROP_COUNT
    ;
const char *dropReasonName(DropReason reason); // "MaxUses", ...
const char *dropReasonText(DropReason reason); // the description above

// When a returned instance is dropped rather than reset and reused. A
// reset is complete either way (DESIGN §6); dropping bounds what a guest
// can make an instance cost (memory, state in imported objects) and what a
// misbehaving guest can carry from one lease to the next.
struct RecyclePolicy {
  uint64_t max_uses = 0;                   // leases an instance serves (0: no limit)
  bool drop_after_trap = true;             // a trap during the lease poisons it
  bool drop_after_limit_stop = false;      // so does running out of fuel, a deadline, a cancel
  uint64_t max_memory_bytes = 0;           // memory high-water mark (0: none)
  std::optional<Clock::duration> max_idle; // warm instances older than this are dropped
};

struct PoolOptions {
  // The limits every instance gets (Linker::instantiate; Instance::limits).
  Limits limits;
  RecyclePolicy recycle;
  // Warm instances kept for the next leases; more returned are dropped.
  size_t max_warm = 64;
  // Instances alive at once, leased and warm (0: no limit); lease() past
  // it fails with ResourceLimit instead of creating one.
  size_t max_instances = 0;
  // An export called with no arguments after instantiation and after each
  // reset (its results are ignored): the state it leaves is what a lease
  // gets. Empty: none.
  std::string init_export;
  // Runs the start function again on reset (ResetOptions::run_start).
  bool rerun_start = false;
  // A snapshot (Instance::snapshot) of an instance of the pool's module:
  // every instance is restored from it (Linker::restore) instead of
  // instantiated, and reset back to it, so a lease starts from the state
  // after an expensive init without running it. Checked when the pool is
  // made. Empty: instances start from the module.
  std::vector<uint8_t> reset_snapshot;
};

struct PoolStats {
  uint64_t leases = 0;        // successful lease() calls
  uint64_t failed_leases = 0; // lease() errors: instantiation, init, max_instances
  uint64_t reused = 0;        // leases served by a warm instance
  uint64_t created = 0;       // instances made (by lease() or prewarm())
  uint64_t prewarmed = 0;     // of those, by prewarm()
  uint64_t returned = 0;      // leases given back
  uint64_t resets = 0;        // returned instances reset and kept warm
  std::array<uint64_t, kDropReasons> dropped{}; // by DropReason
  uint64_t leased = 0;                          // now
  uint64_t warm = 0;                            // now
  uint64_t peak_instances = 0;                  // most leased + warm at once
  uint64_t peak_memory_bytes = 0;               // largest instance memory seen on return
  uint64_t droppedTotal() const;
  uint64_t droppedFor(DropReason r) const { return dropped[size_t(r)]; }
};

class InstancePool;

// One instance on loan from a pool. Destroying (or release()-ing) the
// lease gives the instance back. Move-only; a moved-from lease is empty.
// The instance is the lease's alone: do not keep references to it (or to
// Externs taken from it) past the lease, since the pool resets it and
// lends it to someone else.
class Lease {
public:
  Lease() = default;
  Lease(Lease &&) noexcept;
  Lease &operator=(Lease &&) noexcept; // returns the lease it replaces
  ~Lease();

  explicit operator bool() const { return instance_ != nullptr; }
  Instance &instance() const { return *instance_; }
  Instance *operator->() const { return instance_.get(); }
  // Leases this instance has served, this one included.
  uint64_t uses() const { return uses_; }
  // Drop the instance when it comes back instead of reusing it.
  void discard() { discard_ = true; }
  // Gives the instance back now (the destructor does the same). Errors:
  // InvalidArgument for an empty lease; PoolClosed when the pool was
  // destroyed first (the instance is freed: a lease may outlive its pool,
  // and its instance stays valid until then).
  Result<void> release();

private:
  friend class InstancePool;
  struct Core;
  std::shared_ptr<Instance> instance_;
  std::weak_ptr<Core> pool_;
  uint64_t uses_ = 0;
  InstanceStats at_lease_{};
  bool discard_ = false;
};

// Thread-safe: any number of threads may lease and return at once.
class InstancePool {
public:
  // `linker` resolves the module's imports for every instance (host
  // functions are shared by all of them). Errors: InvalidArgument for a
  // null module or an init_export that is not a function export.
  static Result<std::unique_ptr<InstancePool>> create(std::shared_ptr<const Module> module,
                                                      Linker linker, PoolOptions options = {});
  // Drops the warm instances. Leases still out keep their instance until
  // they end; their release() then answers PoolClosed.
  ~InstancePool();
  InstancePool(const InstancePool &) = delete;
  InstancePool &operator=(const InstancePool &) = delete;

  // A warm instance, or a new one. Of the warm ones, the most recently
  // returned by the calling thread (its memory is still in that core's
  // caches), else the most recently returned.
  Result<Lease> lease();
  // Makes instances until `count` are warm (at most max_warm).
  Result<void> prewarm(size_t count);
  // Drops warm instances idle longer than RecyclePolicy::max_idle (lease()
  // and returns do it too); how many were dropped.
  size_t trimIdle();
  PoolStats stats() const;
  const Module &module() const;

private:
  explicit InstancePool(std::shared_ptr<Lease::Core> core);
  std::shared_ptr<Lease::Core> core_;
};

} // namespace halter
