// The internal register code shared by compile/ (which writes it) and exec/
// (which runs it).
//
// An instruction is a handler word followed by operand words. Lowering writes
// the internal opcode number (IOp) into the handler word; exec::threadCode
// replaces it with the handler's label address. Operand words are:
//   slot   - a frame slot as a byte offset from the frame pointer (slot * 8);
//   imm    - a 64-bit immediate (constant bits, memory offset, index);
//   off    - a branch target as a signed word offset from the start of the
//            instruction that holds it.
// A frame is [params][declared locals][operand stack temporaries]; slots are
// 8 bytes; a value of type i32/f32 lives in the low half of its slot (its high
// half is unspecified), a v128 takes two consecutive slots. Calls pass the
// slot of their first argument: the callee's frame starts there, so its
// params are the caller's argument temporaries and its results come back in
// the same place.
//
// Check points (DESIGN §3.3) are not instructions: the interpreter tests the
// interrupt word on every call (function entry) and on every taken backward
// branch (a loop back edge). Fuel is charged by a Fuel instruction at the head
// of every basic block, in the metered lowering only.
#pragma once

#include "common/opcode.h"

#include <cstddef>
#include <cstdint>

namespace halter::compile {

// clang-format off
// Control, data movement, memory, tables and calls. X(Name, words): `words`
// counts the handler word; 0 marks a variable-length instruction.
#define HALTER_IOPS_FIXED(X)                                                                       \
  X(Unreachable, 1)  /* trap */                                                                    \
  X(Fuel, 2)         /* cost: charge the static cost of the basic block it heads */                \
  X(Copy, 3)         /* dst, src */                                                                \
  X(Const, 3)        /* dst, imm */                                                                \
  X(Br, 2)           /* off */                                                                     \
  X(BrIf, 3)         /* cond, off: branch when cond (i32) != 0 */                                  \
  X(BrUnless, 3)     /* cond, off: branch when cond (i32) == 0 */                                  \
  X(BrTable, 0)      /* idx, n, off[0..n-1], off_default */                                        \
  X(Return, 1)       /* results already in slots 0.. */                                            \
  X(Return1, 2)      /* src: copy one result to slot 0 and return */                               \
  X(ReturnN, 0)      /* n, stage, src[0..n-1]: parallel copy to slots 0..n-1 */                    \
  X(Call, 3)         /* func index, frame (slot of the first argument) */                          \
  X(CallLocal, 3)    /* func index, frame: a guest function of the caller's own module */          \
  X(CallIndirect, 5) /* type index, table index, idx slot, frame */                                \
  X(Select, 5)       /* dst, a, b, cond */                                                         \
  X(Select2, 5)      /* dst, a, b, cond (two-slot values) */                                       \
  X(GlobalGet, 3)    /* dst, global index */                                                       \
  X(GlobalSet, 3)    /* global index, src */                                                       \
  X(MemorySize, 2)   /* dst */                                                                     \
  X(MemoryGrow, 3)   /* dst, delta */                                                              \
  X(MemoryFill, 4)   /* d, val, n */                                                               \
  X(MemoryCopy, 4)   /* d, s, n */                                                                 \
  X(MemoryInit, 5)   /* data index, d, s, n */                                                     \
  X(DataDrop, 2)     /* data index */                                                              \
  X(TableGet, 4)     /* dst, table, idx */                                                         \
  X(TableSet, 4)     /* table, idx, val */                                                         \
  X(TableSize, 3)    /* dst, table */                                                              \
  X(TableGrow, 5)    /* dst, table, init, n */                                                     \
  X(TableFill, 5)    /* table, i, val, n */                                                        \
  X(TableCopy, 6)    /* dst table, src table, d, s, n */                                           \
  X(TableInit, 6)    /* elem index, table, d, s, n */                                              \
  X(ElemDrop, 2)     /* elem index */                                                              \
  X(RefFunc, 3)      /* dst, func index */                                                         \
  X(BrIncNz, 5)      /* dst, a, imm, off: dst = a + imm (i32); branch when dst != 0 */             \
  X(BrIncZ, 5)       /* dst, a, imm, off: dst = a + imm (i32); branch when dst == 0 */

// Loads and stores, named after the wasm Op, in forms by addressing mode
// (address slot, or base slot + i32 immediate or slot added with wrap-around,
// i.e. a fused i32.add) and, for stores, by value (slot or immediate):
//   Ld<Op>   dst, addr, offset          LdA<Op>  dst, base, add, offset
//   LdS<Op>  dst, base, index slot, offset
//   St<Op>   addr, val, offset          StI<Op>  addr, imm, offset
//   StA<Op>  base, add, val, offset     StAI<Op> base, add, imm, offset
#define HALTER_LOAD_OPS(X)                                                                         \
  X(I32Load) X(I64Load) X(F32Load) X(F64Load) X(I32Load8S) X(I32Load8U) X(I32Load16S)              \
  X(I32Load16U) X(I64Load8S) X(I64Load8U) X(I64Load16S) X(I64Load16U) X(I64Load32S)                \
  X(I64Load32U)
#define HALTER_STORE_OPS(X)                                                                        \
  X(I32Store) X(I64Store) X(F32Store) X(F64Store) X(I32Store8) X(I32Store16) X(I64Store8)          \
  X(I64Store16) X(I64Store32)

// Numeric unary ops (Un<Op>: dst, src).
#define HALTER_UNARY_OPS(X)                                                                        \
  X(I32Eqz) X(I64Eqz) X(I32Clz) X(I32Ctz) X(I32Popcnt) X(I64Clz) X(I64Ctz) X(I64Popcnt)            \
  X(F32Abs) X(F32Neg) X(F32Ceil) X(F32Floor) X(F32Trunc) X(F32Nearest) X(F32Sqrt) X(F64Abs)        \
  X(F64Neg) X(F64Ceil) X(F64Floor) X(F64Trunc) X(F64Nearest) X(F64Sqrt) X(I32WrapI64)              \
  X(I32TruncF32S) X(I32TruncF32U) X(I32TruncF64S) X(I32TruncF64U) X(I64ExtendI32S)                 \
  X(I64ExtendI32U) X(I64TruncF32S) X(I64TruncF32U) X(I64TruncF64S) X(I64TruncF64U)                 \
  X(F32ConvertI32S) X(F32ConvertI32U) X(F32ConvertI64S) X(F32ConvertI64U) X(F32DemoteF64)          \
  X(F64ConvertI32S) X(F64ConvertI32U) X(F64ConvertI64S) X(F64ConvertI64U) X(F64PromoteF32)         \
  X(I32Extend8S) X(I32Extend16S) X(I64Extend8S) X(I64Extend16S) X(I64Extend32S)                    \
  X(I32TruncSatF32S) X(I32TruncSatF32U) X(I32TruncSatF64S) X(I32TruncSatF64U)                      \
  X(I64TruncSatF32S) X(I64TruncSatF32U) X(I64TruncSatF64S) X(I64TruncSatF64U)

// Numeric binary ops: Bin<Op> (dst, a, b) and Imm<Op> (dst, a, imm b).
#define HALTER_BINARY_OPS(X)                                                                       \
  X(I32Eq) X(I32Ne) X(I32LtS) X(I32LtU) X(I32GtS) X(I32GtU) X(I32LeS) X(I32LeU) X(I32GeS)          \
  X(I32GeU) X(I64Eq) X(I64Ne) X(I64LtS) X(I64LtU) X(I64GtS) X(I64GtU) X(I64LeS) X(I64LeU)          \
  X(I64GeS) X(I64GeU) X(F32Eq) X(F32Ne) X(F32Lt) X(F32Gt) X(F32Le) X(F32Ge) X(F64Eq) X(F64Ne)      \
  X(F64Lt) X(F64Gt) X(F64Le) X(F64Ge) X(I32Add) X(I32Sub) X(I32Mul) X(I32DivS) X(I32DivU)          \
  X(I32RemS) X(I32RemU) X(I32And) X(I32Or) X(I32Xor) X(I32Shl) X(I32ShrS) X(I32ShrU) X(I32Rotl)    \
  X(I32Rotr) X(I64Add) X(I64Sub) X(I64Mul) X(I64DivS) X(I64DivU) X(I64RemS) X(I64RemU)             \
  X(I64And) X(I64Or) X(I64Xor) X(I64Shl) X(I64ShrS) X(I64ShrU) X(I64Rotl) X(I64Rotr) X(F32Add)     \
  X(F32Sub) X(F32Mul) X(F32Div) X(F32Min) X(F32Max) X(F32Copysign) X(F64Add) X(F64Sub)             \
  X(F64Mul) X(F64Div) X(F64Min) X(F64Max) X(F64Copysign)

// Compare-and-branch fusions (i32.<cmp> + br_if): Br<Op> (a, b, off) and
// BrImm<Op> (a, imm b, off). Branch when the comparison holds.
#define HALTER_BRCMP_OPS(X)                                                                        \
  X(I32Eq) X(I32Ne) X(I32LtS) X(I32LtU) X(I32GtS) X(I32GtU) X(I32LeS) X(I32LeU) X(I32GeS)          \
  X(I32GeU) X(I64Eq) X(I64Ne) X(I64LtS) X(I64LtU) X(I64GtS) X(I64GtU) X(I64LeS) X(I64LeU)          \
  X(I64GeS) X(I64GeU)

// A binary op whose second operand is a fused load: BinLd<Op> (dst, a, addr,
// offset) computes a OP mem[addr + offset]. X(Op, LoadOp).
#define HALTER_LOADOP_OPS(X)                                                                       \
  X(I32Add, I32Load) X(I32Sub, I32Load) X(I32Mul, I32Load) X(I32And, I32Load) X(I32Or, I32Load)    \
  X(I32Xor, I32Load) X(I64Add, I64Load) X(I64Sub, I64Load) X(I64Mul, I64Load)                      \
  X(I64Xor, I64Load) X(F32Add, F32Load) X(F32Sub, F32Load) X(F32Mul, F32Load)                      \
  X(F64Add, F64Load) X(F64Sub, F64Load) X(F64Mul, F64Load)

// i32.add + i32.<cmp> + br_if, the loop idiom: dst = a + b, then branch when
// dst <cmp> c. BrAdd<B><C><Cmp> (dst, a, b, c, off) where <B>/<C> is S for a
// slot and I for an immediate.
#define HALTER_BRADD_OPS(X)                                                                        \
  X(I32Eq) X(I32Ne) X(I32LtS) X(I32LtU) X(I32GtS) X(I32GtU) X(I32LeS) X(I32LeU) X(I32GeS)          \
  X(I32GeU)

enum class IOp : uint16_t {
#define HALTER_IOP_FIXED(name, words) name,
  HALTER_IOPS_FIXED(HALTER_IOP_FIXED)
#undef HALTER_IOP_FIXED
#define HALTER_IOP_LOAD(op) Ld##op, LdA##op, LdS##op,
  HALTER_LOAD_OPS(HALTER_IOP_LOAD)
#undef HALTER_IOP_LOAD
#define HALTER_IOP_STORE(op) St##op, StI##op, StA##op, StAI##op,
  HALTER_STORE_OPS(HALTER_IOP_STORE)
#undef HALTER_IOP_STORE
#define HALTER_IOP_UN(op) Un##op,
  HALTER_UNARY_OPS(HALTER_IOP_UN)
#undef HALTER_IOP_UN
#define HALTER_IOP_BIN(op) Bin##op, Imm##op,
  HALTER_BINARY_OPS(HALTER_IOP_BIN)
#undef HALTER_IOP_BIN
#define HALTER_IOP_BR(op) Br##op, BrImm##op,
  HALTER_BRCMP_OPS(HALTER_IOP_BR)
#undef HALTER_IOP_BR
#define HALTER_IOP_BINLD(op, load) BinLd##op,
  HALTER_LOADOP_OPS(HALTER_IOP_BINLD)
#undef HALTER_IOP_BINLD
#define HALTER_IOP_BRADD(op) BrAddSS##op, BrAddSI##op, BrAddIS##op, BrAddII##op,
  HALTER_BRADD_OPS(HALTER_IOP_BRADD)
#undef HALTER_IOP_BRADD
  Count_
};

inline constexpr int kIOpCount = static_cast<int>(IOp::Count_);

// Words of each fixed-size instruction, handler word included (0: variable).
inline constexpr uint8_t kIOpWords[] = {
#define HALTER_IOP_W_FIXED(name, words) words,
  HALTER_IOPS_FIXED(HALTER_IOP_W_FIXED)
#undef HALTER_IOP_W_FIXED
#define HALTER_IOP_W_LOAD(op) 4, 5, 5,
  HALTER_LOAD_OPS(HALTER_IOP_W_LOAD)
#undef HALTER_IOP_W_LOAD
#define HALTER_IOP_W_STORE(op) 4, 4, 5, 5,
  HALTER_STORE_OPS(HALTER_IOP_W_STORE)
#undef HALTER_IOP_W_STORE
#define HALTER_IOP_W_UN(op) 3,
  HALTER_UNARY_OPS(HALTER_IOP_W_UN)
#undef HALTER_IOP_W_UN
#define HALTER_IOP_W_BIN(op) 4, 4,
  HALTER_BINARY_OPS(HALTER_IOP_W_BIN)
#undef HALTER_IOP_W_BIN
#define HALTER_IOP_W_BR(op) 4, 4,
  HALTER_BRCMP_OPS(HALTER_IOP_W_BR)
#undef HALTER_IOP_W_BR
#define HALTER_IOP_W_BINLD(op, load) 5,
  HALTER_LOADOP_OPS(HALTER_IOP_W_BINLD)
#undef HALTER_IOP_W_BINLD
#define HALTER_IOP_W_BRADD(op) 6, 6, 6, 6,
  HALTER_BRADD_OPS(HALTER_IOP_W_BRADD)
#undef HALTER_IOP_W_BRADD
};
static_assert(sizeof(kIOpWords) == kIOpCount);

// clang-format on

// Number of words of the instruction at `at`, whose handler word still holds
// its IOp (threadCode walks the code before rewriting each handler word).
inline size_t instrWords(const uint64_t *at) {
  IOp op = static_cast<IOp>(at[0]);
  if (op == IOp::BrTable) return 3 + at[2] + 1;
  if (op == IOp::ReturnN) return 3 + at[1];
  return kIOpWords[at[0]];
}

} // namespace halter::compile
