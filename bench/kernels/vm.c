// A branchy bytecode interpreter: a tiny register machine, dispatched with a
// switch, runs a program that counts Collatz steps for 1..n and keeps a
// histogram in the machine's own memory.
#include "kernel.h"

enum Op {
  kOpLoadImm,   // r[a] = imm
  kOpMov,       // r[a] = r[b]
  kOpAdd,       // r[a] = r[b] + r[c]
  kOpAddImm,    // r[a] = r[b] + imm
  kOpAndImm,    // r[a] = r[b] & imm
  kOpShrImm,    // r[a] = r[b] >> imm
  kOpLoad,      // r[a] = mem[r[b] & kMemMask]
  kOpStore,     // mem[r[b] & kMemMask] = r[a]
  kOpJump,      // pc = imm
  kOpJumpZ,     // if r[a] == 0: pc = imm
  kOpJumpEqImm, // if r[a] == c: pc = imm
  kOpJumpLe,    // if r[a] <= r[b]: pc = imm
  kOpHalt,
};

typedef struct {
  u8 op, a, b, c;
  i32 imm;
} Insn;

#define kMemMask 255u

static u64 mem[kMemMask + 1];
static Insn program[32];

static u32 emit(u32 at, u8 op, u8 a, u8 b, u8 c, i32 imm) {
  Insn in = {op, a, b, c, imm};
  program[at] = in;
  return at + 1;
}

// r0 = i, r1 = n, r2 = total steps, r3 = x, r4 = scratch, r5 = steps of i
static void assemble(void) {
  u32 pc = 0;
  pc = emit(pc, kOpLoadImm, 0, 0, 0, 1);
  pc = emit(pc, kOpLoadImm, 2, 0, 0, 0);
  u32 outer = pc;
  pc = emit(pc, kOpMov, 3, 0, 0, 0);
  pc = emit(pc, kOpLoadImm, 5, 0, 0, 0);
  u32 inner = pc;
  u32 exitJump = pc;
  pc = emit(pc, kOpJumpEqImm, 3, 0, 1, 0); // target patched below
  pc = emit(pc, kOpAndImm, 4, 3, 0, 1);
  u32 evenJump = pc;
  pc = emit(pc, kOpJumpZ, 4, 0, 0, 0); // target patched below
  pc = emit(pc, kOpAdd, 4, 3, 3, 0);
  pc = emit(pc, kOpAdd, 3, 3, 4, 0);
  pc = emit(pc, kOpAddImm, 3, 3, 0, 1);
  u32 countJump = pc;
  pc = emit(pc, kOpJump, 0, 0, 0, 0); // target patched below
  program[evenJump].imm = (i32)pc;
  pc = emit(pc, kOpShrImm, 3, 3, 0, 1);
  program[countJump].imm = (i32)pc;
  pc = emit(pc, kOpAddImm, 5, 5, 0, 1);
  pc = emit(pc, kOpJump, 0, 0, 0, (i32)inner);
  program[exitJump].imm = (i32)pc;
  pc = emit(pc, kOpAdd, 2, 2, 5, 0);
  pc = emit(pc, kOpLoad, 4, 5, 0, 0);
  pc = emit(pc, kOpAddImm, 4, 4, 0, 1);
  pc = emit(pc, kOpStore, 4, 5, 0, 0);
  pc = emit(pc, kOpAddImm, 0, 0, 0, 1);
  pc = emit(pc, kOpJumpLe, 0, 1, 0, (i32)outer);
  emit(pc, kOpHalt, 0, 0, 0, 0);
}

static u64 execute(u64 n) {
  u64 r[8] = {0, n, 0, 0, 0, 0, 0, 0};
  u32 pc = 0;
  for (;;) {
    const Insn *in = &program[pc++];
    switch (in->op) {
    case kOpLoadImm:
      r[in->a] = (u64)(i32)in->imm;
      break;
    case kOpMov:
      r[in->a] = r[in->b];
      break;
    case kOpAdd:
      r[in->a] = r[in->b] + r[in->c];
      break;
    case kOpAddImm:
      r[in->a] = r[in->b] + (u64)(i32)in->imm;
      break;
    case kOpAndImm:
      r[in->a] = r[in->b] & (u64)(i32)in->imm;
      break;
    case kOpShrImm:
      r[in->a] = r[in->b] >> in->imm;
      break;
    case kOpLoad:
      r[in->a] = mem[r[in->b] & kMemMask];
      break;
    case kOpStore:
      mem[r[in->b] & kMemMask] = r[in->a];
      break;
    case kOpJump:
      pc = (u32)in->imm;
      break;
    case kOpJumpZ:
      if (r[in->a] == 0) pc = (u32)in->imm;
      break;
    case kOpJumpEqImm:
      if (r[in->a] == in->c) pc = (u32)in->imm;
      break;
    case kOpJumpLe:
      if (r[in->a] <= r[in->b]) pc = (u32)in->imm;
      break;
    case kOpHalt:
      return r[2];
    default:
      return 0;
    }
  }
}

u32 run(u32 n) {
  for (u32 i = 0; i <= kMemMask; i++) mem[i] = 0;
  assemble();
  u64 total = execute(n);
  u64 h = total;
  for (u32 i = 0; i <= kMemMask; i++) h = h * 1000003ull + mem[i];
  return (u32)(h ^ (h >> 32));
}
