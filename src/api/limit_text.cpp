#include "halter/limit_text.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace halter {

namespace {

// "1.50 MiB": `digits` decimals, then the unit.
std::string withUnit(double value, int digits, const char *unit) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f %s", digits, value, unit);
  return text;
}

} // namespace
namespace {

// Splits "64MiB" into 64 and "MiB".
bool splitNumber(std::string_view text, double *number, std::string_view *unit) {
  size_t end = 0;
  while (end < text.size() &&
         (std::isdigit(static_cast<unsigned char>(text[end])) || text[end] == '.'))
    ++end;
  if (end == 0) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + end, *number);
  if (ec != std::errc() || ptr != text.data() + end) return false;
  *unit = text.substr(end);
  return true;
}

Error badValue(std::string_view what, std::string_view text, std::string_view expected) {
  return makeError(ErrorCode::InvalidArgument, kNoOffset,
                   "bad " + std::string(what) + " \"" + std::string(text) + "\": expected " +
                       std::string(expected));
}

} // namespace

Result<uint64_t> parseSize(std::string_view text) {
  constexpr std::string_view kExpected = "a whole number of bytes with an optional unit "
                                         "(B, KiB, MiB, GiB, KB, MB, GB), e.g. 64MiB";
  double number = 0;
  std::string_view unit;
  if (!splitNumber(text, &number, &unit)) return badValue("size", text, kExpected);
  static const std::pair<std::string_view, double> kUnits[] = {
      {"", 1},     {"B", 1},    {"KiB", 1024.0}, {"MiB", 1048576.0}, {"GiB", 1073741824.0},
      {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}};
  for (auto [name, scale] : kUnits) {
    if (unit != name) continue;
    double bytes = number * scale;
    if (bytes != std::floor(bytes) || bytes > 1.8e19)
      return badValue("size", text, "a whole number of bytes below 2^64");
    return static_cast<uint64_t>(bytes);
  }
  return badValue("size", text, kExpected);
}

Result<std::chrono::nanoseconds> parseDuration(std::string_view text) {
  constexpr std::string_view kExpected = "a number with a unit (ns, us, ms, s, m, h), e.g. 250ms";
  double number = 0;
  std::string_view unit;
  if (!splitNumber(text, &number, &unit)) return badValue("duration", text, kExpected);
  static const std::pair<std::string_view, double> kUnits[] = {
      {"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}, {"m", 60e9}, {"h", 3600e9}};
  for (auto [name, scale] : kUnits) {
    if (unit != name) continue;
    double ns = number * scale;
    if (ns > 9.2e18) return badValue("duration", text, "less than 292 years");
    return std::chrono::nanoseconds(static_cast<int64_t>(ns));
  }
  return badValue("duration", text, kExpected);
}

std::string formatSize(uint64_t bytes) {
  if (bytes < 1024) return std::to_string(bytes) + " B";
  if (bytes < (1u << 20)) return withUnit(bytes / 1024.0, 2, "KiB");
  if (bytes < (1u << 30)) return withUnit(bytes / 1048576.0, 2, "MiB");
  return withUnit(bytes / 1073741824.0, 2, "GiB");
}

std::string formatDuration(std::chrono::nanoseconds d) {
  double ns = static_cast<double>(d.count());
  if (ns < 1e3) return withUnit(ns, 0, "ns");
  if (ns < 1e6) return withUnit(ns / 1e3, 1, "us");
  if (ns < 1e9) return withUnit(ns / 1e6, 1, "ms");
  return withUnit(ns / 1e9, 2, "s");
}

} // namespace halter
