// A global variable. Value bits as in a frame slot (v128 uses both words).
#pragma once

#include "halter/types.h"

#include <cstdint>
#include <memory>

namespace halter::rt {

class Global : public std::enable_shared_from_this<Global> {
public:
  explicit Global(GlobalType type) : type_(type) {}
  const GlobalType &type() const { return type_; }
  Value get() const { return Value::fromBits(type_.type, lo_, hi_); }
  void set(const Value &v) {
    lo_ = v.lowBits();
    hi_ = v.highBits();
  }

  uint64_t lo_ = 0;
  uint64_t hi_ = 0;

private:
  GlobalType type_;
};

} // namespace halter::rt
