// WebAssembly types and values as the embedder sees them.
#pragma once

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

namespace halter {

// Encodings are the binary format's type bytes.
enum class ValType : uint8_t {
  I32 = 0x7F,
  I64 = 0x7E,
  F32 = 0x7D,
  F64 = 0x7C,
  V128 = 0x7B,
  FuncRef = 0x70,
  ExternRef = 0x6F,
};

const char *valTypeName(ValType type);
inline bool isRefType(ValType t) {
  return t == ValType::FuncRef || t == ValType::ExternRef;
}
inline bool isNumType(ValType t) {
  return t == ValType::I32 || t == ValType::I64 || t == ValType::F32 || t == ValType::F64;
}

enum class ExternKind : uint8_t { Func = 0, Table = 1, Memory = 2, Global = 3 };
const char *externKindName(ExternKind kind);

struct FuncType {
  std::vector<ValType> params;
  std::vector<ValType> results;
  bool operator==(const FuncType &) const = default;
  std::string describe() const; // "(i32, i64) -> (f32)"
};

// The min/max of a table or memory type (the spec's "limits").
struct SizeLimits {
  uint64_t min = 0;
  std::optional<uint64_t> max;
  bool operator==(const SizeLimits &) const = default;
};

struct TableType {
  ValType elem = ValType::FuncRef;
  SizeLimits limits;
  bool operator==(const TableType &) const = default;
};

struct MemoryType {
  SizeLimits limits; // in 64 KiB pages
  bool operator==(const MemoryType &) const = default;
};

struct GlobalType {
  ValType type = ValType::I32;
  bool is_mutable = false;
  bool operator==(const GlobalType &) const = default;
};

inline constexpr uint64_t kPageSize = 65536;
inline constexpr uint64_t kMaxPages = 65536;

struct V128 {
  uint8_t bytes[16] = {};
  bool operator==(const V128 &) const = default;
};

// A reference value: null, a function of some instance, or an opaque host
// value (externref). The pointer is an identity, never dereferenced by the host.
using RefPtr = void *;

// A typed WebAssembly value. Floats are kept as bit patterns so NaN payloads
// survive a round trip through the API.
class Value {
public:
  Value() = default;
  static Value i32(uint32_t v) { return Value(ValType::I32, v); }
  static Value i64(uint64_t v) { return Value(ValType::I64, v); }
  static Value f32Bits(uint32_t bits) { return Value(ValType::F32, bits); }
  static Value f64Bits(uint64_t bits) { return Value(ValType::F64, bits); }
  static Value f32(float f) {
    uint32_t b;
    std::memcpy(&b, &f, 4);
    return f32Bits(b);
  }
  static Value f64(double f) {
    uint64_t b;
    std::memcpy(&b, &f, 8);
    return f64Bits(b);
  }
  static Value v128(const V128 &v) {
    Value r(ValType::V128, 0);
    std::memcpy(&r.lo_, v.bytes, 8);
    std::memcpy(&r.hi_, v.bytes + 8, 8);
    return r;
  }
  static Value ref(ValType ref_type, RefPtr p) {
    return Value(ref_type, static_cast<uint64_t>(reinterpret_cast<uintptr_t>(p)));
  }
  static Value nullRef(ValType ref_type) { return Value(ref_type, 0); }
  // Zero of any type (null for references).
  static Value zero(ValType type) { return Value(type, 0); }

  ValType type() const { return type_; }
  uint32_t asI32() const { return static_cast<uint32_t>(lo_); }
  uint64_t asI64() const { return lo_; }
  // The same bits read as two's-complement signed integers.
  int32_t asS32() const { return static_cast<int32_t>(asI32()); }
  int64_t asS64() const { return static_cast<int64_t>(lo_); }
  uint32_t f32Bits() const { return static_cast<uint32_t>(lo_); }
  uint64_t f64Bits() const { return lo_; }
  float asF32() const {
    float f;
    uint32_t b = f32Bits();
    std::memcpy(&f, &b, 4);
    return f;
  }
  double asF64() const {
    double f;
    std::memcpy(&f, &lo_, 8);
    return f;
  }
  V128 asV128() const {
    V128 v;
    std::memcpy(v.bytes, &lo_, 8);
    std::memcpy(v.bytes + 8, &hi_, 8);
    return v;
  }
  RefPtr asRef() const { return reinterpret_cast<RefPtr>(static_cast<uintptr_t>(lo_)); }
  bool isNullRef() const { return lo_ == 0; }

  // Raw 128-bit payload (low half holds every non-v128 value).
  uint64_t lowBits() const { return lo_; }
  uint64_t highBits() const { return hi_; }
  static Value fromBits(ValType type, uint64_t lo, uint64_t hi = 0) {
    Value v(type, lo);
    v.hi_ = hi;
    return v;
  }

  bool operator==(const Value &) const = default;
  std::string describe() const; // "i32:42", "f64:1.5", "funcref:null"

private:
  Value(ValType type, uint64_t lo) : type_(type), lo_(lo) {}
  ValType type_ = ValType::I32;
  uint64_t lo_ = 0;
  uint64_t hi_ = 0;
};

} // namespace halter
