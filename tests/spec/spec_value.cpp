#include "spec_value.h"

#include <charconv>
#include <cinttypes>
#include <cstdio>

namespace halter::spec {

namespace {

using nlohmann::json;

std::optional<ValType> valTypeFromName(const std::string &name) {
  if (name == "i32") return ValType::I32;
  if (name == "i64") return ValType::I64;
  if (name == "f32") return ValType::F32;
  if (name == "f64") return ValType::F64;
  if (name == "v128") return ValType::V128;
  if (name == "funcref") return ValType::FuncRef;
  if (name == "externref") return ValType::ExternRef;
  return std::nullopt;
}

std::optional<uint64_t> parseU64(const std::string &text) {
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

std::optional<std::string> stringField(const json &obj, const char *key) {
  if (!obj.is_object()) return std::nullopt;
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

struct LaneShape {
  unsigned bits = 0;
  bool is_float = false;
};

// bits == 0 when the lane type is unknown.
LaneShape laneShape(const std::string &lane_type) {
  if (lane_type == "i8") return LaneShape{8, false};
  if (lane_type == "i16") return LaneShape{16, false};
  if (lane_type == "i32") return LaneShape{32, false};
  if (lane_type == "i64") return LaneShape{64, false};
  if (lane_type == "f32") return LaneShape{32, true};
  if (lane_type == "f64") return LaneShape{64, true};
  return LaneShape{};
}

uint64_t laneBits(const V128 &v, unsigned lane, unsigned bits) {
  uint64_t out = 0;
  unsigned bytes = bits / 8;
  for (unsigned i = 0; i < bytes; ++i) out |= uint64_t{v.bytes[lane * bytes + i]} << (8 * i);
  return out;
}

bool floatMatches(const LanePattern &p, uint64_t bits, unsigned width) {
  uint64_t abs_mask = width == 32 ? 0x7fffffffull : 0x7fffffffffffffffull;
  uint64_t quiet = width == 32 ? 0x7fc00000ull : 0x7ff8000000000000ull;
  switch (p.kind) {
  case LanePattern::Kind::Exact:
    return bits == p.bits;
  case LanePattern::Kind::CanonicalNan:
    return (bits & abs_mask) == quiet;
  case LanePattern::Kind::ArithmeticNan:
    return (bits & quiet) == quiet;
  }
  return false;
}

std::optional<LanePattern> parseLanePattern(const std::string &text, bool allow_nan) {
  if (allow_nan && text == "nan:canonical") return LanePattern{LanePattern::Kind::CanonicalNan, 0};
  if (allow_nan && text == "nan:arithmetic")
    return LanePattern{LanePattern::Kind::ArithmeticNan, 0};
  auto bits = parseU64(text);
  if (!bits) return std::nullopt;
  return LanePattern{LanePattern::Kind::Exact, *bits};
}

std::string describePattern(const LanePattern &p, unsigned width) {
  switch (p.kind) {
  case LanePattern::Kind::CanonicalNan:
    return "nan:canonical";
  case LanePattern::Kind::ArithmeticNan:
    return "nan:arithmetic";
  case LanePattern::Kind::Exact:
    break;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "0x%0*" PRIx64, static_cast<int>(width / 4), p.bits);
  return buf;
}

std::string describeFloatBits(uint64_t bits, unsigned width) {
  char buf[96];
  if (width == 32) {
    Value v = Value::f32Bits(static_cast<uint32_t>(bits));
    std::snprintf(buf, sizeof buf, "f32:0x%08" PRIx64 " (%.9g)", bits, v.asF32());
  } else {
    Value v = Value::f64Bits(bits);
    std::snprintf(buf, sizeof buf, "f64:0x%016" PRIx64 " (%.17g)", bits, v.asF64());
  }
  return buf;
}

} // namespace

RefPtr externRefFor(uint64_t n) {
  return reinterpret_cast<RefPtr>(static_cast<uintptr_t>(n + 1));
}

bool isV128(const json &value) {
  auto type = stringField(value, "type");
  return type && *type == "v128";
}

std::optional<Value> parseArgument(const json &arg) {
  auto type_name = stringField(arg, "type");
  if (!type_name) return std::nullopt;
  auto type = valTypeFromName(*type_name);
  if (!type) return std::nullopt;
  if (*type == ValType::V128) {
    auto lane_type = stringField(arg, "lane_type");
    LaneShape shape = lane_type ? laneShape(*lane_type) : LaneShape{};
    auto it = arg.find("value");
    if (shape.bits == 0 || it == arg.end() || !it->is_array() || it->size() * shape.bits != 128)
      return std::nullopt;
    V128 v;
    unsigned bytes = shape.bits / 8;
    for (size_t lane = 0; lane < it->size(); ++lane) {
      const json &lane_value = (*it)[lane];
      if (!lane_value.is_string()) return std::nullopt;
      auto bits = parseU64(lane_value.get<std::string>());
      if (!bits) return std::nullopt;
      for (unsigned i = 0; i < bytes; ++i)
        v.bytes[lane * bytes + i] = static_cast<uint8_t>(*bits >> (8 * i));
    }
    return Value::v128(v);
  }
  auto text = stringField(arg, "value");
  if (!text) return std::nullopt;
  if (isRefType(*type)) {
    if (*text == "null") return Value::nullRef(*type);
    auto n = parseU64(*text);
    if (!n || *type != ValType::ExternRef) return std::nullopt;
    return Value::ref(ValType::ExternRef, externRefFor(*n));
  }
  auto bits = parseU64(*text);
  if (!bits) return std::nullopt;
  switch (*type) {
  case ValType::I32:
    return Value::i32(static_cast<uint32_t>(*bits));
  case ValType::I64:
    return Value::i64(*bits);
  case ValType::F32:
    return Value::f32Bits(static_cast<uint32_t>(*bits));
  case ValType::F64:
    return Value::f64Bits(*bits);
  default:
    return std::nullopt;
  }
}

std::optional<ExpectedValue> parseExpected(const json &expected) {
  auto type_name = stringField(expected, "type");
  if (!type_name) return std::nullopt;
  auto type = valTypeFromName(*type_name);
  if (!type) return std::nullopt;
  ExpectedValue out;
  out.type = *type;
  if (*type == ValType::V128) {
    auto lane_type = stringField(expected, "lane_type");
    LaneShape shape = lane_type ? laneShape(*lane_type) : LaneShape{};
    auto it = expected.find("value");
    if (shape.bits == 0 || it == expected.end() || !it->is_array() ||
        it->size() * shape.bits != 128)
      return std::nullopt;
    out.lane_bits = shape.bits;
    out.is_float_lane = shape.is_float;
    for (const json &lane : *it) {
      if (!lane.is_string()) return std::nullopt;
      auto p = parseLanePattern(lane.get<std::string>(), shape.is_float);
      if (!p) return std::nullopt;
      out.lanes.push_back(*p);
    }
    return out;
  }
  auto text = stringField(expected, "value");
  if (!text) return std::nullopt;
  if (isRefType(*type)) {
    if (*text == "null") {
      out.ref_null = true;
    } else if (*type == ValType::ExternRef) {
      auto n = parseU64(*text);
      if (!n) return std::nullopt;
      out.ref = externRefFor(*n);
    } else {
      out.ref_any = true;
    }
    return out;
  }
  bool is_float = *type == ValType::F32 || *type == ValType::F64;
  auto p = parseLanePattern(*text, is_float);
  if (!p) return std::nullopt;
  out.lane_bits = (*type == ValType::I32 || *type == ValType::F32) ? 32 : 64;
  out.is_float_lane = is_float;
  out.lanes.push_back(*p);
  return out;
}

bool ExpectedValue::matches(const Value &actual) const {
  if (actual.type() != type) return false;
  if (isRefType(type)) {
    if (ref_null) return actual.isNullRef();
    if (ref_any) return !actual.isNullRef();
    return actual.asRef() == ref;
  }
  if (type == ValType::V128) {
    V128 v = actual.asV128();
    for (unsigned lane = 0; lane < lanes.size(); ++lane) {
      uint64_t bits = laneBits(v, lane, lane_bits);
      if (is_float_lane ? !floatMatches(lanes[lane], bits, lane_bits) : bits != lanes[lane].bits)
        return false;
    }
    return true;
  }
  if (lanes.size() != 1) return false;
  uint64_t bits = lane_bits == 32 ? actual.lowBits() & 0xffffffffull : actual.lowBits();
  if (is_float_lane) return floatMatches(lanes[0], bits, lane_bits);
  return bits == lanes[0].bits;
}

std::string ExpectedValue::describe() const {
  if (isRefType(type)) {
    std::string name = valTypeName(type);
    if (ref_null) return name + ":null";
    if (ref_any) return name + ":non-null";
    return name + ":#" + std::to_string(reinterpret_cast<uintptr_t>(ref) - 1);
  }
  if (type == ValType::V128) {
    std::string out = "v128:[";
    for (size_t i = 0; i < lanes.size(); ++i) {
      if (i) out += ' ';
      out += describePattern(lanes[i], lane_bits);
    }
    return out + "]";
  }
  if (lanes.size() != 1) return "?";
  if (is_float_lane) {
    if (lanes[0].kind != LanePattern::Kind::Exact)
      return std::string(lane_bits == 32 ? "f32:" : "f64:") + describePattern(lanes[0], lane_bits);
    return describeFloatBits(lanes[0].bits, lane_bits);
  }
  Value v = lane_bits == 32 ? Value::i32(static_cast<uint32_t>(lanes[0].bits))
                            : Value::i64(lanes[0].bits);
  return describeValue(v);
}

std::string describeValue(const Value &value) {
  char buf[128];
  switch (value.type()) {
  case ValType::I32:
    std::snprintf(buf, sizeof buf, "i32:0x%08" PRIx32 " (%" PRId32 ")", value.asI32(),
                  static_cast<int32_t>(value.asI32()));
    return buf;
  case ValType::I64:
    std::snprintf(buf, sizeof buf, "i64:0x%016" PRIx64 " (%" PRId64 ")", value.asI64(),
                  static_cast<int64_t>(value.asI64()));
    return buf;
  case ValType::F32:
    return describeFloatBits(value.f32Bits(), 32);
  case ValType::F64:
    return describeFloatBits(value.f64Bits(), 64);
  case ValType::V128: {
    V128 v = value.asV128();
    std::string out = "v128:[";
    for (unsigned lane = 0; lane < 4; ++lane) {
      std::snprintf(buf, sizeof buf, "%s0x%08" PRIx64, lane ? " " : "", laneBits(v, lane, 32));
      out += buf;
    }
    return out + "] (i32 lanes)";
  }
  case ValType::FuncRef:
  case ValType::ExternRef: {
    std::string name = valTypeName(value.type());
    if (value.isNullRef()) return name + ":null";
    if (value.type() == ValType::ExternRef) {
      return name + ":#" + std::to_string(reinterpret_cast<uintptr_t>(value.asRef()) - 1);
    }
    std::snprintf(buf, sizeof buf, "%s:%p", name.c_str(), value.asRef());
    return buf;
  }
  }
  return "?";
}

std::string describeValues(const std::vector<Value> &values) {
  std::string out = "(";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out += ", ";
    out += describeValue(values[i]);
  }
  return out + ")";
}

} // namespace halter::spec
