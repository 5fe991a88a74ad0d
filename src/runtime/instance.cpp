#include "runtime/instance.h"

namespace halter::rt {

std::span<const uint8_t> Instance::dataSegment(uint32_t i) const {
  if (ir == nullptr || i >= ir->datas.size() || (i < data_dropped.size() && data_dropped[i])) {
    return {};
  }
  const ir::DataSegment &seg = ir->datas[i];
  return std::span<const uint8_t>(ir->bytes.data() + seg.data_begin, seg.data_size);
}

} // namespace halter::rt
