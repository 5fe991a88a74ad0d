// Values in wast2json scripts: arguments, expected results and how they match.
#pragma once

#include "halter/types.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace halter::spec {

// externref N in a script maps to this host reference: distinct per N and never null.
RefPtr externRefFor(uint64_t n);

// An argument: {"type":"i32","value":"42"}. Returns nullopt when malformed.
std::optional<Value> parseArgument(const nlohmann::json &arg);

// One lane (or a whole scalar) of an expected value.
struct LanePattern {
  enum class Kind { Exact, CanonicalNan, ArithmeticNan } kind = Kind::Exact;
  uint64_t bits = 0;
};

struct ExpectedValue {
  ValType type = ValType::I32;
  // Scalars have one pattern; v128 one per lane with lane_bits wide lanes.
  std::vector<LanePattern> lanes;
  unsigned lane_bits = 0;
  bool is_float_lane = false;
  // Refs: null, a specific externref, or any non-null funcref.
  bool ref_null = false;
  bool ref_any = false;
  RefPtr ref = nullptr;

  bool matches(const Value &actual) const;
  std::string describe() const;
};

std::optional<ExpectedValue> parseExpected(const nlohmann::json &expected);

// "i32:0x0000002a (42)", "f32:0x3f800000 (1)", "externref:#3", ...
std::string describeValue(const Value &value);
std::string describeValues(const std::vector<Value> &values);

// Whether a JSON value (argument or expected) is a v128.
bool isV128(const nlohmann::json &value);

} // namespace halter::spec
