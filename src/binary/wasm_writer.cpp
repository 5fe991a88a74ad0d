#include "binary/wasm_writer.h"

#include "common/opcode.h"

namespace halter::binary {

void WasmWriter::uleb(uint64_t v) {
  do {
    uint8_t b = v & 0x7F;
    v >>= 7;
    if (v != 0) b |= 0x80;
    out_.push_back(b);
  } while (v != 0);
}

void WasmWriter::sleb(int64_t v) {
  for (;;) {
    const uint8_t b = v & 0x7F;
    v >>= 7; // arithmetic: the sign bit fills in
    const bool done = (v == 0 && (b & 0x40) == 0) || (v == -1 && (b & 0x40) != 0);
    out_.push_back(done ? b : uint8_t(b | 0x80));
    if (done) return;
  }
}

void WasmWriter::name(std::string_view s) {
  uleb(s.size());
  out_.insert(out_.end(), s.begin(), s.end());
}

void WasmWriter::limits(const SizeLimits &l) {
  byte(l.max ? 1 : 0);
  uleb(l.min);
  if (l.max) uleb(*l.max);
}

void WasmWriter::constExpr(const ir::ConstExpr &expr) {
  for (const ir::ConstInstr &in : expr.instrs) {
    const OpInfo &info = opInfo(in.op);
    if (info.prefix != 0) {
      byte(info.prefix);
      uleb(info.code);
    } else {
      byte(uint8_t(info.code));
    }
    switch (info.imm) {
    case ImmKind::I32:
      sleb(int32_t(uint32_t(in.value)));
      break;
    case ImmKind::I64:
      sleb(int64_t(in.value));
      break;
    case ImmKind::F32:
      for (int i = 0; i < 4; ++i) byte(uint8_t(in.value >> (8 * i)));
      break;
    case ImmKind::F64:
      for (int i = 0; i < 8; ++i) byte(uint8_t(in.value >> (8 * i)));
      break;
    case ImmKind::RefType:
      byte(uint8_t(in.ref_type));
      break;
    case ImmKind::None:
      break;
    default: // function and global indices, the only others a constant has
      uleb(in.value);
      break;
    }
  }
  byte(0x0B); // end
}

void WasmWriter::section(uint8_t id, std::span<const uint8_t> payload) {
  byte(id);
  uleb(payload.size());
  bytes(payload);
}

namespace {

ir::ConstExpr one(Op op, uint64_t value, ValType ref_type = ValType::FuncRef) {
  ir::ConstExpr e;
  ir::ConstInstr in;
  in.op = op;
  in.value = value;
  in.ref_type = ref_type;
  e.instrs.push_back(in);
  return e;
}

} // namespace

ir::ConstExpr i32Const(uint32_t bits) {
  return one(Op::I32Const, bits);
}
ir::ConstExpr i64Const(uint64_t bits) {
  return one(Op::I64Const, bits);
}
ir::ConstExpr f32Const(uint32_t bits) {
  return one(Op::F32Const, bits);
}
ir::ConstExpr f64Const(uint64_t bits) {
  return one(Op::F64Const, bits);
}
ir::ConstExpr refNull(ValType type) {
  return one(Op::RefNull, 0, type);
}
ir::ConstExpr refFunc(uint32_t func_index) {
  return one(Op::RefFunc, func_index);
}

} // namespace halter::binary
