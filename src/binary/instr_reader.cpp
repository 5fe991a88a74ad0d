#include "binary/instr_reader.h"

#include "binary/type_bytes.h"
#include "common/byte_reader.h"

#include <array>

namespace halter::binary {

InstrReader::InstrReader(std::span<const uint8_t> module_bytes, uint64_t begin, uint64_t end)
    : bytes_(module_bytes), pos_(begin),
      end_(end < module_bytes.size() ? end : module_bytes.size()) {}

namespace {

Result<void> readZeroByte(ByteReader &r) {
  const uint64_t at = r.pos();
  HALTER_ASSIGN_OR_RETURN(uint8_t b, r.readByte());
  if (b != 0) return makeError(ErrorCode::Malformed, at, "zero byte expected");
  return okResult();
}

Result<void> readBlockType(ByteReader &r, BlockType &out) {
  const uint64_t at = r.pos();
  uint8_t b = 0;
  if (!r.peekByte(&b)) return makeError(ErrorCode::UnexpectedEnd, at, "unexpected end");
  if (b == 0x40) {
    r.seek(at + 1);
    out.kind = BlockType::Kind::Empty;
    return okResult();
  }
  ValType t;
  if (valTypeFromByte(b, &t)) {
    r.seek(at + 1);
    out.kind = BlockType::Kind::Value;
    out.value = t;
    return okResult();
  }
  HALTER_ASSIGN_OR_RETURN(int64_t index, r.readS33());
  if (index < 0) return makeError(ErrorCode::Malformed, at, "malformed block type");
  out.kind = BlockType::Kind::TypeIndex;
  out.type_index = static_cast<uint32_t>(index);
  return okResult();
}

Result<void> readImmediates(ByteReader &r, ImmKind kind, Instr &out) {
  switch (kind) {
  case ImmKind::None:
    return okResult();
  case ImmKind::BlockType:
    return readBlockType(r, out.block);
  case ImmKind::Label:
  case ImmKind::Func:
  case ImmKind::Local:
  case ImmKind::Global:
  case ImmKind::Table:
  case ImmKind::Data:
  case ImmKind::Elem: {
    HALTER_ASSIGN_OR_RETURN(out.index, r.readU32());
    return okResult();
  }
  case ImmKind::LabelTable: {
    const uint64_t at = r.pos();
    HALTER_ASSIGN_OR_RETURN(uint32_t count, r.readU32());
    // Each label takes at least one byte, and the default follows.
    if (count >= r.remaining()) {
      return makeError(ErrorCode::UnexpectedEnd, at, "unexpected end: label count too large");
    }
    out.labels.clear();
    out.labels.reserve(count + 1);
    for (uint32_t i = 0; i <= count; ++i) {
      HALTER_ASSIGN_OR_RETURN(uint32_t label, r.readU32());
      out.labels.push_back(label);
    }
    return okResult();
  }
  case ImmKind::CallIndirect:
  case ImmKind::TableInit:
  case ImmKind::TableCopy: {
    HALTER_ASSIGN_OR_RETURN(out.index, r.readU32());
    HALTER_ASSIGN_OR_RETURN(out.index2, r.readU32());
    return okResult();
  }
  case ImmKind::MemArg: {
    HALTER_ASSIGN_OR_RETURN(out.align, r.readU32());
    HALTER_ASSIGN_OR_RETURN(uint32_t offset, r.readU32());
    out.mem_offset = offset;
    return okResult();
  }
  case ImmKind::MemIdx:
    return readZeroByte(r);
  case ImmKind::I32: {
    HALTER_ASSIGN_OR_RETURN(int32_t v, r.readS32());
    out.bits = static_cast<uint64_t>(static_cast<int64_t>(v));
    return okResult();
  }
  case ImmKind::I64: {
    HALTER_ASSIGN_OR_RETURN(int64_t v, r.readS64());
    out.bits = static_cast<uint64_t>(v);
    return okResult();
  }
  case ImmKind::F32: {
    HALTER_ASSIGN_OR_RETURN(out.bits, r.readFixed(4));
    return okResult();
  }
  case ImmKind::F64: {
    HALTER_ASSIGN_OR_RETURN(out.bits, r.readFixed(8));
    return okResult();
  }
  case ImmKind::RefType: {
    const uint64_t at = r.pos();
    HALTER_ASSIGN_OR_RETURN(uint8_t b, r.readByte());
    if (!refTypeFromByte(b, &out.type)) {
      return makeError(ErrorCode::Malformed, at, "malformed reference type");
    }
    return okResult();
  }
  case ImmKind::SelectT: {
    const uint64_t at = r.pos();
    HALTER_ASSIGN_OR_RETURN(uint32_t count, r.readU32());
    if (count > r.remaining()) {
      return makeError(ErrorCode::UnexpectedEnd, at, "unexpected end: type count too large");
    }
    out.index = count;
    for (uint32_t i = 0; i < count; ++i) {
      const uint64_t type_at = r.pos();
      HALTER_ASSIGN_OR_RETURN(uint8_t b, r.readByte());
      ValType t;
      if (!valTypeFromByte(b, &t)) {
        return makeError(ErrorCode::Malformed, type_at, "malformed value type");
      }
      if (i == 0) out.type = t;
    }
    return okResult();
  }
  case ImmKind::MemoryInit: {
    HALTER_ASSIGN_OR_RETURN(out.index, r.readU32());
    return readZeroByte(r);
  }
  case ImmKind::MemoryCopy: {
    HALTER_TRY(readZeroByte(r));
    return readZeroByte(r);
  }
  }
  return makeError(ErrorCode::Internal, r.pos(), "unknown immediate kind");
}

// The single-byte opcodes with their immediate kinds, from the one opcode
// table, so the fast path needs no call per instruction.
struct FastOp {
  Op op = Op::Nop;
  ImmKind imm = ImmKind::None;
  bool known = false;
};

const std::array<FastOp, 256> kFastOps = [] {
  std::array<FastOp, 256> table{};
  for (int b = 0; b < 256; ++b) {
    Op op;
    if (opFromByte(static_cast<uint8_t>(b), &op)) table[b] = {op, opInfo(op).imm, true};
  }
  return table;
}();

inline bool fastU32(const uint8_t *&p, const uint8_t *end, uint32_t &out) {
  if (p < end && *p < 0x80) {
    out = *p++;
    return true;
  }
  uint64_t v;
  if (decodeLeb(p, end, 32, false, v) != LebStatus::Ok) return false;
  out = static_cast<uint32_t>(v);
  return true;
}

inline uint64_t loadLittle(const uint8_t *p, unsigned n) {
  uint64_t v = 0;
  for (unsigned i = 0; i < n; ++i) v |= uint64_t{p[i]} << (8 * i);
  return v;
}

} // namespace

bool InstrReader::nextFast(Instr &out) {
  if (pos_ >= end_) return false;
  const uint8_t *const begin = bytes_.data() + pos_;
  const uint8_t *const end = bytes_.data() + end_;
  const uint8_t *p = begin;
  const FastOp &fast = kFastOps[*p++];
  if (!fast.known) return false;
  switch (fast.imm) {
  case ImmKind::None:
    break;
  case ImmKind::BlockType:
    if (p >= end) return false;
    if (*p == 0x40) {
      out.block.kind = BlockType::Kind::Empty;
    } else if (ValType t; valTypeFromByte(*p, &t)) {
      out.block.kind = BlockType::Kind::Value;
      out.block.value = t;
    } else {
      return false;
    }
    ++p;
    break;
  case ImmKind::Label:
  case ImmKind::Func:
  case ImmKind::Local:
  case ImmKind::Global:
  case ImmKind::Table:
  case ImmKind::Data:
  case ImmKind::Elem:
    if (!fastU32(p, end, out.index)) return false;
    break;
  case ImmKind::CallIndirect:
    if (!fastU32(p, end, out.index) || !fastU32(p, end, out.index2)) return false;
    break;
  case ImmKind::MemArg: {
    uint32_t offset;
    if (!fastU32(p, end, out.align) || !fastU32(p, end, offset)) return false;
    out.mem_offset = offset;
    break;
  }
  case ImmKind::MemIdx:
    if (p >= end || *p != 0) return false;
    ++p;
    break;
  case ImmKind::I32: {
    uint64_t v;
    if (decodeLeb(p, end, 32, true, v) != LebStatus::Ok) return false;
    out.bits = static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(v)));
    break;
  }
  case ImmKind::I64: {
    if (decodeLeb(p, end, 64, true, out.bits) != LebStatus::Ok) return false;
    break;
  }
  case ImmKind::F32:
    if (end - p < 4) return false;
    out.bits = loadLittle(p, 4);
    p += 4;
    break;
  case ImmKind::F64:
    if (end - p < 8) return false;
    out.bits = loadLittle(p, 8);
    p += 8;
    break;
  default:
    return false;
  }
  out.op = fast.op;
  out.offset = pos_;
  pos_ += static_cast<uint64_t>(p - begin);
  return true;
}

Result<void> InstrReader::next(Instr &out) {
  if (nextFast(out)) return okResult();
  return nextByReference(out);
}

Result<void> InstrReader::nextByReference(Instr &out) {
  ByteReader r(bytes_, pos_, end_);
  const uint64_t at = pos_;
  HALTER_ASSIGN_OR_RETURN(uint8_t byte, r.readByte());
  Op op;
  if (byte == 0xFC) {
    HALTER_ASSIGN_OR_RETURN(uint32_t code, r.readU32());
    if (!opFromPrefixed(byte, code, &op)) {
      return makeError(ErrorCode::MalformedOpcode, at,
                       "illegal opcode 0xfc " + std::to_string(code));
    }
  } else if (!opFromByte(byte, &op)) {
    static const char kHex[] = "0123456789abcdef";
    std::string text = "illegal opcode 0x";
    text += kHex[byte >> 4];
    text += kHex[byte & 15];
    return makeError(ErrorCode::MalformedOpcode, at, std::move(text));
  }
  out.op = op;
  out.offset = at;
  HALTER_TRY(readImmediates(r, opInfo(op).imm, out));
  pos_ = r.pos();
  return okResult();
}

} // namespace halter::binary
