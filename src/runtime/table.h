// A table of references (funcref: rt::Function*, externref: host pointer; null is nullptr).
#pragma once

#include "halter/result.h"
#include "halter/types.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

namespace halter::rt {

class Table : public std::enable_shared_from_this<Table> {
public:
  // `cap_elements` limits growth below the type's maximum (0 = no cap).
  static Result<std::shared_ptr<Table>> create(const TableType &type, RefPtr init,
                                               uint64_t cap_elements = 0);

  uint32_t size() const { return uint32_t(elems_.size()); }
  const TableType &type() const { return type_; } // limits.min is the current size
  // Returns the old size, or -1 when the maximum or cap refuses.
  // `*cap_refused` is set when the type's maximum allowed the grow but the
  // cap (or `extra_cap`, a lower per-call cap) did not. A large grow fills
  // in chunks and tests `interrupt` (when given) between them; when it is
  // raised the table keeps its old size and the answer is kInterrupted.
  static constexpr int64_t kInterrupted = -2;
  int64_t grow(uint32_t delta, RefPtr init, bool *cap_refused = nullptr,
               uint64_t extra_cap = UINT64_MAX, const std::atomic<uint32_t> *interrupt = nullptr);

  // Back to `size` elements of `init`; the storage of a larger table is
  // given back.
  void resetTo(uint32_t size, RefPtr init);

  std::vector<RefPtr> elems_;

private:
  TableType type_;
  uint64_t max_elements_ = 0;      // effective: min(type max, cap)
  uint64_t type_max_elements_ = 0; // min(type max, 2^32 - 1)
};

} // namespace halter::rt
