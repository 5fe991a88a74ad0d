// The byte codec shared by the parts of a snapshot (runtime/snapshot.cpp
// for instances, exec/execution_snapshot.cpp for executions): bounded
// little-endian reads that name the field they fail in, and references as
// function-index codes.
#pragma once

#include "halter/result.h"
#include "runtime/instance.h"

#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

namespace halter::rt {

inline Error invalidSnapshot(std::string what) {
  return makeError(ErrorCode::InvalidSnapshot, kNoOffset, "snapshot: " + std::move(what));
}

class SnapshotWriter {
public:
  void u8(uint8_t v) { out_.push_back(v); }
  void u32(uint32_t v) { raw(&v, 4); }
  void u64(uint64_t v) { raw(&v, 8); }
  void raw(const void *p, size_t n) {
    const uint8_t *b = static_cast<const uint8_t *>(p);
    out_.insert(out_.end(), b, b + n);
  }
  std::vector<uint8_t> &bytes() { return out_; }

private:
  std::vector<uint8_t> out_;
};

// Every read is bounded; the first failure names the field and its offset
// in the body.
class SnapshotReader {
public:
  explicit SnapshotReader(std::span<const uint8_t> in) : in_(in) {}
  Result<uint8_t> u8(const char *what) {
    uint8_t v;
    HALTER_TRY(raw(&v, 1, what));
    return v;
  }
  Result<uint32_t> u32(const char *what) {
    uint32_t v;
    HALTER_TRY(raw(&v, 4, what));
    return v;
  }
  Result<uint64_t> u64(const char *what) {
    uint64_t v;
    HALTER_TRY(raw(&v, 8, what));
    return v;
  }
  Result<std::span<const uint8_t>> take(uint64_t n, const char *what) {
    if (n > in_.size() - at_) return tooShort(what);
    std::span<const uint8_t> s = in_.subspan(at_, size_t(n));
    at_ += size_t(n);
    return s;
  }
  size_t at() const { return at_; }
  size_t left() const { return in_.size() - at_; }

private:
  Result<void> raw(void *p, size_t n, const char *what) {
    if (n > in_.size() - at_) return tooShort(what);
    std::memcpy(p, in_.data() + at_, n);
    at_ += n;
    return okResult();
  }
  Error tooShort(const char *what) const {
    return invalidSnapshot(std::string("the body ends inside ") + what + " (body offset " +
                           std::to_string(at_) + ")");
  }
  std::span<const uint8_t> in_;
  size_t at_ = 0;
};

// Function identity across processes: the index in the instance's function
// index space. A reference is coded 0 for null, else index + 1.
class FunctionCodes {
public:
  explicit FunctionCodes(const Instance &inst) {
    for (size_t i = 0; i < inst.funcs.size(); ++i) index_.emplace(inst.funcs[i], uint32_t(i));
  }
  // Nothing for a function the index space cannot name (another instance's).
  std::optional<uint64_t> encode(const void *p) const {
    if (p == nullptr) return 0;
    auto it = index_.find(static_cast<const Function *>(p));
    if (it == index_.end()) return std::nullopt;
    return uint64_t(it->second) + 1;
  }

private:
  std::unordered_map<const Function *, uint32_t> index_;
};

// The function a checked code names in `inst` (null for 0).
inline RefPtr refOfCode(const Instance &inst, uint64_t code) {
  return code == 0 ? nullptr : RefPtr(inst.funcs[size_t(code - 1)]);
}

} // namespace halter::rt
