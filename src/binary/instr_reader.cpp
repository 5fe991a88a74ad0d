#include "binary/instr_reader.h"

#include "binary/type_bytes.h"
#include "common/byte_reader.h"

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

} // namespace

Result<void> InstrReader::next(Instr &out) {
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
