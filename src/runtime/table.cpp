#include "runtime/table.h"

#include "runtime/bulk.h"

#include <algorithm>

namespace halter::rt {

namespace {
// Keeps a guest from allocating unbounded host memory through table.grow.
constexpr uint64_t kDefaultMaxElements = 10'000'000;
} // namespace

Result<std::shared_ptr<Table>> Table::create(const TableType &type, RefPtr init,
                                             uint64_t cap_elements) {
  uint64_t type_max = std::min<uint64_t>(type.limits.max.value_or(UINT32_MAX), UINT32_MAX);
  uint64_t max = std::min(type_max, cap_elements != 0 ? cap_elements : kDefaultMaxElements);
  if (type.limits.min > max) {
    return makeError(ErrorCode::ResourceLimit, kNoOffset,
                     "table of " + std::to_string(type.limits.min) +
                         " elements exceeds the limit of " + std::to_string(max) + " elements");
  }
  std::shared_ptr<Table> table(new Table());
  table->type_ = type;
  table->max_elements_ = max;
  table->type_max_elements_ = type_max;
  table->elems_.assign(type.limits.min, init);
  return table;
}

void Table::resetTo(uint32_t size, RefPtr init) {
  bool shrink = elems_.capacity() > size;
  elems_.assign(size, init);
  if (shrink) elems_.shrink_to_fit();
  type_.limits.min = size;
}

int64_t Table::grow(uint32_t delta, RefPtr init, bool *cap_refused, uint64_t extra_cap,
                    const std::atomic<uint32_t> *interrupt) {
  uint64_t old_size = elems_.size();
  uint64_t max = max_elements_;
  if (extra_cap < max) max = extra_cap;
  if (old_size > max || delta > max - old_size) {
    if (cap_refused != nullptr && delta <= type_max_elements_ - old_size) *cap_refused = true;
    return -1;
  }
  for (uint64_t k = 0; k < delta; k += kBulkChunkElems) {
    if (k != 0 && interruptRaised(interrupt)) {
      elems_.resize(old_size);
      return kInterrupted;
    }
    elems_.resize(old_size + std::min<uint64_t>(delta, k + kBulkChunkElems), init);
  }
  type_.limits.min = old_size + delta;
  return int64_t(old_size);
}

} // namespace halter::rt
