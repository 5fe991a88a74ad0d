// A bounded cursor over a module's bytes with the binary format's integer
// encodings. Positions are absolute offsets into the whole module, so every
// error can name the byte where it was found.
#pragma once

#include "halter/result.h"

#include <cstdint>
#include <cstring>
#include <span>
#include <string>

namespace halter {

enum class LebStatus : uint8_t { Ok, End, TooLong, TooLarge };

// The one LEB128 decoder (readLeb's rules), over raw bytes so hot loops can
// use it without a Result. On Ok, `p` is past the integer; on End, at the
// missing byte; otherwise where the bad byte was read.
[[gnu::always_inline]] inline LebStatus decodeLeb(const uint8_t *&p, const uint8_t *end,
                                                  unsigned bits, bool is_signed, uint64_t &out) {
  const unsigned max_bytes = (bits + 6) / 7;
  uint64_t result = 0;
  for (unsigned i = 0;; ++i) {
    if (p >= end) return LebStatus::End;
    const uint8_t byte = *p++;
    const unsigned shift = 7 * i;
    const uint8_t payload = byte & 0x7F;
    if (i + 1 == max_bytes) {
      if (byte & 0x80) return LebStatus::TooLong;
      const unsigned used = bits - shift; // 1..7 meaningful bits in this byte
      if (is_signed) {
        // Bits [used-1, 6] must all equal the sign bit.
        const uint8_t rest = payload >> (used - 1);
        const uint8_t all = static_cast<uint8_t>(0x7F >> (used - 1));
        if (rest != 0 && rest != all) return LebStatus::TooLarge;
      } else if (used < 7 && (payload >> used) != 0) {
        return LebStatus::TooLarge;
      }
    }
    result |= uint64_t{payload} << shift;
    if (!(byte & 0x80)) {
      const unsigned total = shift + 7;
      if (is_signed && total < 64 && (payload & 0x40)) result |= ~uint64_t{0} << total;
      if (bits < 64 && !is_signed) result &= (uint64_t{1} << bits) - 1;
      out = result;
      return LebStatus::Ok;
    }
  }
}

class ByteReader {
public:
  ByteReader(std::span<const uint8_t> bytes, uint64_t begin, uint64_t end)
      : bytes_(bytes), pos_(begin), end_(end < bytes.size() ? end : bytes.size()) {}
  explicit ByteReader(std::span<const uint8_t> bytes) : ByteReader(bytes, 0, bytes.size()) {}

  uint64_t pos() const { return pos_; }
  uint64_t end() const { return end_; }
  uint64_t remaining() const { return pos_ < end_ ? end_ - pos_ : 0; }
  bool atEnd() const { return pos_ >= end_; }
  void seek(uint64_t pos) { pos_ = pos; }
  std::span<const uint8_t> bytes() const { return bytes_; }

  // A reader over the next `size` bytes; fails when they are not all there.
  Result<ByteReader> sub(uint64_t size) {
    if (size > remaining()) return unexpectedEnd(pos_, "length out of bounds");
    ByteReader r(bytes_, pos_, pos_ + size);
    return r;
  }

  Result<uint8_t> readByte() {
    if (pos_ >= end_) return unexpectedEnd(pos_, "unexpected end");
    return bytes_[pos_++];
  }

  bool peekByte(uint8_t *out) const {
    if (pos_ >= end_) return false;
    *out = bytes_[pos_];
    return true;
  }

  Result<void> skip(uint64_t n) {
    if (n > remaining()) return unexpectedEnd(pos_, "unexpected end");
    pos_ += n;
    return okResult();
  }

  // Little-endian fixed-width value of `n` (<= 8) bytes.
  Result<uint64_t> readFixed(unsigned n) {
    if (n > remaining()) return unexpectedEnd(pos_, "unexpected end");
    uint64_t v = 0;
    for (unsigned i = 0; i < n; ++i) v |= uint64_t{bytes_[pos_ + i]} << (8 * i);
    pos_ += n;
    return v;
  }

  Result<uint32_t> readU32() {
    HALTER_ASSIGN_OR_RETURN(uint64_t v, readLeb(32, false));
    return static_cast<uint32_t>(v);
  }
  Result<int32_t> readS32() {
    HALTER_ASSIGN_OR_RETURN(uint64_t v, readLeb(32, true));
    return static_cast<int32_t>(v);
  }
  Result<int64_t> readS33() {
    HALTER_ASSIGN_OR_RETURN(uint64_t v, readLeb(33, true));
    return static_cast<int64_t>(v);
  }
  Result<int64_t> readS64() {
    HALTER_ASSIGN_OR_RETURN(uint64_t v, readLeb(64, true));
    return static_cast<int64_t>(v);
  }
  Result<uint64_t> readU64() { return readLeb(64, false); }

  // LEB128 of at most ceil(bits/7) bytes whose unused high bits in the last
  // byte are zero (unsigned) or copies of the sign bit (signed). Signed
  // results are sign-extended to 64 bits.
  Result<uint64_t> readLeb(unsigned bits, bool is_signed) {
    const uint8_t *p = bytes_.data() + pos_;
    const uint64_t start = pos_;
    uint64_t value = 0;
    const LebStatus status = decodeLeb(p, bytes_.data() + end_, bits, is_signed, value);
    pos_ = static_cast<uint64_t>(p - bytes_.data());
    switch (status) {
    case LebStatus::Ok:
      return value;
    case LebStatus::End:
      return unexpectedEnd(pos_, "unexpected end");
    case LebStatus::TooLong:
      return makeError(ErrorCode::MalformedLeb, start, "integer representation too long");
    case LebStatus::TooLarge:
      break;
    }
    return makeError(ErrorCode::MalformedLeb, start, "integer too large");
  }

  Result<std::span<const uint8_t>> readBytes(uint64_t n) {
    if (n > remaining()) return unexpectedEnd(pos_, "unexpected end");
    std::span<const uint8_t> s = bytes_.subspan(pos_, n);
    pos_ += n;
    return s;
  }

private:
  static Error unexpectedEnd(uint64_t at, const char *what) {
    return makeError(ErrorCode::UnexpectedEnd, at, what);
  }

  std::span<const uint8_t> bytes_;
  uint64_t pos_;
  uint64_t end_;
};

} // namespace halter
