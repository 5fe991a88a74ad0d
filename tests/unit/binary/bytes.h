// Small helpers to spell module binaries in tests.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace halter::test {

using Bytes = std::vector<uint8_t>;

inline Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes &p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

inline Bytes uleb(uint64_t v) {
  Bytes out;
  do {
    uint8_t b = v & 0x7F;
    v >>= 7;
    if (v) b |= 0x80;
    out.push_back(b);
  } while (v);
  return out;
}

inline Bytes str(const std::string &s) {
  Bytes out = uleb(s.size());
  out.insert(out.end(), s.begin(), s.end());
  return out;
}

inline Bytes section(uint8_t id, const Bytes &payload) {
  return cat({Bytes{id}, uleb(payload.size()), payload});
}

inline Bytes header() {
  return {0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00};
}

inline Bytes module(std::initializer_list<Bytes> sections) {
  Bytes out = header();
  for (const Bytes &s : sections) out.insert(out.end(), s.begin(), s.end());
  return out;
}

// Type section with one type () -> ().
inline Bytes voidType() {
  return section(1, {0x01, 0x60, 0x00, 0x00});
}
// Function section declaring `n` functions of type 0.
inline Bytes funcs(uint8_t n) {
  Bytes p{n};
  for (uint8_t i = 0; i < n; ++i) p.push_back(0x00);
  return section(3, p);
}
// Code section with one body (no locals) holding `code` (which must end with 0x0B).
inline Bytes code(const Bytes &instrs) {
  Bytes body = cat({Bytes{0x00}, instrs});
  return section(10, cat({Bytes{0x01}, uleb(body.size()), body}));
}

} // namespace halter::test
