#include "mutator.h"

#include <cstdio>

namespace halter::robustness {

namespace {

size_t pick(std::mt19937_64 &rng, size_t n) {
  return n == 0 ? 0 : std::uniform_int_distribution<size_t>(0, n - 1)(rng);
}

// A position in [0, n), usually past the 8-byte header so that most mutants
// reach the section decoders and the validator.
size_t pickPos(std::mt19937_64 &rng, size_t n) {
  if (n > 8 && pick(rng, 10) != 0) return 8 + pick(rng, n - 8);
  return pick(rng, n);
}

std::string hex(size_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%zx", v);
  return buf;
}

// Length of the LEB128 starting at `pos` (at most 10 bytes, clipped to the end).
size_t lebLength(const std::vector<uint8_t> &b, size_t pos) {
  size_t n = 0;
  while (pos + n < b.size() && n < 10) {
    if ((b[pos + n++] & 0x80) == 0) break;
  }
  return n;
}

bool readLeb(const std::vector<uint8_t> &b, size_t &pos, uint64_t &out) {
  out = 0;
  for (unsigned shift = 0; shift < 64 && pos < b.size(); shift += 7) {
    uint8_t byte = b[pos++];
    out |= uint64_t{byte & 0x7fu} << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

// Positions of LEB128 sizes and counts an attacker would inflate: each
// section's size and, for non-custom sections, the vector count that opens it.
std::vector<size_t> countPositions(const std::vector<uint8_t> &b) {
  std::vector<size_t> out;
  size_t pos = 8;
  while (pos < b.size()) {
    uint8_t id = b[pos++];
    size_t size_pos = pos;
    uint64_t size = 0;
    if (!readLeb(b, pos, size)) break;
    out.push_back(size_pos);
    if (id != 0 && id != 8 && pos < b.size()) out.push_back(pos);
    if (size > b.size() - pos) break;
    pos += size;
  }
  return out;
}

void inflateLeb(std::vector<uint8_t> &b, std::mt19937_64 &rng, std::string &what) {
  static const std::vector<std::vector<uint8_t>> kReplacements = {
      {0xff, 0xff, 0xff, 0xff, 0x0f}, // 2^32 - 1
      {0xff, 0xff, 0xff, 0x7f},       // 2^28 - 1
      {0x80, 0x80, 0x80, 0x80, 0x10}, // too many bits for a u32
      {0xff, 0xff, 0x03},             // 65535
  };
  std::vector<size_t> positions = countPositions(b);
  bool structured = !positions.empty() && pick(rng, 4) != 0;
  size_t pos = structured ? positions[pick(rng, positions.size())] : pickPos(rng, b.size());
  const std::vector<uint8_t> &with = kReplacements[pick(rng, kReplacements.size())];
  size_t len = lebLength(b, pos);
  b.erase(b.begin() + static_cast<std::ptrdiff_t>(pos),
          b.begin() + static_cast<std::ptrdiff_t>(pos + len));
  b.insert(b.begin() + static_cast<std::ptrdiff_t>(pos), with.begin(), with.end());
  char buf[64];
  std::snprintf(buf, sizeof buf, " -> %02x..%02x", with.front(), with.back());
  what = std::string(structured ? "inflated count at " : "inflated LEB at ") + hex(pos) + buf;
}

void mutateOnce(std::vector<uint8_t> &b, std::mt19937_64 &rng, std::string &what) {
  if (b.empty()) {
    b.push_back(static_cast<uint8_t>(rng()));
    what = "insert into empty";
    return;
  }
  switch (pick(rng, 7)) {
  case 0:
  case 1: {
    size_t pos = pickPos(rng, b.size());
    unsigned bit = static_cast<unsigned>(pick(rng, 8));
    b[pos] ^= static_cast<uint8_t>(1u << bit);
    what = "bit flip at " + hex(pos) + " bit " + std::to_string(bit);
    return;
  }
  case 2: {
    size_t len = pickPos(rng, b.size());
    b.resize(len);
    what = "truncate to " + hex(len);
    return;
  }
  case 3:
    inflateLeb(b, rng, what);
    return;
  case 4: {
    size_t pos = pickPos(rng, b.size() + 1);
    uint8_t byte = static_cast<uint8_t>(rng());
    b.insert(b.begin() + static_cast<std::ptrdiff_t>(pos), byte);
    what = "insert " + hex(byte) + " at " + hex(pos);
    return;
  }
  case 5: {
    size_t pos = pickPos(rng, b.size());
    b.erase(b.begin() + static_cast<std::ptrdiff_t>(pos));
    what = "delete at " + hex(pos);
    return;
  }
  default: {
    static const uint8_t kInteresting[] = {0x00, 0x01, 0x7f, 0x80, 0xff, 0x0b, 0x40, 0x70, 0x6f};
    size_t pos = pickPos(rng, b.size());
    uint8_t byte = kInteresting[pick(rng, sizeof kInteresting)];
    b[pos] = byte;
    what = "set " + hex(pos) + " to " + hex(byte);
    return;
  }
  }
}

} // namespace

Mutant mutate(const std::vector<uint8_t> &original, std::mt19937_64 &rng) {
  Mutant m{original, {}};
  size_t rounds = 1 + pick(rng, 2);
  for (size_t i = 0; i < rounds; ++i) {
    std::string what;
    mutateOnce(m.bytes, rng, what);
    if (!m.description.empty()) m.description += ", ";
    m.description += what;
  }
  return m;
}

} // namespace halter::robustness
