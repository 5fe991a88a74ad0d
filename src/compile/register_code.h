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
// Check points (DESIGN §3.3) are not instructions; they are a property of
// every branch. The lowering binds a branch to a loop label at the loop's
// first instruction, at or before the branch, and every other target (block
// and if ends, else arms, br_table stubs) strictly after it. So a branch
// whose offset is <= 0 is a loop back edge and every other branch goes
// forward; each iteration of any loop takes at least one branch of offset
// <= 0, whatever its form (plain, conditional, fused compare, br_table arm,
// an exit through nested blocks, the loop's only instruction). The
// interpreter takes every branch through one macro (JUMP) that tests the
// interrupt word when the offset is <= 0, and tests it on every call
// (function entry). Tests enumerate the branch forms from the shapes below
// (shape letter 'o'). Fuel is charged by a Fuel instruction at the head of
// every basic block, in the metered lowering only.
#pragma once

#include "common/opcode.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <utility>

namespace halter::compile {

// clang-format off
// Operand shapes: one letter per operand word, after the handler word:
//   s  a frame slot (byte offset from the frame pointer);
//   i  an immediate (constant bits, memory offset, index, count);
//   o  a branch offset (signed words from the start of the instruction).
// "*" marks a variable-length instruction (see instrWords). Every word count,
// and the list of branch forms the check-point tests enumerate, comes from
// these shapes.
//
// Control, data movement, memory, tables and calls: X(Name, shape).
#define HALTER_IOPS_FIXED(X)                                                                       \
  X(Unreachable, "")     /* trap */                                                                \
  X(Fuel, "i")           /* cost: charge the static cost of the basic block it heads */            \
  X(Copy, "ss")          /* dst, src */                                                            \
  X(Const, "si")         /* dst, imm */                                                            \
  X(Br, "o")             /* off */                                                                 \
  X(BrIf, "so")          /* cond, off: branch when cond (i32) != 0 */                              \
  X(BrUnless, "so")      /* cond, off: branch when cond (i32) == 0 */                              \
  X(BrTable, "*")        /* idx slot, n, off[0..n-1], off_default */                               \
  X(Return, "")          /* results already in slots 0.. */                                        \
  X(Return1, "s")        /* src: copy one result to slot 0 and return */                           \
  X(ReturnN, "*")        /* n, stage slot, src[0..n-1] slots: parallel copy to slots 0..n-1 */     \
  X(Call, "is")          /* func index, frame (slot of the first argument) */                      \
  X(CallLocal, "is")     /* func index, frame: a guest function of the caller's own module */      \
  X(CallIndirect, "iiss") /* type index, table index, idx slot, frame */                           \
  X(Select, "ssss")      /* dst, a, b, cond */                                                     \
  X(Select2, "ssss")     /* dst, a, b, cond (two-slot values) */                                   \
  X(GlobalGet, "si")     /* dst, global index */                                                   \
  X(GlobalSet, "is")     /* global index, src */                                                   \
  X(MemorySize, "s")     /* dst */                                                                 \
  X(MemoryGrow, "ss")    /* dst, delta */                                                          \
  X(MemoryFill, "sss")   /* d, val, n */                                                           \
  X(MemoryCopy, "sss")   /* d, s, n */                                                             \
  X(MemoryInit, "isss")  /* data index, d, s, n */                                                 \
  X(DataDrop, "i")       /* data index */                                                          \
  X(TableGet, "sis")     /* dst, table, idx */                                                     \
  X(TableSet, "iss")     /* table, idx, val */                                                     \
  X(TableSize, "si")     /* dst, table */                                                          \
  X(TableGrow, "siss")   /* dst, table, init, n */                                                 \
  X(TableFill, "isss")   /* table, i, val, n */                                                    \
  X(TableCopy, "iisss")  /* dst table, src table, d, s, n */                                       \
  X(TableInit, "iisss")  /* elem index, table, d, s, n */                                          \
  X(ElemDrop, "i")       /* elem index */                                                          \
  X(RefFunc, "si")       /* dst, func index */                                                     \
  X(BrIncNz, "ssio")     /* dst, a, imm, off: dst = a + imm (i32); branch when dst != 0 */         \
  X(BrIncZ, "ssio")      /* dst, a, imm, off: dst = a + imm (i32); branch when dst == 0 */

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
#define HALTER_IOP_FIXED(name, shape) name,
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

// Operand shape of each instruction (see the top of this table).
inline constexpr const char *kIOpShapes[] = {
#define HALTER_IOP_S_FIXED(name, shape) shape,
  HALTER_IOPS_FIXED(HALTER_IOP_S_FIXED)
#undef HALTER_IOP_S_FIXED
#define HALTER_IOP_S_LOAD(op) "ssi", "ssii", "sssi",
  HALTER_LOAD_OPS(HALTER_IOP_S_LOAD)
#undef HALTER_IOP_S_LOAD
#define HALTER_IOP_S_STORE(op) "ssi", "sii", "sisi", "siii",
  HALTER_STORE_OPS(HALTER_IOP_S_STORE)
#undef HALTER_IOP_S_STORE
#define HALTER_IOP_S_UN(op) "ss",
  HALTER_UNARY_OPS(HALTER_IOP_S_UN)
#undef HALTER_IOP_S_UN
#define HALTER_IOP_S_BIN(op) "sss", "ssi",
  HALTER_BINARY_OPS(HALTER_IOP_S_BIN)
#undef HALTER_IOP_S_BIN
#define HALTER_IOP_S_BR(op) "sso", "sio",
  HALTER_BRCMP_OPS(HALTER_IOP_S_BR)
#undef HALTER_IOP_S_BR
#define HALTER_IOP_S_BINLD(op, load) "sssi",
  HALTER_LOADOP_OPS(HALTER_IOP_S_BINLD)
#undef HALTER_IOP_S_BINLD
#define HALTER_IOP_S_BRADD(op) "sssso", "sssio", "ssiso", "ssiio",
  HALTER_BRADD_OPS(HALTER_IOP_S_BRADD)
#undef HALTER_IOP_S_BRADD
};
static_assert(sizeof(kIOpShapes) / sizeof(kIOpShapes[0]) == kIOpCount);

// The instructions' names, for tests and diagnostics.
inline constexpr const char *kIOpNames[] = {
#define HALTER_IOP_N_FIXED(name, shape) #name,
  HALTER_IOPS_FIXED(HALTER_IOP_N_FIXED)
#undef HALTER_IOP_N_FIXED
#define HALTER_IOP_N_LOAD(op) "Ld" #op, "LdA" #op, "LdS" #op,
  HALTER_LOAD_OPS(HALTER_IOP_N_LOAD)
#undef HALTER_IOP_N_LOAD
#define HALTER_IOP_N_STORE(op) "St" #op, "StI" #op, "StA" #op, "StAI" #op,
  HALTER_STORE_OPS(HALTER_IOP_N_STORE)
#undef HALTER_IOP_N_STORE
#define HALTER_IOP_N_UN(op) "Un" #op,
  HALTER_UNARY_OPS(HALTER_IOP_N_UN)
#undef HALTER_IOP_N_UN
#define HALTER_IOP_N_BIN(op) "Bin" #op, "Imm" #op,
  HALTER_BINARY_OPS(HALTER_IOP_N_BIN)
#undef HALTER_IOP_N_BIN
#define HALTER_IOP_N_BR(op) "Br" #op, "BrImm" #op,
  HALTER_BRCMP_OPS(HALTER_IOP_N_BR)
#undef HALTER_IOP_N_BR
#define HALTER_IOP_N_BINLD(op, load) "BinLd" #op,
  HALTER_LOADOP_OPS(HALTER_IOP_N_BINLD)
#undef HALTER_IOP_N_BINLD
#define HALTER_IOP_N_BRADD(op) "BrAddSS" #op, "BrAddSI" #op, "BrAddIS" #op, "BrAddII" #op,
  HALTER_BRADD_OPS(HALTER_IOP_N_BRADD)
#undef HALTER_IOP_N_BRADD
};
static_assert(sizeof(kIOpNames) / sizeof(kIOpNames[0]) == kIOpCount);

namespace detail {
constexpr uint8_t shapeWords(const char *shape) {
  if (shape[0] == '*') return 0;
  uint8_t n = 1;
  while (*shape++ != '\0') ++n;
  return n;
}
template <size_t... I> constexpr auto wordTable(std::index_sequence<I...>) {
  return std::array<uint8_t, sizeof...(I)>{shapeWords(kIOpShapes[I])...};
}
} // namespace detail

// Words of each fixed-size instruction, handler word included (0: variable).
inline constexpr auto kIOpWords = detail::wordTable(std::make_index_sequence<kIOpCount>());

// clang-format on

// Number of words of the instruction at `at`, whose handler word still holds
// its IOp (threadCode walks the code before rewriting each handler word).
inline size_t instrWords(const uint64_t *at) {
  IOp op = static_cast<IOp>(at[0]);
  if (op == IOp::BrTable) return 3 + at[2] + 1;
  if (op == IOp::ReturnN) return 3 + at[1];
  return kIOpWords[at[0]];
}

// Calls f(k) for each word k of the instruction at `at` (unthreaded) that
// holds a branch offset.
template <class F> void forEachBranchWord(const uint64_t *at, F &&f) {
  if (static_cast<IOp>(at[0]) == IOp::BrTable) {
    for (uint64_t k = 3; k < 3 + at[2] + 1; ++k) f(size_t(k));
    return;
  }
  const char *shape = kIOpShapes[at[0]];
  for (size_t k = 0; shape[0] != '*' && shape[k] != '\0'; ++k) {
    if (shape[k] == 'o') f(k + 1);
  }
}

// True for every instruction that can branch (shape letter 'o', or br_table).
inline bool isBranch(IOp op) {
  if (op == IOp::BrTable) return true;
  for (const char *s = kIOpShapes[size_t(op)]; *s != '\0'; ++s) {
    if (*s == 'o') return true;
  }
  return false;
}

} // namespace halter::compile
