#include "value_text.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstring>

namespace halter::cli {

namespace {

Error badValue(ValType type, std::string_view text, std::string_view why) {
  return makeError(ErrorCode::InvalidArgument, kNoOffset,
                   fmt::format("bad {} value \"{}\": {}", valTypeName(type), text, why));
}

bool consumePrefix(std::string_view &text, std::string_view prefix) {
  if (text.substr(0, prefix.size()) != prefix) return false;
  text.remove_prefix(prefix.size());
  return true;
}

// Magnitude of an unsigned decimal or 0x-hex integer.
bool parseMagnitude(std::string_view text, uint64_t &out) {
  int base = 10;
  if (consumePrefix(text, "0x") || consumePrefix(text, "0X")) base = 16;
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out, base);
  return ec == std::errc() && end == text.data() + text.size();
}

Result<Value> parseInteger(ValType type, std::string_view text) {
  std::string_view rest = text;
  bool negative = consumePrefix(rest, "-");
  uint64_t magnitude = 0;
  if (!parseMagnitude(rest, magnitude)) return badValue(type, text, "not an integer");
  unsigned bits = type == ValType::I32 ? 32 : 64;
  uint64_t unsigned_max = bits == 32 ? 0xffffffffull : ~0ull;
  uint64_t negative_max = uint64_t{1} << (bits - 1);
  if (negative ? magnitude > negative_max : magnitude > unsigned_max)
    return badValue(type, text, "out of range");
  uint64_t v = negative ? (~magnitude + 1) : magnitude;
  if (bits == 32) return Value::i32(static_cast<uint32_t>(v));
  return Value::i64(v);
}

template <class Float> Result<Value> parseFloat(ValType type, std::string_view text) {
  std::string_view rest = text;
  bool negative = consumePrefix(rest, "-");
  if (!negative) consumePrefix(rest, "+");
  constexpr bool is32 = sizeof(Float) == 4;
  using Bits = std::conditional_t<is32, uint32_t, uint64_t>;
  constexpr Bits sign_bit = Bits{1} << (is32 ? 31 : 63);
  constexpr Bits exponent_mask = is32 ? 0x7f800000u : 0x7ff0000000000000ull;
  constexpr Bits payload_mask = is32 ? 0x007fffffu : 0x000fffffffffffffull;

  Bits bits = 0;
  if (consumePrefix(rest, "nan:")) {
    uint64_t payload = 0;
    if (!parseMagnitude(rest, payload) || payload == 0 || payload > payload_mask)
      return badValue(type, text, "bad NaN payload");
    bits = exponent_mask | static_cast<Bits>(payload);
  } else {
    Float f = 0;
    auto format = std::chars_format::general;
    if (consumePrefix(rest, "0x") || consumePrefix(rest, "0X")) format = std::chars_format::hex;
    if (rest.empty() || rest[0] == '-' || rest[0] == '+')
      return badValue(type, text, "not a number");
    auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), f, format);
    if (ec == std::errc::result_out_of_range) return badValue(type, text, "out of range");
    if (ec != std::errc() || end != rest.data() + rest.size())
      return badValue(type, text, "not a number");
    std::memcpy(&bits, &f, sizeof bits);
    bits &= ~sign_bit;
  }
  if (negative) bits |= sign_bit;
  if constexpr (is32)
    return Value::f32Bits(bits);
  else
    return Value::f64Bits(bits);
}

template <class Float, class Bits> std::string formatFloat(Bits bits) {
  constexpr bool is32 = sizeof(Float) == 4;
  constexpr Bits sign_bit = Bits{1} << (is32 ? 31 : 63);
  constexpr Bits exponent_mask = is32 ? 0x7f800000u : 0x7ff0000000000000ull;
  constexpr Bits payload_mask = is32 ? 0x007fffffu : 0x000fffffffffffffull;
  constexpr Bits canonical = is32 ? 0x00400000u : 0x0008000000000000ull;
  const char *sign = (bits & sign_bit) ? "-" : "";
  if ((bits & exponent_mask) == exponent_mask && (bits & payload_mask) != 0) {
    Bits payload = bits & payload_mask;
    if (payload == canonical) return fmt::format("{}nan", sign);
    return fmt::format("{}nan:0x{:x}", sign, payload);
  }
  Float f;
  std::memcpy(&f, &bits, sizeof f);
  return fmt::format("{}", f);
}

} // namespace

Result<Value> parseValue(ValType type, std::string_view text) {
  switch (type) {
  case ValType::I32:
  case ValType::I64:
    return parseInteger(type, text);
  case ValType::F32:
    return parseFloat<float>(type, text);
  case ValType::F64:
    return parseFloat<double>(type, text);
  case ValType::FuncRef:
  case ValType::ExternRef:
    if (text == "null") return Value::nullRef(type);
    return badValue(type, text, "only null references can be passed");
  case ValType::V128: {
    // 0x followed by 32 hex digits, most significant byte first.
    std::string_view rest = text;
    if (!consumePrefix(rest, "0x") || rest.size() != 32)
      return badValue(type, text, "expected 0x and 32 hex digits");
    V128 v;
    for (int i = 0; i < 16; ++i) {
      uint8_t byte = 0;
      auto digits = rest.substr(static_cast<size_t>(i) * 2, 2);
      auto [end, ec] = std::from_chars(digits.data(), digits.data() + 2, byte, 16);
      if (ec != std::errc() || end != digits.data() + 2)
        return badValue(type, text, "expected hex digits");
      v.bytes[15 - i] = byte;
    }
    return Value::v128(v);
  }
  }
  return badValue(type, text, "unsupported type");
}

std::string formatValue(const Value &value) {
  switch (value.type()) {
  case ValType::I32:
    return fmt::format("{}", static_cast<int32_t>(value.asI32()));
  case ValType::I64:
    return fmt::format("{}", static_cast<int64_t>(value.asI64()));
  case ValType::F32:
    return formatFloat<float>(value.f32Bits());
  case ValType::F64:
    return formatFloat<double>(value.f64Bits());
  case ValType::V128: {
    V128 v = value.asV128();
    std::string out = "0x";
    for (int i = 15; i >= 0; --i) out += fmt::format("{:02x}", v.bytes[i]);
    return out;
  }
  case ValType::FuncRef:
  case ValType::ExternRef:
    if (value.isNullRef()) return "null";
    return fmt::format("ref:{}", value.asRef());
  }
  return "?";
}

Result<uint64_t> parseFuel(std::string_view text, std::string_view flag) {
  HALTER_ASSIGN_OR_RETURN(Value fuel, parseValue(ValType::I64, text));
  if (!text.empty() && text[0] == '-')
    return makeError(ErrorCode::InvalidArgument, kNoOffset,
                     std::string(flag) + " must not be negative");
  return fuel.asI64();
}

} // namespace halter::cli
